"""The registry of report figures: what a report is about (`Scope`), the sections, and each
metric's title, definition and computation, registered once with `@metric`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    """What a report is about: the period [start, end), an optional local authority area, and the
    day the report is made (stays not yet ended run to it; follow-up windows must end by it)."""

    start: date
    end: date  # exclusive
    area: str | None
    today: date
    # The first day a trend may show (the published version's trends stay within its financial
    # year, the reports suppressed together); None: a year back, as usual.
    earliest: date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def params(self) -> dict:
        return {"s": self.start, "e": self.end, "today": self.today, "area": self.area or None}


@dataclass(frozen=True)
class Metric:
    key: str
    section: str
    title: str
    definition: str
    compute: Callable
    chart: str | None = None
    # The versions that carry it: "all" of them, or only one ("officer": the named, operational
    # rows; "evaluation": the pseudonymised person rows).
    audience: str = "all"
    area_title: str | None = None  # the title when one area is chosen, if the table differs
    # The sums a reader knows its counts take part in across reports: "time" (months add up to
    # quarters and years), "area" (areas add up to all areas); a column or row may say otherwise.
    additive_over: frozenset = frozenset()

    def in_version(self, audience: str) -> bool:
        return self.audience in ("all", audience)


SECTIONS = {
    "trends": _("Trends"),
    "referrals": _("Referrals"),
    "placements": _("Placements and occupancy"),
    "move_on": _("Move-on"),
    "reoffending": _("Reoffending"),
    "compliance": _("Licence compliance"),
    "engagement": _("Multi-agency engagement"),
    "cost": _("Cost"),
    "people": _("People"),
    "comparison": _("Comparison with the previous period"),
    "properties": _("Properties"),
    "case_review": _("Placements for case review"),
}

# In the order the metrics are registered (the section modules' import order, reports/metrics/
# __init__.py): the order they are computed, suppressed and shown in.
REGISTRY: dict[str, Metric] = {}


def joined(*parts) -> str:
    """Messages joined into one that is translated when read, not when its module is imported
    (`+` on lazy messages would fix them in the language active at import: English)."""
    return format_lazy("{}" * len(parts), *parts)


def interpolated(message, values: dict) -> str:
    """`message % values`, translated when read (see `joined`)."""
    return lazy(lambda: str(message) % values, str)()


def metric(
    key: str,
    section: str,
    title,
    definition,
    chart: str | None = None,
    audience: str = "all",
    area_title=None,
    additive_over=(),
):
    def register(compute):
        REGISTRY[key] = Metric(
            key, section, title, definition, compute, chart, audience, area_title, frozenset(additive_over)
        )
        return compute

    return register
