"""A small, hand-computed scenario: premium income, benefit payments, a reversal, a transfer."""

from datetime import date

from tongban.core.testing import TEST_ACTOR
from tongban.ledger import services
from tongban.ledger.services import PremiumTotal


def build() -> dict[str, object]:
    """Haikou (460100) and Sanya (460200), 2025-06 … 2026-05; figures in fen."""
    services.opening_balance_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=date(2025, 6, 1),
        balances={"1002": 1_000_000, "1003": 2_000_000, "1004": 7_000_000},
    )  # fmt: skip
    services.opening_balance_post(
        actor=TEST_ACTOR, region_code="460200", entry_date=date(2025, 6, 1),
        balances={"1003": 3_000_000},
    )  # fmt: skip
    # Premiums: Haikou 300,000 a month (180,000 employer + 120,000 personal) for 12 months.
    services.premium_income_post(
        actor=TEST_ACTOR,
        totals=[
            PremiumTotal(
                "460100", date(2025 + (5 + i) // 12, (5 + i) % 12 + 1, 1), 180_000, 120_000
            )
            for i in range(12)
        ],
    )
    # Benefits: Haikou pays 200,000 UI benefit and 30,000 medical premiums each month.
    for i in range(12):
        month = date(2025 + (5 + i) // 12, (5 + i) % 12 + 1, 1)
        services.payment_run_post(
            actor=TEST_ACTOR, region_code="460100", entry_date=month.replace(day=15),
            run_ref=f"PR-460100-{month:%Y-%m}", amounts={"500101": 200_000, "500102": 30_000},
        )  # fmt: skip
    # A mistaken funeral grant in 2026-03, reversed in 2026-04.
    wrong = services.entry_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=date(2026, 3, 20),
        description="丧葬补助金（错误）", lines=[("500103", 50_000, 0), ("1003", 0, 50_000)],
    )  # fmt: skip
    services.entry_reverse(actor=TEST_ACTOR, entry_id=wrong.pk, entry_date=date(2026, 4, 2))
    # A person moves from Sanya to Haikou with 400,000 of remaining entitlement.
    services.transfer_post(
        actor=TEST_ACTOR, from_region_code="460200", to_region_code="460100",
        entry_date=date(2026, 5, 10), amount_fen=400_000, description="关系转移",
        source_ref="T-2026-0001",
    )  # fmt: skip
    # A bank return in Haikou in 2026-05, not yet repaid.
    services.bank_return_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=date(2026, 5, 20), amount_fen=16_470,
        source_ref="RET-2026-05-20",
    )  # fmt: skip
    return {}


# Haikou as of 2026-05-31, by hand:
#   opening 10,000,000; premiums 12 × 300,000 = 3,600,000; transfer in 400,000
#   expenditure 12 × 230,000 = 2,760,000 (the funeral grant nets out)
#   1002: 1,000,000 + 3,600,000 + 400,000 = 5,000,000
#   1003: 2,000,000 − 2,760,000 + 16,470 = −743,530 (overdrawn: the test does not care)
#   1004: 7,000,000; 2001: 16,470; 3004: 10,000,000
#   fund balance = 10,000,000 + 4,000,000 − 2,760,000 = 11,240,000
HAIKOU_TB = {
    "1002": (5_000_000, 0),
    "1003": (0, 743_530),
    "1004": (7_000_000, 0),
    "2001": (0, 16_470),
    "3004": (0, 10_000_000),
    "400101": (0, 2_160_000),
    "400102": (0, 1_440_000),
    "4005": (0, 400_000),
    "500101": (2_400_000, 0),
    "500102": (360_000, 0),
}
HAIKOU_FUND_BALANCE = 11_240_000
HAIKOU_EXPENDITURE_12M = 2_760_000
