"""Helpers every app's services share: status guards and turning database refusals into
errors a person can act on."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Manager, Model, QuerySet
from django.db.models.options import Options
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class WithStatus(Protocol):
    """A model with a `status` field with choices."""

    @property
    def status(self) -> str: ...

    @property
    def _meta(self) -> "Options[Any]": ...

    def get_status_display(self) -> str: ...


ModelT = TypeVar("ModelT", bound=Model)


def ensure_status(instance: WithStatus, *allowed: str) -> None:
    """Refuse a state change from the wrong state, naming the state the record is in."""
    if instance.status not in allowed:
        raise ValidationError(
            _("This %(thing)s is marked “%(status)s”, so it cannot be changed this way."),
            code="wrong_status",
            params={"thing": instance._meta.verbose_name, "status": instance.get_status_display()},
        )


def locked(queryset: "QuerySet[ModelT, Any] | Manager[ModelT]", pk: object, what: str) -> ModelT:
    """The row `pk` of `queryset`, locked for this transaction; a clear error if it does not exist
    (deleted meanwhile, or a bad id from an API client), never a DoesNotExist."""
    try:
        return queryset.select_for_update().get(pk=pk)
    except ObjectDoesNotExist:  # the model's DoesNotExist: `get` raises no other
        raise ValidationError(_("The %(what)s was not found.") % {"what": what}, code="not_found") from None


@contextmanager
def integrity_errors_as(
    messages: Mapping[str, "ValidationError | StrOrPromise"], default: str | None = None
) -> Iterator[None]:
    """Translate an IntegrityError raised by a named constraint into a ValidationError.

    `messages` maps constraint names to the error to raise. Anything unexpected is re-raised, so
    a real bug is not hidden behind a friendly message.
    """
    try:
        yield
    except IntegrityError as error:
        text = str(error)
        for name, message in messages.items():
            if name in text:
                raise (
                    message if isinstance(message, ValidationError) else ValidationError(message)
                ) from error
        if default is not None:
            raise ValidationError(default) from error
        raise


# Free text typed into a case: room for what an officer writes in a note, not for a pasted
# document that would flood the timeline and every page that shows it.
TEXT_LIMIT = 2000


def text_length_errors(texts: dict[str, str], limit: int = TEXT_LIMIT) -> dict[str, str]:
    """An error for each field of `texts` (name → text) longer than `limit` characters, saying
    by how much, for the form to show by the field or the API to name it."""
    return {
        name: ngettext(
            "Enter %(limit)s characters or fewer: this is %(over)s character too long.",
            "Enter %(limit)s characters or fewer: this is %(over)s characters too long.",
            len(text) - limit,
        )
        % {"limit": f"{limit:,}", "over": f"{len(text) - limit:,}"}
        for name, text in texts.items()
        if text and len(text) > limit
    }


class _Undone(Exception):
    """Raised to roll back a dry run's changes (never seen outside `dry_run`)."""


def dry_run(change: Callable[[], object]) -> None:
    """Make a change with every check of its service, then undo it (a savepoint rolled back;
    nothing sent: work queued on commit is dropped with it). A check-your-answers page uses it
    so that it only ever shows answers the service will accept; the service's ValidationError
    (or a stale basis) comes out as it would."""
    try:
        with transaction.atomic():
            change()
            raise _Undone
    except _Undone:
        pass
