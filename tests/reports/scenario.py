"""A hand-built scheme for March 2026 whose every figure is worked out by hand below.

Two properties, each with one bedspace:
  Alpha House (Ceredigion) £70 a week, turnaround 2 working days;  bedspace B1
  Beta Flat   (Powys)      £140 a week, no turnaround;             bedspace B2

Stays (arrival → departure, nights are [arrival, departure)):
  S1  Ann     B1  20 Feb → Wed 11 Mar  social rent, planned move-on   1 term, tier T1
  S2  Bea     B1  20 Mar → (still there)                              1 term
  S3  Ann     B2  11 Mar → 10 Apr     custody, recalled               2 terms, tier T2
  S4  Col     B2   1 Feb →  5 Mar     no fixed abode, evicted         2 terms
  Ann is placed twice (S3 starts the day S1 ends); S2 and S3 cross the period's end, S1 and S4
  its start. S1's turnaround is Thu 12 and Fri 13 March (free from Sat 14), so its turnaround
  nights are 11, 12 and 13 March; a void on B1 from 12 to 15 March (4 nights) lies partly inside it.

Period 1–31 March 2026 (31 nights, 62 bedspace-nights); the report is made on 23 November 2026.

Nights in March: S1 1–10 = 10, S2 20–31 = 12, S3 11–31 = 21, S4 1–4 = 4; occupied 47 (B1 22, B2 25).
  B1: 22 occupied + 4 void + 1 turnaround (the 11th; 12 and 13 are void) + 4 empty (16–19) = 31.
  B2: 25 occupied + 6 empty (5–10) = 31.  Other empty = 10.
  Occupancy: Alpha 22 / (31 − 4) = 81.5%, Beta 25 / 31 = 80.6%, all 47 / 58 = 81.0%.
Placements in the period 4, started 2 (S2, S3), ended 2 (S1, S4), people 3 (Ann, Bea, Col).
Length of stay of those ended: S1 19 nights, S4 32 → mean 25.5, median 25.5; renewals 0 and 1
  → 0.5 a placement; more than 28 nights: 1 (50%), more than 56: 0.
Move-on: settled or permanent 1 (50%), homeless (no fixed abode) 1; reasons: planned move-on 1, eviction 1.

Referrals submitted in March: R1 (Ann, 2 Mar, accepted 4 Mar, arrived S3 11 Mar), R2 (Bea, 10 Mar,
  accepted 16 Mar, arrived S2 20 Mar), R3 (Dyfrig, 15 Mar, declined 16 Mar: risk), R4 (Eluned, 20 Mar,
  withdrawn), R5 (Ffionnuala, 25 Mar, waiting). R6 (Col, 10 Jan) is before the period.
  Received 5: accepted 2, declined 1, withdrawn 1, waiting 1. Days to decision 2, 6, 1 → median 2;
  to arrival 9, 10 → median 9.5.

Offending (arrests and cautions): Ann arrest 1 Jun 2025 (+ a charge, not counted), arrest 5 Mar
  2026 (in S1); Col caution 1 Dec 2025, caution 2 Mar 2026 (in S4), arrest 1 May 2026; Bea arrest
  15 Apr 2026 (in S2, after the period).
  During placement in March: Ann and Col → 2 of 3 people.
  Leavers (a stay ended in March): Ann (last departure 11 Mar, first arrival 20 Feb) and Col (5 Mar,
  1 Feb). Follow-up counts days at risk (not in custody, not in a stay; issue 16 changed these
  figures by hand): Ann's S3 arrived the day S1 ended, so her follow-up ended at once (placed
  again; she was then recalled on 9 Apr and is in custody to the report day). Col is at risk
  5 Mar → 23 Nov = 263 days. 3 and 6 months (91, 182 days at risk): Col followed up, offended
  (1 May) → 1 of 1; Ann not followed up (placed again). 12 months (365): 0 followed up, 2 not yet.
  Before: Ann 1 (1 Jun 2025) in 365 days at risk; Col 1 (1 Dec 2025) in 242 (his recall of 1 Oct
  2025 has no release, so custody runs to his arrival on 1 Feb 2026: 123 days out) → 2 in 607
  days = 19.943 person-months → 0.1003 (was 2 / 24).
  During: 2 in 51 days = 1.6756 person-months → 1.1936. After: Col's 1 May in 0 + 263 days =
  8.641 person-months → 0.1157 (was 520 days: Ann's second stay and custody counted as at risk).
Compliance in March during a stay: a warning (Ann, 3 Mar), a breach (Col, 4 Mar); Ann's recall on
  9 Apr is after the period (Col's recall of 1 Oct 2025 is before his stay).
Visits: V1 probation to S1 on 2 Mar with DDAS jointly (2 h), V2 DDAS to S3 on 12 Mar (1.5 h), V3
  probation to S3 on 13 Mar cancelled, V4 probation to S2 on 25 Mar not in (0.5 h).
  By agency: probation 2, DDAS 2; placement-weeks 47 / 7 = 6.714 → 0.298 visits a week each.
  Complete weeks starting in March: S2 20 and 27 Mar, S3 11, 18 and 25 Mar (S1's and S4's start in
  February) = 5; with a visit: S2's first (V4) and S3's first (V2) = 2 (40%); without 3.
  Support hours: 2 + 1.5 + 0.5 = 4 delivered; expected S1 10/7 × 2.5 + S3 21/7 × 5 = 18.571 → 21.5%.
Cost: Alpha £70 × 31/7 = £310, Beta £140 × 31/7 = £620 → property £930 = total cost (funding is
  not a cost); per placement £930 / 4 = £232.50; per occupied night £930 / 47 = £19.79.
  Funding received (shown apart): £3,100 over 2026 → £3,100 × 31/365 = £263.2877; £500 from 15 Mar
  with no end, spread over its first 365 days → 15–31 Mar = 17 days → £500 × 17/365 = £23.2877;
  £1,000 starting 1 Apr → 0. Sum £286.5753 → £286.58.
Costs avoided: arrests before 1 (Ann's), during 1 → rate rises, 0 avoided. Recalls before 1 (Col's),
  during 0 → (1/24 − 0) × 1.6756 = 0.0698 recalls → × £4,800 = £335.11; custody nights 0.0698 × 28
  = 1.955 → × £140 = £273.68.
People at their first stay in March: Ann 35 at 20 Feb (35–44), Bea 26 (25–34), Col 55 (55+);
  male 2, female 1; white 1, mixed 1, not stated 1; needs: accommodation 3, drugs 1 (Ann's record:
  S1 had no referral), alcohol 1 (R2's needs).
Previous period 29 Jan – 28 Feb: started 2 (S4, S1), ended 0, people 2, nights 28 + 9 = 37 of 62
  (59.7%), referrals 0, total cost £930 (£70 × 31/7 + £140 × 31/7; funding not added).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from placements.models import Placement
from referrals.models import Ethnicity, Gender, Need, OffenderEvent, Referral
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    FundingFactory,
    HomeVisitFactory,
    LicenceTermFactory,
    OffenderEventFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyFactory,
    ReferralFactory,
    SupportPlanFactory,
    UnitCostFactory,
    VoidPeriodFactory,
)

START, END, TODAY = date(2026, 3, 1), date(2026, 3, 31), date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")
K = OffenderEvent.Kind


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _stay(offender, bedspace, arrived, departed=None, *, free_from=None, terms=1, referral=None, **ended):
    ends_on = departed or arrived + timedelta(days=28)
    placement = PlacementFactory(
        offender=offender,
        bedspace=bedspace,
        referral=referral,
        status=Placement.Status.ENDED if departed else Placement.Status.ACTIVE,
        starts_on=arrived,
        ends_on=ends_on,
        free_from=free_from or ends_on,
        arrived_on=arrived,
        departed_on=departed,
        **ended,
    )
    for number in range(terms):
        begins = arrived + timedelta(days=28 * number)
        LicenceTermFactory(
            placement=placement, number=number + 1, starts_on=begins, ends_on=begins + timedelta(days=28)
        )
    return placement


def build() -> dict:
    alpha = PropertyFactory(
        name="Alpha House", local_authority="Ceredigion", weekly_cost=Decimal("70"), turnaround_days=2
    )
    beta = PropertyFactory(
        name="Beta Flat", local_authority="Powys", weekly_cost=Decimal("140"), turnaround_days=0
    )
    b1, b2 = BedspaceFactory(property=alpha, label="Flat 1"), BedspaceFactory(property=beta, label="Flat 1")

    ann = OffenderFactory(
        first_name="Annwen",
        last_name="Zephaniah-Quill",
        date_of_birth=date(1990, 6, 15),
        gender=Gender.MALE,
        ethnicity=Ethnicity.WHITE_BRITISH,
        needs=[Need.ACCOMMODATION, Need.DRUGS],
        pnc_id="2001/0000001Q",
        crn="Q000001",
        prison_number="Q1234QQ",
    )
    bea = OffenderFactory(
        first_name="Beatrix",
        last_name="Vandersloot",
        date_of_birth=date(2000, 1, 10),
        gender=Gender.FEMALE,
        ethnicity=Ethnicity.MIXED_WHITE_ASIAN,
        needs=[Need.ACCOMMODATION],
        pnc_id="2002/0000002Q",
        crn="Q000002",
    )
    col = OffenderFactory(
        first_name="Colwyn",
        last_name="Ffyrnig-Barlow",
        date_of_birth=date(1970, 3, 5),
        gender=Gender.MALE,
        ethnicity=Ethnicity.NOT_STATED,
        needs=[Need.ACCOMMODATION],
        pnc_id="2003/0000003Q",
        crn="Q000003",
    )
    others = [
        OffenderFactory(
            first_name=name, last_name="Quorndon", pnc_id=f"2004/000000{i}Q", crn=f"Q00000{i + 4}"
        )
        for i, name in enumerate(["Dyfrig", "Eluned", "Ffionnuala"])
    ]

    probation = AgencyFactory(name="Probation")
    ddas = AgencyFactory(name="DDAS", kind="drug_alcohol")

    def referral(offender, day, status, decided=None, **extra):
        return ReferralFactory(
            offender=offender,
            referring_agency=probation,
            status=status,
            submitted_at=at(day),
            decided_at=at(decided) if decided else None,
            **extra,
        )

    r1 = referral(ann, date(2026, 3, 2), Referral.Status.ACCEPTED, date(2026, 3, 4))
    r2 = referral(
        bea,
        date(2026, 3, 10),
        Referral.Status.ACCEPTED,
        date(2026, 3, 16),
        needs=[Need.ACCOMMODATION, Need.ALCOHOL],
    )
    referral(
        others[0],
        date(2026, 3, 15),
        Referral.Status.DECLINED,
        date(2026, 3, 16),
        decline_reason=Referral.DeclineReason.RISK_TOO_HIGH,
    )
    referral(others[1], date(2026, 3, 20), Referral.Status.WITHDRAWN, date(2026, 3, 21))
    referral(others[2], date(2026, 3, 25), Referral.Status.SUBMITTED)
    r6 = referral(col, date(2026, 1, 10), Referral.Status.ACCEPTED, date(2026, 1, 12), needs=[])

    s1 = _stay(
        ann,
        b1,
        date(2026, 2, 20),
        date(2026, 3, 11),
        free_from=date(2026, 3, 14),
        destination="social_rent",
        departure_reason="planned_move_on",
    )
    s2 = _stay(bea, b1, date(2026, 3, 20), referral=r2)
    s3 = _stay(
        ann,
        b2,
        date(2026, 3, 11),
        date(2026, 4, 10),
        terms=2,
        referral=r1,
        destination="custody",
        departure_reason="recalled",
    )
    s4 = _stay(
        col,
        b2,
        date(2026, 2, 1),
        date(2026, 3, 5),
        terms=2,
        referral=r6,
        destination="no_fixed_abode",
        departure_reason="eviction",
    )
    VoidPeriodFactory(bedspace=b1, starts_on=date(2026, 3, 12), ends_on=date(2026, 3, 16))
    SupportPlanFactory(placement=s1, tier="t1")
    SupportPlanFactory(placement=s3, tier="t2")

    for offender, kind, day in [
        (ann, K.ARREST, date(2025, 6, 1)),
        (ann, K.CHARGE, date(2025, 6, 2)),
        (ann, K.ARREST, date(2026, 3, 5)),
        (col, K.CAUTION, date(2025, 12, 1)),
        (col, K.CAUTION, date(2026, 3, 2)),
        (col, K.ARREST, date(2026, 5, 1)),
        (bea, K.ARREST, date(2026, 4, 15)),
        (ann, K.LICENCE_WARNING, date(2026, 3, 3)),
        (col, K.LICENCE_BREACH, date(2026, 3, 4)),
        (ann, K.RECALL, date(2026, 4, 9)),
        (col, K.RECALL, date(2025, 10, 1)),
    ]:
        OffenderEventFactory(
            offender=offender,
            kind=kind,
            occurred_on=day,
            offence_category="theft" if kind in OffenderEvent.OFFENDING_KINDS else "",
            notes=f"Seen by {offender.first_name} at home",
        )

    v1 = HomeVisitFactory(
        placement=s1, agency=probation, visited_at=at(date(2026, 3, 2), 10), support_hours=Decimal("2")
    )
    v1.other_agencies.add(ddas)
    HomeVisitFactory(
        placement=s3, agency=ddas, visited_at=at(date(2026, 3, 12)), support_hours=Decimal("1.5")
    )
    HomeVisitFactory(
        placement=s3,
        agency=probation,
        visited_at=at(date(2026, 3, 13)),
        outcome="cancelled",
        support_hours=Decimal("0"),
    )
    HomeVisitFactory(
        placement=s2,
        agency=probation,
        visited_at=at(date(2026, 3, 25)),
        outcome="not_in",
        support_hours=Decimal("0.5"),
    )

    FundingFactory(amount=Decimal("3100"), starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    FundingFactory(name="Match", amount=Decimal("500"), starts_on=date(2026, 3, 15), ends_on=None)
    FundingFactory(name="Later", amount=Decimal("1000"), starts_on=date(2026, 4, 1), ends_on=None)
    UnitCostFactory(key="recall", name="Recall to custody", central=Decimal("4800"), unit="recall")
    UnitCostFactory(key="custody-night", name="A night in custody", central=Decimal("140"), unit="night")
    UnitCostFactory(key="arrest", name="Arrest", central=Decimal("780"), unit="arrest")
    return {"people": [ann, bea, col, *others], "stays": [s1, s2, s3, s4]}
