"""People's outcomes (reports/metrics/outcomes.py): time at risk, custody, follow-up, the PROP
cohort measures and the pseudonymised rows, against a scenario worked out by hand.

Period February 2028 (1–29 Feb, a leap year); the report is made on Mon 4 Sep 2028.

  P  S1 1 Jan → Tue 29 Feb 2028 (departs on the period's last day, 29 Feb), S2 29 Apr → (active):
     placed twice, the second stay two months after the first ends. Caution 31 Dec 2026 (a day
     before the before-window [1 Jan 2027, 1 Jan 2028): not counted), caution 1 Jan 2027 (its
     first day: counted). Arrest 28 Apr 2028 (the last day before S2: after), arrest 29 Apr
     (S2's arrival day: during S2, not after).
     Follow-up from 29 Feb ends at S2's arrival: at risk [29 Feb, 29 Apr) = 1 + 31 + 28 = 60 days,
     never 91: not followed up, placed again. Before: 1 offence in 365 days at risk.
  Q  S 1 Jan → 5 Feb 2028, social rent. Recall 15 Feb (day 10 after leaving), release 15 Jun
     (4 months later): custody [15 Feb, 15 Jun) = 15 + 31 + 30 + 31 + 14 = 121 days. At risk
     [5 Feb, 15 Feb) = 10 days, then from 15 Jun: the 91st day at risk is 15 Jun + 80 = 3 Sep, so
     the 3-month window is complete on 4 Sep, the report day (followed up; with the report on
     3 Sep it is not yet). Arrest 3 Sep (the window's last day): offended within 3 months. (By
     the calendar, 5 Feb + 3 months = 5 May, while he was in custody: the old "did not reoffend".)
     6 months: 91 days at risk of 182: not yet.
  T  S 1 Jan → 10 Feb 2028. Caution 10 Feb (the departure day, the first day after leaving: after,
     not during). At risk [10 Feb, 4 Sep) = 20 + 31 + 30 + 31 + 30 + 31 + 31 + 3 = 207 days:
     3 months complete 11 May (offended), 6 months complete 10 Aug (offended), 12 not yet.

Leavers 3. 3 months: followed 2 (Q, T), offended 2, not yet 1 (P, placed again 1).
6 months: followed 1 (T), offended 1. 12 months: followed 0.
After: offences 3 (P 28 Apr, Q 3 Sep, T 10 Feb) in 60 + 91 + 207 = 358 days at risk.
Custody since joining (1 Jan 2028): Q 121 days. Arrests since joining: P 2, Q 1, T 0 → not
arrested since joining 1 (T). Before: offences 1 (P's), days at risk 365 × 3 = 1,095.
"""

from datetime import date, timedelta

import pytest
from django.core.checks import Error
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from iom_housing.checks import check_report_pseudonym_key
from referrals.models import OffenderEvent
from reports.metrics.facts import Facts
from reports.metrics.registry import REGISTRY, Scope
from reports.pseudonyms import pseudonym
from tests.factories import BedspaceFactory, OffenderEventFactory, OffenderFactory
from tests.reports.scenario import _stay

pytestmark = pytest.mark.django_db
K = OffenderEvent.Kind
START, END, TODAY = date(2028, 2, 1), date(2028, 3, 1), date(2028, 9, 4)


def _event(offender, kind, day):
    OffenderEventFactory(
        offender=offender,
        kind=kind,
        occurred_on=day,
        offence_category="theft" if kind in (K.ARREST, K.CAUTION) else "",
    )


@pytest.fixture
def people():
    p, q, t = OffenderFactory(), OffenderFactory(), OffenderFactory()
    jan1 = date(2028, 1, 1)
    _stay(
        p,
        BedspaceFactory(),
        jan1,
        date(2028, 2, 29),
        destination="temporary",
        departure_reason="licence_ended",
    )
    _stay(p, BedspaceFactory(), date(2028, 4, 29))
    _stay(
        q,
        BedspaceFactory(),
        jan1,
        date(2028, 2, 5),
        destination="social_rent",
        departure_reason="planned_move_on",
    )
    _stay(
        t,
        BedspaceFactory(),
        jan1,
        date(2028, 2, 10),
        destination="family",
        departure_reason="planned_move_on",
    )
    for offender, kind, day in [
        (p, K.CAUTION, date(2026, 12, 31)),
        (p, K.CAUTION, date(2027, 1, 1)),
        (p, K.ARREST, date(2028, 4, 28)),
        (p, K.ARREST, date(2028, 4, 29)),
        (q, K.RECALL, date(2028, 2, 15)),
        (q, K.RELEASE, date(2028, 6, 15)),
        (q, K.ARREST, date(2028, 9, 3)),
        (t, K.CAUTION, date(2028, 2, 10)),
    ]:
        _event(offender, kind, day)
    return {"P": p, "Q": q, "T": t}


def _facts(today=TODAY):
    return Facts(Scope(START, END, None, today))


def test_follow_up_counts_time_at_risk(people):
    with transaction.atomic(), _facts() as facts:
        rows = {r["offender_id"]: r for r in facts.person_outcomes}
        f = facts.leavers
    p, q, t = (rows[people[k].pk] for k in "PQT")
    assert (p["risk_days"], p["placed_again"], p["complete_3"], p["after"]) == (60, True, None, 1)
    assert (p["before"], p["before_days"]) == (1, 365)
    assert (q["custody_days"], q["risk_days"], q["complete_3"], q["offended_3"]) == (121, 91, TODAY, True)
    assert q["complete_6"] is None
    assert (t["risk_days"], t["complete_3"], t["complete_6"]) == (207, date(2028, 5, 11), date(2028, 8, 10))
    assert (t["after"], t["during"], t["offended_6"]) == (1, 0, True)
    assert f["people"] == 3 and f["placed_again"] == 1
    assert (f["followed_3"], f["offended_3"], f["followed_6"], f["offended_6"], f["followed_12"]) == (
        2,
        2,
        1,
        1,
        0,
    )
    assert (f["after"], f["after_days"], f["before"], f["before_days"]) == (3, 358, 1, 1095)


def test_a_window_completes_on_the_report_day_not_before(people):
    with transaction.atomic(), _facts(date(2028, 9, 3)) as facts:
        q = next(r for r in facts.person_outcomes if r["offender_id"] == people["Q"].pk)
    assert (q["risk_days"], q["complete_3"], q["offended_3"]) == (90, None, False)


def test_cohort_measures_and_follow_up_tables(people):
    scope = Scope(START, END, None, TODAY)
    with transaction.atomic(), Facts(scope) as facts:
        cohort = {r.label: r.values for r in REGISTRY["cohort_measures"].compute(scope, facts).rows}
        after = {r.label: r.values for r in REGISTRY["offending_after"].compute(scope, facts).rows}
    assert cohort["Cohort size"]["count"] == 3
    assert cohort["People not arrested since joining"]["count"] == 1
    assert cohort["Arrests since joining"]["count"] == 3
    assert cohort["Months in custody since joining"]["months"] == pytest.approx(121 / (365.25 / 12))
    assert after["Within 3 months"] | {} == {
        "left": 3, "followed": 2, "waiting": 1, "placed_again": 1, "offended": 2, "share": 1.0,
    }  # fmt: skip


def test_person_rows_are_pseudonymised_and_add_up(people):
    scope = Scope(START, END, None, TODAY)
    with transaction.atomic(), Facts(scope) as facts:
        table = REGISTRY["person_outcomes"].compute(scope, facts)
        leavers = facts.leavers
    assert REGISTRY["person_outcomes"].audience == "evaluation" and table.people == []
    labels = {r.label for r in table.rows}
    assert labels == {pseudonym(people[k].pk) for k in "PQT"}
    assert all(len(label) == 12 and label.startswith("P-") for label in labels)
    values = [r.values for r in table.rows]
    assert {v["first_month"] for v in values} == {"2028-01"}
    assert sum(v["followed_3"] == "Yes" for v in values) == leavers["followed_3"]
    assert sum(v["offended_3"] == "Yes" for v in values) == leavers["offended_3"]
    assert sum(v["after"] for v in values) == leavers["after"]
    text = repr(values)
    for person in people.values():
        assert person.last_name not in text and person.pnc_id not in text and person.crn not in text


def test_the_page_and_pdf_show_the_first_person_rows_and_the_downloads_all(people, monkeypatch):
    """With room for 2 rows on the page (200 in the service), the page's table has 2 and says so;
    the CSV and spreadsheet keep all 3."""
    from reports.metrics import reoffending
    from reports.render import metric_view

    monkeypatch.setattr(reoffending, "PERSON_ROWS_SHOWN", 2)
    scope = Scope(START, END, None, TODAY)
    with transaction.atomic(), Facts(scope) as facts:
        table = REGISTRY["person_outcomes"].compute(scope, facts)
    metric = type("Result", (), {"table": table, "key": "person_outcomes", "title": "", "definition": ""})
    monkeypatch.setattr("reports.render.chart_for", lambda metric, threshold: "")
    view = metric_view(metric, threshold=5)
    assert len(view.rows) == 2 and view.note.startswith("The first 2 of 3 rows are shown here.")
    assert view.wide  # its 17 columns go on landscape pages in the PDF
    assert [row[1][1] for row in view.rows] == [str(r.values["nights"]) for r in table.rows[:2]]  # whole
    assert len(table.rows) == 3  # what the CSV and the spreadsheet write


def test_pseudonym_is_keyed_and_stable():
    assert pseudonym(7, "k" * 40) == pseudonym(7, "k" * 40) != pseudonym(7, "j" * 40)
    assert pseudonym(7, "k" * 40) != pseudonym(8, "k" * 40)


def test_production_needs_a_long_pseudonym_key():
    with override_settings(DEBUG=False, REPORT_PSEUDONYM_KEY="short"):
        assert [type(e) for e in check_report_pseudonym_key()] == [Error]
    with override_settings(DEBUG=False, REPORT_PSEUDONYM_KEY="x" * 32):
        assert check_report_pseudonym_key() == []
    with override_settings(DEBUG=True, REPORT_PSEUDONYM_KEY=""):
        assert check_report_pseudonym_key() == []


# A random person: one or two stays (arrival offset, nights, gap to the second stay or None,
# reason for leaving the first) and events (kind, day offset from 1 Apr 2026).
random_person = st.tuples(
    st.integers(0, 60),
    st.integers(1, 60),
    st.one_of(st.none(), st.integers(0, 120)),
    st.sampled_from(["planned_move_on", "recalled", "arrested", "eviction"]),
    st.lists(
        st.tuples(st.sampled_from([K.ARREST, K.CAUTION, K.RECALL, K.RELEASE]), st.integers(-400, 500)),
        max_size=6,
    ),
)


@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(random_person, min_size=1, max_size=4), st.integers(0, 500))
def test_outcome_invariants_over_random_histories(histories, report_after):
    """Whatever the history: time at risk never exceeds the time observed, followed ≤ left,
    offended ≤ followed, a longer window is followed up no more often than a shorter one, no
    figure is negative, and the person-level rows add up to the tables."""
    start, end = date(2026, 5, 1), date(2026, 6, 1)
    today = end + timedelta(days=report_after)
    with transaction.atomic():
        for offset, nights, gap, reason, events in histories:
            person = OffenderFactory()
            arrived = date(2026, 4, 1) + timedelta(days=offset)
            departed = arrived + timedelta(days=nights)
            destination = "custody" if reason in ("recalled", "arrested") else "temporary"
            _stay(
                person, BedspaceFactory(), arrived, departed, destination=destination, departure_reason=reason
            )
            if gap is not None and departed + timedelta(days=gap) < today:
                again = departed + timedelta(days=gap)
                _stay(person, BedspaceFactory(), again, again + timedelta(days=20), destination="temporary",
                      departure_reason="planned_move_on")  # fmt: skip
            for kind, day in events:
                _event(person, kind, date(2026, 4, 1) + timedelta(days=day))
        scope = Scope(start, end, None, today)
        with Facts(scope) as facts:
            rows = facts.person_outcomes
            f = facts.leavers
            table = REGISTRY["person_outcomes"].compute(scope, facts)
            after = REGISTRY["offending_after"].compute(scope, facts)
            cohort = REGISTRY["cohort_measures"].compute(scope, facts)
        for r in rows:
            assert all(v is None or not isinstance(v, int) or v >= 0 for v in r.values())
            assert r["custody_days"] <= r["since_days"]
            assert r["before_days"] <= 366
            if r["left_on"] is not None:
                assert r["risk_days"] <= (r["observed_to"] - r["left_on"]).days
                assert r["after_days"] <= 365
                for m in (3, 6, 12):
                    if r[f"complete_{m}"] is not None:
                        assert r["left_on"] < r[f"complete_{m}"] <= today
                    assert not r[f"offended_{m}"] or r[f"complete_{m}"] is not None
        assert f["people"] >= f["followed_3"] >= f["followed_6"] >= f["followed_12"] >= 0
        for m in (3, 6, 12):
            assert 0 <= f[f"offended_{m}"] <= f[f"followed_{m}"]
        for row in after.rows:
            assert row.values["followed"] + row.values["waiting"] == row.values["left"]
            assert row.values["placed_again"] <= row.values["waiting"]
        for row in (*after.rows, *cohort.rows):
            assert all(v is None or isinstance(v, str) or v >= 0 for v in row.values.values())
        values = [r.values for r in table.rows]
        assert len(values) == len(rows) == cohort.rows[0].values["count"]
        assert sum(v["followed_3"] == "Yes" for v in values) == f["followed_3"]
        assert sum(v["offended_12"] == "Yes" for v in values) == f["offended_12"]
        assert sum(v["before"] for v in values) == sum(r["before"] for r in rows)
        transaction.set_rollback(True)


def test_comparison_group_follows_from_the_decision_day():
    """The March 2026 scenario (tests/reports/scenario.py, report made 23 Nov 2026) and Gwil,
    accepted on Fri 20 Mar 2026 and never placed, arrested on 1 Jun 2026.
    Not placed for want of a bedspace: Gwil only (R1 and R2 arrived; R6 was decided in January).
    At risk [20 Mar, 23 Nov) = 12 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 22 = 248 days: 3 months
    complete 19 Jun (offended: 1 Jun), 6 months complete 18 Sep (offended), 12 not yet.
    Declined: Dyfrig (R3, decided 16 Mar): [16 Mar, 23 Nov) = 252 days, no offence: followed up
    at 3 and 6 months, none offended."""
    from reports.metrics.comparison_group import comparison_group
    from tests.factories import ReferralFactory
    from tests.reports import scenario

    scenario.build()
    gwil = OffenderFactory()
    ReferralFactory(offender=gwil, status="accepted", submitted_at=scenario.at(date(2026, 3, 18)),
                    decided_at=scenario.at(date(2026, 3, 20)))  # fmt: skip
    _event(gwil, K.ARREST, date(2026, 6, 1))
    scope = Scope(scenario.START, date(2026, 4, 1), None, scenario.TODAY)
    with transaction.atomic(), Facts(scope) as facts:
        rows = {r.label: r.values for r in comparison_group(scope, facts).rows}
    month = 365.25 / 12
    bed = rows["Not placed for want of a bedspace: within 3 months"]
    assert (bed["people"], bed["followed"], bed["offended"], bed["offences"]) == (1, 1, 1, 1)
    assert bed["rate"] == pytest.approx(1 / (248 / month))
    assert rows["Not placed for want of a bedspace: within 6 months"]["offended"] == 1
    assert rows["Not placed for want of a bedspace: within 12 months"]["followed"] == 0
    declined = rows["Declined: within 6 months"]
    assert (declined["people"], declined["followed"], declined["offended"]) == (1, 1, 0)
    assert declined["months"] == pytest.approx(252 / month)
