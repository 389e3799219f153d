"""Every figure of the evaluation report, each defined once: a title, the definition shown under it
in every format, and the database query that computes it (aggregates only: no loop over rows).

- `registry`: `Scope`, `Metric`, `SECTIONS`, `REGISTRY` and the `@metric` decorator.
- `sql` and `facts`: the facts layer, raw SQL over a temporary table of the scope's stays, with
  table names from the models' `_meta` and model choices passed as parameters.
- `figures`: small helpers the sections share (money, ratios, tables of counts by group).
- `trends`: monthly series (one query a series over a generate_series of months).
- One module per report section, each registering its metrics when imported: below, in the
  report's order (the order the figures are computed, suppressed and shown in).

How a report is put together from them, on one connection or two, is reports/builder.py
(docs/adr/009-report-snapshot-build.md).
"""

# Importing a section's module registers its metrics, so these stay in the report's order (the
# order the figures are computed, suppressed and shown in), not sorted: tests/reports/
# test_metrics_package.py checks it.
# isort: off
from reports.metrics import trends  # noqa: F401
from reports.metrics import referrals, placements, move_on, moveon_plans, aftercare, reoffending  # noqa: F401
from reports.metrics import comparison_group, compliance, licence  # noqa: F401
from reports.metrics import engagement, cost, people, properties, case_review, previous_period  # noqa: F401

# isort: on
from reports.metrics.facts import Facts
from reports.metrics.previous_period import COMPARISON_METRICS, comparison
from reports.metrics.registry import REGISTRY, SECTIONS, Metric, Scope, metric
from reports.metrics.sql import LOCAL_ZONE  # named in audit/migrations/0005

__all__ = [
    "COMPARISON_METRICS",
    "LOCAL_ZONE",
    "REGISTRY",
    "SECTIONS",
    "Facts",
    "Metric",
    "Scope",
    "comparison",
    "metric",
]
