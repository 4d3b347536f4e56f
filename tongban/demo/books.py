"""The demo funds' books: opening balances, premium income from the synthetic contributions,
two years of benefit payments, a transfer and a bank return — a few entries per region-month.

The books "went live" 24 months before ``as_of``: each fund opens with a balance taken over
from the old system, sized so that its months of coverage today land between 12 and 30.
Premium income is the registry's contributions summed per region and month (one GROUP BY,
split half employer, half personal as the demo rates are 0.5% + 0.5%); the benefit payments
are synthetic monthly totals per subject, as a payment run would post them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import date

from tongban.core.actors import Actor
from tongban.core.errors import Conflict
from tongban.ledger import postings
from tongban.ledger.selectors import month_end, months_before
from tongban.ledger.services import (
    EntrySpec,
    PremiumTotal,
    bank_return_post,
    entries_post_many,
    transfer_post,
)
from tongban.regions.selectors import regions_list
from tongban.registry.selectors import contribution_totals_by_region_month

HISTORY_MONTHS = 24
# Share of a month's premium income each subject spends (before a random wobble).
SPENDING = {"500101": 0.62, "500102": 0.11, "500104": 0.04, "500105": 0.03, "500106": 0.05}


def demo_books_post(
    *, actor: Actor, as_of: date, seed: int, say: Callable[[str], None] = print
) -> int:
    """Post the demo's entries; returns how many. Safe to run again (sources are booked once)."""
    rng = random.Random(seed)
    go_live = months_before(as_of.replace(day=1), HISTORY_MONTHS)
    income: dict[str, dict[date, int]] = defaultdict(dict)
    for code, month, total in contribution_totals_by_region_month(since=go_live):
        income[code][month] = total
    months = [months_before(go_live, -i) for i in range(HISTORY_MONTHS)]
    premiums: list[PremiumTotal] = []
    payments: list[EntrySpec] = []
    openings: list[EntrySpec] = []
    moves: list[EntrySpec] = []
    for region in regions_list():
        code = region.code
        monthly = income.get(code, {})
        typical = sum(monthly.values()) // max(len(monthly), 1) or 100_000
        spent_total = spent_last_year = 0
        for i, month in enumerate(months):
            premiums.append(PremiumTotal(code, month, *_halves(monthly.get(month, 0))))
            if monthly.get(month):
                moves.append(_move(code, month_end(month), postings.INCOME_DEPOSITS,
                                   postings.FISCAL_DEPOSITS, monthly[month], f"{month:%Y-%m}"))  # fmt: skip
            spent_month = 0
            for subject, share in SPENDING.items():
                amount = round(typical * share * rng.uniform(0.8, 1.2))
                spent_month += amount
                spent_total += amount
                spent_last_year += amount if i >= HISTORY_MONTHS - 12 else 0
                payments.append(
                    EntrySpec(
                        region_code=code,
                        entry_date=month.replace(day=15),
                        description=f"支付批次 DEMO-{code}-{month:%Y-%m} {subject}",
                        lines=tuple(
                            postings.benefit_payment(subject_code=subject, amount_fen=amount)
                        ),
                        source_type=postings.SOURCE_PAYMENT_RUN,
                        source_ref=f"DEMO-{code}-{month:%Y-%m}/{subject}",
                    )
                )
            moves.append(_move(code, month.replace(day=14), postings.FISCAL_DEPOSITS,
                               postings.EXPENDITURE_DEPOSITS, spent_month, f"{month:%Y-%m}"))  # fmt: skip
        target_months = rng.uniform(12, 30)
        surplus = sum(monthly.values()) - spent_total
        opening = max(round(target_months * spent_last_year / 12) - surplus, 0)
        fiscal = opening * 17 // 20
        expenditure_account = opening // 10
        openings.append(
            EntrySpec(
                region_code=code,
                entry_date=go_live,
                description="期初余额（自原系统转入）",
                lines=tuple(
                    postings.opening_balance(
                        {
                            postings.FISCAL_DEPOSITS: fiscal,
                            postings.EXPENDITURE_DEPOSITS: expenditure_account,
                            postings.INCOME_DEPOSITS: opening - fiscal - expenditure_account,
                        }
                    )
                ),
                source_type=postings.SOURCE_OPENING,
                source_ref="opening",
            )
        )
    premium_specs = [
        EntrySpec(
            region_code=t.region_code,
            entry_date=month_end(t.month),
            description=f"{t.month:%Y-%m} 失业保险费收入",
            lines=tuple(
                postings.premium_income(employer_fen=t.employer_fen, personal_fen=t.personal_fen)
            ),
            source_type=postings.SOURCE_PREMIUM,
            source_ref=f"{t.month:%Y-%m}",
        )
        for t in premiums
        if t.employer_fen or t.personal_fen
    ]
    entries = entries_post_many(actor=actor, entries=[*openings, *premium_specs, *moves, *payments])
    last_month = months[-1]
    with suppress(Conflict):  # booked by an earlier run
        transfer_post(
            actor=actor,
            from_region_code="460200",
            to_region_code="460100",
            entry_date=last_month.replace(day=20),
            amount_fen=5 * 164_700,
            description="失业保险关系转移（演示）：剩余5个月待遇",
            source_ref=f"DEMO-T-{last_month:%Y-%m}",
        )
    bank_return_post(
        actor=actor,
        region_code="460100",
        entry_date=last_month.replace(day=25),
        amount_fen=164_700,
        source_ref=f"DEMO-RET-{last_month:%Y-%m}",
    )
    say(
        f"  books: {len(entries):,} entries (opening balances, premiums, transfers between the "
        "fund's accounts, payments) in 19 funds"
    )
    return len(entries)


def _halves(total: int) -> tuple[int, int]:
    """Employer and personal shares of a month's premiums (equal demo rates)."""
    return total - total // 2, total // 2


def _move(code: str, day: date, from_code: str, to_code: str, amount: int, ref: str) -> EntrySpec:
    return EntrySpec(
        region_code=code,
        entry_date=day,
        description=f"资金划转 {from_code}→{to_code} {ref}",
        lines=tuple(
            postings.deposits_move(from_code=from_code, to_code=to_code, amount_fen=amount)
        ),
        source_type=postings.SOURCE_DEPOSITS_MOVE,
        source_ref=f"{ref}/{from_code}-{to_code}",
    )
