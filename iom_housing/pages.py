"""The shape every action page shares: show a form, hand valid input to a service, show the
service's refusal next to the field, or confirm and move on."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property

from audit.access import saw
from iom_housing.security.log import security_event

PAGE_SIZE = 25


def form_page(
    request,
    *,
    form_class,
    action: Callable[[dict], object],
    context: dict,
    success_url: str,
    success_message: str,
    template: str = "form_page.html",
    form_kwargs: dict | None = None,
):
    bound = request.method == "POST"
    form = form_class(request.POST if bound else None, **(form_kwargs or {}))
    if bound and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return render(request, template, {**context, "form": form})


class CountedUpTo(Paginator):
    """A paginator that counts no further than `limit` rows (`more` says there are others): past
    that, counting is most of a page's cost (hundreds of thousands of referrals), and nobody
    pages so far; they filter or search."""

    def __init__(self, object_list, per_page, limit: int):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def _found(self) -> int:
        return self.object_list[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._found, self.limit)

    @property
    def more(self) -> bool:
        return self._found > self.limit


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count_up_to: int | None = None):
    """One page of a list; the count and the rows are two queries whatever the length. The rows
    are fetched here, so that a logged page records the people it lists (`audit.access`)."""
    if count_up_to is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CountedUpTo(queryset, per_page, count_up_to)
    page = paginator.get_page(request.GET.get("page"))
    saw(people=page.object_list)
    return page


def found_or_404(select: Callable, **lookup):
    """The record a scoped selector finds, or 404: a record the user may not see does not exist
    for them (its existence must not leak through a 403)."""
    try:
        record = select(**lookup)
    except ObjectDoesNotExist:
        security_event(
            "access_refused",
            status=404,
            selector=select.__name__,
            lookup={key: str(value) for key, value in lookup.items() if key != "user"},
            **({"user": lookup["user"]} if "user" in lookup else {}),
        )
        raise Http404 from None
    saw(record)
    return record
