from datetime import date
from decimal import Decimal

import pytest

from tongban.ledger.selectors import (
    balance_sheet,
    fund_coverage,
    funds_coverage,
    income_expenditure,
    monthly_figures,
    months_before,
    trial_balance,
    trial_balances_by_fund,
)
from tongban.ledger.tests import scenario

pytestmark = pytest.mark.django_db
END = date(2026, 5, 31)


@pytest.fixture
def books():
    scenario.build()


def test_the_trial_balance_matches_the_hand_computed_figures(books):
    tb = trial_balance(region_code="460100", as_of=END)
    got = {
        r.code: (r.debit_balance_fen, r.credit_balance_fen) for r in tb.postable if r.net_debit_fen
    }
    assert got == scenario.HAIKOU_TB
    assert tb.balanced
    assert tb.debit_total_fen == 5_000_000 + 7_000_000 + 2_400_000 + 360_000
    parents = {r.code: r for r in tb.rows}
    assert parents["5001"].balance_fen == 2_760_000
    assert parents["500101"].level == 1
    assert parents["500103"].debit_fen == parents["500103"].credit_fen == 50_000


def test_a_trial_balance_as_of_an_earlier_date_leaves_later_entries_out(books):
    tb = {r.code: r for r in trial_balance(region_code="460100", as_of=date(2025, 6, 30)).rows}
    assert tb["400101"].balance_fen == 180_000
    assert tb["500101"].balance_fen == 200_000
    assert tb["4005"].balance_fen == 0


def test_the_province_adds_every_fund_up(books):
    province = {r.code: r for r in trial_balance(region_code=None, as_of=END).rows}
    by_fund = trial_balances_by_fund(as_of=END)
    assert len(by_fund) == 19
    for code, row in province.items():
        assert row.net_debit_fen == sum(
            next(r for r in report.rows if r.code == code).net_debit_fen
            for report in by_fund.values()
        )
    assert province["5002"].balance_fen == 400_000  # transfers are shown, not eliminated
    assert province["4005"].balance_fen == 400_000
    assert by_fund["460200"].balanced


def test_income_and_expenditure_for_a_period(books):
    # 2026-03-01 … 2026-04-30: two months; the funeral grant and its reversal net out.
    report = income_expenditure(region_code="460100", start=date(2026, 3, 1), end=date(2026, 5, 1))
    income = {r.code: r.balance_fen for r in report.income}
    spent = {r.code: r.balance_fen for r in report.expenditure}
    assert income["400101"] == 360_000 and income["400102"] == 240_000 and income["4001"] == 600_000
    assert spent["500101"] == 400_000 and spent["500102"] == 60_000 and spent["500103"] == 0
    assert spent["5001"] == 460_000
    assert report.income_total_fen == 600_000
    assert report.expenditure_total_fen == 460_000
    assert report.surplus_fen == 140_000
    march = income_expenditure(region_code="460100", start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert {r.code: r.balance_fen for r in march.expenditure}["500103"] == 50_000


def test_the_balance_sheet_balances(books):
    sheet = balance_sheet(region_code="460100", as_of=END)
    assert sheet.assets_total_fen == 5_000_000 - 743_530 + 7_000_000
    assert sheet.liabilities_total_fen == 16_470
    assert sheet.fund_balance_fen == scenario.HAIKOU_FUND_BALANCE
    assert sheet.balanced
    sanya = balance_sheet(region_code="460200", as_of=END)
    assert sanya.fund_balance_fen == 3_000_000 - 400_000 and sanya.balanced


def test_months_of_coverage(books):
    coverage = fund_coverage(region_code="460100", as_of=END)
    assert coverage.balance_fen == scenario.HAIKOU_FUND_BALANCE
    assert coverage.expenditure_12m_fen == scenario.HAIKOU_EXPENDITURE_12M
    assert coverage.monthly_expenditure_fen == 230_000
    assert coverage.months == Decimal("48.9")  # 11,240,000 ÷ 230,000 = 48.87
    # On 2026-05-31 the window is (2025-05-31, 2026-05-31]; a day earlier it still holds 12 runs
    # (the first run is on 2025-06-15), and the 2025-06 run drops out only after 2026-06-15.
    # Sanya spent only its transfer-out: 2,600,000 ÷ (400,000 ÷ 12) = 78.0
    all_funds = {c.region_code: c for c in funds_coverage(as_of=END)}
    assert all_funds["460100"] == coverage
    assert all_funds["460200"].months == Decimal("78.0")
    assert all_funds["460300"].months is None  # no expenditure, no figure
    province = fund_coverage(region_code=None, as_of=END)
    assert province.balance_fen == scenario.HAIKOU_FUND_BALANCE + 2_600_000


def test_the_twelve_month_window_is_half_open_at_its_start():
    assert months_before(date(2026, 5, 31), 12) == date(2025, 5, 31)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), -1) == date(2026, 2, 15)


def test_monthly_figures_for_the_chart(books):
    months = monthly_figures(region_code="460100", start_month=date(2026, 3, 1), months=3)
    assert [m.month for m in months] == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    assert [m.income_fen for m in months] == [300_000, 300_000, 700_000]
    assert [m.expenditure_fen for m in months] == [280_000, 180_000, 230_000]
    assert months[-1].balance_fen == scenario.HAIKOU_FUND_BALANCE
    before = balance_sheet(region_code="460100", as_of=date(2026, 2, 28)).fund_balance_fen
    assert months[0].balance_fen == before + 300_000 - 280_000


def test_reports_are_a_fixed_number_of_queries(books, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        trial_balance(region_code="460100", as_of=END)
    with django_assert_max_num_queries(3):
        trial_balances_by_fund(as_of=END)
    with django_assert_max_num_queries(3):
        funds_coverage(as_of=END)
