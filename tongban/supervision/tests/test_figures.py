"""Every figure against a scenario computed by hand (docs/supervision.md has the definitions).

The November scenario, all on 2026-11-26 (a Thursday; the clock is frozen there):

| person | insured | accepted at | how | applications (channel) |
|---|---|---|---|---|
| P1 | Sanya | Haikou Longhua | window | registration, UI benefit (window); transfer (automatic) |
| P2 | Sanya | Haikou Longhua | Alipay | registration, UI benefit (alipay); transfer (automatic) |
| P4 | Haikou | Haikou Longhua | portal | registration, UI benefit (portal) |
| P5 | Sanya | Sanya Jiyang | gov site | UI benefit alone (gov_site): not registered, so rejected |
| P6 | Haikou | Haikou Longhua | window | UI certificate (window): returned, resubmitted, open |
| P7 | Haikou | Haikou Longhua | Alipay | UI certificate (alipay): completed by the system |

11 applications; 2 automatic. Online 6 (P2 ×2, P4 ×2, P5, P7) of all 11: **6/11**.
Paying items: the four UI benefit claims; accepted in another region than insured: P1, P2 →
cross-region share **2/4 = 1/2**. Decided: 10 (all but P6's certificate), all on time.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tongban.benefits.payrun import payrun_execute
from tongban.cases.models import Application
from tongban.cases.services import application_resubmit
from tongban.cases.statistics import Selection, Work, first_payments, stage_totals
from tongban.core.testing import TEST_ACTOR
from tongban.ledger import postings
from tongban.ledger.services import EntrySpec, entries_post_many
from tongban.regions.models import Office, Region
from tongban.supervision.figures import headline, matrix, outcomes, time_figures
from tongban.supervision.funds import fund_figures
from tongban.supervision.period import Period
from tongban.supervision.scope import insured_view, office_view, province_view, region_view
from tongban.supervision.tests.scenario import (
    assert_tallies_match_recomputation,
    bundle,
    caseworker,
    claimant,
    decide,
    online,
    submit,
    window,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 26)
NOVEMBER = Period(date(2026, 11, 1), DAY)


@pytest.fixture
def people(db):
    return {
        "hk_acceptor": caseworker("hk_acceptor", "haikou-longhua", ["acceptor"]),
        "hk_reviewer": caseworker("hk_reviewer", "haikou-agency", ["acceptor", "reviewer"]),
        "sy_reviewer": caseworker("sy_reviewer", "sanya-agency", ["acceptor", "reviewer"]),
        "sy_acceptor": caseworker("sy_acceptor", "sanya-jiyang", ["acceptor"]),
    }


@pytest.fixture
def november(people):
    """The scenario of the module docstring, walked through the services."""
    s = people
    p1 = claimant(insured="460200", elsewhere="460100")
    p2 = claimant(insured="460200", elsewhere="460100")
    p4 = claimant(insured="460100")
    p5 = claimant(insured="460200", lives="460200")
    p6 = claimant(insured="460100")
    p7 = claimant(insured="460100")
    one = bundle(window(s["hk_acceptor"]), p1, DAY)
    two = bundle(online(p2, "alipay", "haikou-longhua"), p2, DAY)
    four = bundle(online(p4, "portal", "haikou-longhua"), p4, DAY)
    five = submit(online(p5, "gov_site", "sanya-jiyang"), p5, "ui_benefit", DAY)
    six = submit(window(s["hk_acceptor"]), p6, "ui_certificate", DAY)
    seven = submit(online(p7, "alipay", "haikou-longhua"), p7, "ui_certificate", DAY)
    # P1 at the window: Haikou does both initial reviews; Sanya re-reviews the claim.
    decide(s["hk_acceptor"], one["unemployment_registration"], DAY)
    decide(s["hk_acceptor"], one["ui_benefit"], DAY)
    decide(s["sy_reviewer"], one["ui_benefit"], DAY)
    # P2 and P4 online: the system did the registrations' initial reviews; the claims pay
    # money, so Longhua's caseworker reviews them first; then the agencies re-review.
    decide(s["hk_acceptor"], two["ui_benefit"], DAY)
    decide(s["hk_acceptor"], four["ui_benefit"], DAY)
    decide(s["sy_reviewer"], two["ui_benefit"], DAY)
    decide(s["hk_reviewer"], four["ui_benefit"], DAY)
    # P5 never registered as unemployed: Sanya Jiyang rejects. P6's certificate is returned
    # for a correction and resubmitted: open again, in Longhua's queue.
    decide(s["sy_acceptor"], five, DAY, "reject", ["未办理失业登记"])
    decide(s["hk_acceptor"], six, DAY, "return", ["请核对姓名"])
    application_resubmit(actor=TEST_ACTOR, reference=six.reference, person_id_number=None,
                         as_of=DAY)  # fmt: skip
    return {"one": one, "two": two, "four": four, "five": five, "six": six, "seven": seven}


def test_the_headline_figures_of_the_november_scenario(november):
    statuses = {a.item_code + ":" + a.channel: a.status for a in Application.objects.order_by("id")}
    assert november["two"]["unemployment_registration"].status == "completed"  # system review
    figures = headline(period=NOVEMBER, view=province_view())
    totals = figures.totals
    assert totals.applications == 11, statuses
    assert totals.automatic == 2
    assert totals.online == 6
    assert totals.online_share == Decimal("0.5455")  # 6 of 11, four decimals half-up
    assert (figures.cross_region, figures.routed) == (2, 4)
    assert figures.cross_region_share == Decimal("0.5")
    # Decided: registrations ×3, transfers ×2 and P7's certificate completed, claims of P1,
    # P2, P4 approved, P5 rejected — 10, all on the day they were due or earlier.
    assert (totals.granted, totals.rejected, totals.open, totals.withdrawn) == (9, 1, 1, 0)
    assert (totals.decided, totals.on_time) == (10, 10)
    assert totals.on_time_share == Decimal("1")
    items = {item.code: counts for item, counts in figures.by_item}
    claims = items["ui_benefit"]
    assert (claims.applications, claims.approved, claims.rejected, claims.open) == (4, 3, 1, 0)
    certificates = items["ui_certificate"]
    assert (certificates.applications, certificates.granted, certificates.open) == (2, 1, 1)
    assert certificates.initial_review == 1
    assert items["ui_transfer"].automatic == 2
    assert_tallies_match_recomputation()


def test_the_matrix_and_the_views_of_a_region_and_an_office(november):
    ids = dict(Region.objects.values_list("code", "pk"))
    grid = matrix(period=NOVEMBER, view=province_view())
    haikou, sanya = ids["460100"], ids["460200"]
    assert grid.cells == {(haikou, sanya): 2, (haikou, haikou): 1, (sanya, sanya): 1}
    totals = (grid.total, grid.across, grid.row_total(haikou), grid.column_total(sanya))
    assert totals == (4, 2, 3, 3)
    everything = matrix(period=NOVEMBER, view=province_view(), paying_only=False)
    assert everything.total == 11

    region = Region.objects.get(code="460200")
    assert headline(period=NOVEMBER, view=region_view(region)).totals.applications == 1  # P5
    # Insured in Sanya: P1's and P2's registration, claim and transfer, and P5's claim.
    assert headline(period=NOVEMBER, view=insured_view(region)).totals.applications == 7
    # The Sanya agency accepted nothing itself; its office view holds the paying items of
    # people insured in Sanya, which it re-reviews (or would, had P5's passed initial review).
    agency = office_view(Office.objects.get(code="sanya-agency"))
    assert headline(period=NOVEMBER, view=agency).totals.applications == 3
    longhua = office_view(Office.objects.get(code="haikou-longhua"))
    assert headline(period=NOVEMBER, view=longhua).totals.applications == 10  # all but P5


def test_time_per_stage_and_reasons(november):
    view = province_view()
    figures = time_figures(period=NOVEMBER, view=view, today=DAY)
    stages = {item.code: s for item, s, _ in figures.by_item}
    claims = stages["ui_benefit"]
    # Initial reviews finished: P1 (Haikou caseworker), P2 and P4 (system), P5 (rejected).
    assert claims["initial_review"].finished == 4
    assert claims["routing"].finished == 3 and claims["routing"].days == 0
    assert claims["re_review"].finished == 3
    assert all(s.days == 0 and s.late == 0 for s in claims.values())
    # Open today: P6's resubmitted certificate, in initial review at Longhua.
    assert [(r["open"], r["initial_review"], r["overdue"]) for r in figures.backlog] == [(1, 1, 0)]
    certificates = stages["ui_certificate"]["initial_review"]
    assert certificates.finished == 2  # P7's by the system, P6's returned
    assert figures.overdue_total == 0 and figures.overdue == []
    reasons = outcomes(period=NOVEMBER, view=view).reasons
    assert [(r["outcome"], r["reason"], r["count"]) for r in reasons] == [
        ("reject", "未办理失业登记", 1),
        ("return", "请核对姓名", 1),
    ]
    sanya_id = Region.objects.get(code="460200").pk
    sanya_work = stage_totals(start=DAY, end=DAY, work=Work(region_id=sanya_id), by=("stage",))
    assert {r["stage"]: r["finished"] for r in sanya_work} == {"re_review": 2, "initial_review": 1}


def test_first_payment_within_n_days(november, people):
    # Sanya's fund pays P1 and P2 on the 26th, the day they applied; Haikou has not run yet.
    payrun_execute(actor=TEST_ACTOR, region_code="460200", month=date(2026, 11, 1), on=DAY)
    paid = first_payments(start=NOVEMBER.start, end=NOVEMBER.end, selection=Selection(),
                          within_days=[0, 30])  # fmt: skip
    assert (paid.approved, paid.paid, paid.unpaid) == (3, 2, 1)
    assert paid.within == {0: 2, 30: 2}
    assert_tallies_match_recomputation()


def test_on_time_share_counts_working_days_across_the_national_day_holiday(people):
    """Employment certificates (5 working days) accepted on Tuesday 29 September 2026: the
    National Day holiday runs 1–7 October and Saturday 10 October is a working day, so they
    are due on Monday 12 October — not on 6 October, as five weekdays would have it."""
    acceptor = people["hk_acceptor"]
    submitted = date(2026, 9, 29)
    apps = [submit(window(acceptor), claimant(insured="460100"), "employment_certificate",
                   submitted) for _ in range(4)]  # fmt: skip
    assert {a.due_date for a in apps} == {date(2026, 10, 12)}
    decide(acceptor, apps[0], date(2026, 10, 8), "reject", ["不符合条件"])  # 2 working days
    decide(acceptor, apps[1], date(2026, 10, 9))  # 3 working days
    decide(acceptor, apps[2], date(2026, 10, 12))  # 5: the last day, on time
    decide(acceptor, apps[3], date(2026, 10, 13))  # 6: late
    period = Period(date(2026, 9, 1), date(2026, 10, 31))
    totals = headline(period=period, view=province_view()).totals
    assert (totals.decided, totals.on_time) == (4, 3)
    assert totals.on_time_share == Decimal("0.75")
    assert totals.decision_days == 2 + 3 + 5 + 6
    assert totals.mean_decision_days == Decimal("4.0")
    stage = {item.code: s for item, s, _ in time_figures(period=period, view=province_view(),
                                                          today=date(2026, 10, 31)).by_item}  # fmt: skip
    certificates = stage["employment_certificate"]["initial_review"]
    assert (certificates.finished, certificates.days, certificates.longest, certificates.late) == (
        4, 16, 6, 1,
    )  # fmt: skip
    # Whole months come from the monthly summary, the rest from the daily one: the same figures.
    for start, end in [(date(2026, 9, 29), date(2026, 10, 13)), (date(2026, 8, 1), date(2026, 10, 31)),
                       (date(2026, 9, 15), date(2026, 11, 26)), (date(2026, 9, 1), date(2026, 9, 30))]:  # fmt: skip
        other = headline(period=Period(start, end), view=province_view()).totals
        assert (other.applications, other.decided, other.on_time, other.decision_days) == (
            4, 4, 3, 16,
        ), (start, end)  # fmt: skip
    assert_tallies_match_recomputation()


def test_months_of_coverage_of_each_fund_and_the_province(db):
    """Danzhou opens on 1 Nov 2025 with 1,200,000.00 yuan, pays 100,000.00 of UI benefit on
    the 15th of each month from Dec 2025 to Nov 2026 and receives 600,000.00 of premiums on
    20 Nov 2026. As of 26 Nov 2026: balance = 1,200,000 − 12 × 100,000 + 600,000 = 600,000;
    expenditure of the twelve months (26 Nov 2025, 26 Nov 2026] = 1,200,000, 100,000 a
    month → 6.0 months of coverage, under the 12-month warning threshold."""
    lines_open = postings.opening_balance({postings.EXPENDITURE_DEPOSITS: 120_000_000})
    entries = [EntrySpec(region_code="460400", entry_date=date(2025, 11, 1),
                         description="期初", lines=tuple(lines_open),
                         source_type=postings.SOURCE_OPENING, source_ref="opening")]  # fmt: skip
    for i in range(12):
        month = date(2025 + (11 + i) // 12, (11 + i) % 12 + 1, 15)
        entries.append(EntrySpec(
            region_code="460400", entry_date=month, description="支付",
            lines=tuple(postings.benefit_payment(subject_code="500101", amount_fen=10_000_000)),
            source_type=postings.SOURCE_PAYMENT_RUN, source_ref=f"T-{month:%Y-%m}/500101"))  # fmt: skip
    entries.append(EntrySpec(
        region_code="460400", entry_date=date(2026, 11, 20), description="保费",
        lines=tuple(postings.premium_income(employer_fen=30_000_000, personal_fen=30_000_000)),
        source_type=postings.SOURCE_PREMIUM, source_ref="2026-11"))  # fmt: skip
    entries_post_many(actor=TEST_ACTOR, entries=entries)
    figures = fund_figures(period=NOVEMBER, region_code=None)
    danzhou = next(r for r in figures.rows if r.region_code == "460400")
    assert danzhou.balance_fen == 60_000_000
    assert danzhou.coverage.expenditure_12m_fen == 120_000_000
    assert danzhou.months == Decimal("6.0") and danzhou.warning
    assert (danzhou.income_month_fen, danzhou.expenditure_month_fen) == (60_000_000, 10_000_000)
    assert (danzhou.income_year_fen, danzhou.expenditure_year_fen) == (60_000_000, 110_000_000)
    total = figures.rows[-1]
    assert total.region_code is None and total.balance_fen == 60_000_000
    assert total.months == Decimal("6.0")
    assert figures.warnings == 1  # the other funds spent nothing: no months, no warning
    # Payments booked without payments on the platform behind them: the reconciliation says so.
    assert [(d.kind, d.reference, d.ledger_fen) for d in danzhou.reconciliation.differences] == [
        ("booked_without_payment", "T-2026-11/500101", 10_000_000)
    ]
    assert not danzhou.reconciliation.balanced and not total.reconciliation.balanced
