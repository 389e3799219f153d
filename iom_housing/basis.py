"""What a change was based on: every page that changes a record carries the version it was shown
from (its basis), and the service refuses a change whose basis has moved, saying who changed what
and when; the same form sent twice (a double click) is told it was already done
(docs/adr/006-stale-form-basis.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import ApiClient
from iom_housing.dates import day, time_of_day

if TYPE_CHECKING:
    from django.db.models.options import Options

    from iom_housing.access import Staff


class Versioned(Protocol):
    """A record with a version: an `iom_housing.db.Versioned` model."""

    @property
    def version(self) -> int: ...

    @property
    def _meta(self) -> "Options[Any]": ...


RecordT = TypeVar("RecordT", bound=Versioned)


class StaleBasis(ValidationError):
    """The record changed after the page was shown. `already_done`: the change since is what this
    request asks for, made by the same person (the form sent twice), so nothing more is to do."""

    def __init__(self, message: str, *, already_done: bool = False):
        super().__init__(message, code="already_done" if already_done else "stale_basis")
        self.already_done = already_done


@dataclass(frozen=True)
class ChangesSince:
    """The history of a record after a version: the row as it was at that version (None if its
    history is gone, as after erasure), who made the changes since and who made the last, and
    when."""

    before: object | None
    user_ids: frozenset
    who: str
    at: datetime


def _who(context: dict, users: dict, clients: dict) -> str:
    user = users.get(context.get("user"))
    if user is not None:
        return user.get_full_name() or user.username
    client = clients.get(context.get("api_client"))
    return str(client) if client is not None else ""


def changes_since(record, version: int) -> ChangesSince:
    """Read from the record's change history (audit, kept by triggers): three queries."""
    events = list(record.history.filter(version__gt=version).select_related("pgh_context").order_by("pgh_id"))
    before = record.history.filter(version=version).order_by("-pgh_id").first()
    contexts = [event.pgh_context.metadata if event.pgh_context else {} for event in events]
    user_ids = frozenset(context.get("user") for context in contexts)
    users = get_user_model().objects.in_bulk([pk for pk in user_ids if pk is not None])
    client_ids = [context["api_client"] for context in contexts if context.get("api_client")]
    clients = ApiClient.objects.select_related("application", "agency").in_bulk(client_ids)
    last = contexts[-1] if contexts else {}
    return ChangesSince(
        before=before,
        user_ids=user_ids,
        who=_who(last, users, clients),
        # The row's own time (the app's clock) rather than the history's (the database's).
        at=record.updated_at,
    )


def said_when(at: datetime) -> str:
    """A moment as a refusal names it: "2:02pm" today, else "2:02pm on 2 December 2026"."""
    local = timezone.localtime(at)
    if local.date() == timezone.localdate():
        return time_of_day(local)
    return _("%(time)s on %(day)s") % {
        "time": time_of_day(local),
        "day": day(local),
    }


def stale_basis(*, thing, who: str, at: datetime, what: str, already_done: bool = False) -> StaleBasis:
    """The refusal, in the words every page uses: who changed the `thing` (a model's verbose name),
    when, and `what` changed (a clause)."""
    when = said_when(at)
    if already_done:
        return StaleBasis(
            _(
                "This was already done at %(when)s (the form was sent twice): %(what)s. Nothing more was changed."
            )
            % {"when": when, "what": what},
            already_done=True,
        )
    if who:
        return StaleBasis(
            _(
                "This %(thing)s was changed by %(who)s at %(when)s since you opened this page: %(what)s. "
                "Check it and try again."
            )
            % {"thing": thing, "who": who, "when": when, "what": what}
        )
    return StaleBasis(
        _(
            "This %(thing)s was changed at %(when)s since you opened this page: %(what)s. Check it and try again."
        )
        % {"thing": thing, "when": when, "what": what}
    )


def ensure_basis(
    record: RecordT,
    expected_version: int | None,
    *,
    by: "Staff | None",
    describe: Callable[[Any, RecordT], str],
    done: Callable[[Any, RecordT], bool] | None = None,
) -> None:
    """Refuse a change to `record` (already locked by the caller) made on a version other than the
    current one. `describe(before, record)` says in a clause what changed since (`before` is the
    row at `expected_version`, or None); `done(before, record)` says whether the change since is
    what this request asks for. No `expected_version` (an API client that sent no If-Match, a job):
    nothing to check."""
    if expected_version is None or record.version == expected_version:
        return
    since = changes_since(record, expected_version)
    mine = by is not None and since.user_ids == {by.pk}
    raise stale_basis(
        thing=record._meta.verbose_name,
        who=_("you") if mine else since.who,
        at=since.at,
        what=describe(since.before, record),
        already_done=mine and done is not None and done(since.before, record),
    )


def joined(clauses: list[str]) -> str:
    return "; ".join(clauses)


class BasisField(forms.CharField):
    """The hidden version a form was shown from. Missing or garbled (a page from before this field,
    a hand-made request), it is refused with a message at the top of the form."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            raise ValidationError(
                gettext_lazy("This page is out of date. Go back, open it again and check what it shows."),
                code="no_basis",
            )
        return int(value)


class BasedOn(forms.Form):
    """A form that carries its basis (`basis`, the record's version when the page was shown)."""

    basis = BasisField()

    def _post_clean(self):
        # An error on a hidden field has nowhere to be shown: put it at the top of the form.
        super()._post_clean()
        if "basis" in self._errors:
            for error in self._errors.pop("basis"):
                self.add_error(None, error)


def based_form_page(
    request,
    *,
    form_class,
    record,
    reload: Callable[[], object],
    action: Callable[[dict, int], object],
    context: Callable[[object], dict],
    success_url: str,
    success_message: str,
    template: str,
    form_kwargs: Callable[[object], dict] | None = None,
    basis_of: Callable[[Any], int] = lambda record: record.version,
):
    """`iom_housing.pages.form_page` for a form with a basis. Refused as stale, the page shows the
    error in the summary with the record as it is now, the person's answers kept, and the basis
    moved on to now (so sending it again, having checked, is a new decision). The same form sent
    twice is answered with "already done" on the record's page, not a second change."""
    bound = request.method == "POST"
    kwargs = dict(form_kwargs(record)) if form_kwargs else {}
    if not bound:
        kwargs["initial"] = {**kwargs.get("initial", {}), "basis": basis_of(record)}
    form = form_class(request.POST if bound else None, **kwargs)
    if bound and form.is_valid():
        data = dict(form.cleaned_data)
        basis = data.pop("basis")
        try:
            action(data, basis)
        except StaleBasis as stale:
            if stale.already_done:
                messages.info(request, stale.messages[0])
                return redirect(success_url)
            form.add_error(None, stale)
            record = reload()
            form.data = form.data.copy()
            form.data["basis"] = str(basis_of(record))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return render(request, template, {**context(record), "form": form})
