"""The demo funds' books: opening balances, premium income from the synthetic contributions,
two years of benefit payments, a transfer and a bank return — a few entries per region-month.

The books "went live" 24 months before ``as_of``: each fund opens with a balance taken over
from the old system, sized so that its months of coverage today land between 12 and 30.
Premium income is the registry's contributions summed per region and month (one GROUP BY,
split half employer, half personal as the demo rates are 0.5% + 0.5%); the benefit payments
are synthetic monthly totals per subject, as a payment run would post them. Everything but
the transfer and the return goes in through one ``entries_post_many`` call.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import date

from tongban.core.actors import Actor
from tongban.core.errors import Conflict
from tongban.core.months import month_end
from tongban.ledger import postings
from tongban.ledger.selectors import months_before
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
# Share of a month's typical premium income each subject spends (before a random wobble).
SPENDING = {"500101": 0.62, "500102": 0.11, "500104": 0.04, "500105": 0.03, "500106": 0.05}


def demo_books_post(
    *, actor: Actor, as_of: date, seed: int, say: Callable[[str], None] = print
) -> int:
    """Post the demo's entries; returns how many. Safe to run again (sources are booked once)."""
    rng = random.Random(seed)
    go_live = months_before(as_of.replace(day=1), HISTORY_MONTHS)
    months = [months_before(go_live, -i) for i in range(HISTORY_MONTHS)]
    income: dict[str, dict[date, int]] = defaultdict(dict)
    for code, month, total in contribution_totals_by_region_month(since=go_live):
        income[code][month] = total
    specs: list[EntrySpec] = []
    for region in regions_list():
        code = region.code
        monthly = income.get(code, {})
        typical = sum(monthly.values()) // max(len(monthly), 1) or 100_000
        spent_total = spent_last_year = 0
        for i, month in enumerate(months):
            received = monthly.get(month, 0)
            amounts = {
                subject: round(typical * share * rng.uniform(0.8, 1.2))
                for subject, share in SPENDING.items()
            }
            spent = sum(amounts.values())
            spent_total += spent
            spent_last_year += spent if i >= HISTORY_MONTHS - 12 else 0
            ref = f"{month:%Y-%m}"
            if received:
                employer = received - received // 2
                specs.append(
                    postings.premium_income_entry(
                        PremiumTotal(code, month, employer, received - employer)
                    )
                )
                specs.append(_move(code, month_end(month), "1002", "1004", received, ref))
            specs.append(_move(code, month.replace(day=14), "1004", "1003", spent, ref))
            specs += postings.payment_run_entries(
                region_code=code,
                entry_date=month.replace(day=15),
                run_ref=f"DEMO-{code}-{ref}",
                amounts=amounts,
            )
        surplus = sum(monthly.values()) - spent_total
        opening = max(round(rng.uniform(12, 30) * spent_last_year / 12) - surplus, 0)
        fiscal, expenditure_account = opening * 17 // 20, opening // 10
        balances = {
            postings.FISCAL_DEPOSITS: fiscal,
            postings.EXPENDITURE_DEPOSITS: expenditure_account,
            postings.INCOME_DEPOSITS: opening - fiscal - expenditure_account,
        }
        specs.append(
            EntrySpec(
                region_code=code,
                entry_date=go_live,
                description="期初余额（自原系统转入）",
                lines=tuple(postings.opening_balance(balances)),
                source_type=postings.SOURCE_OPENING,
                source_ref="opening",
            )
        )
    entries = entries_post_many(actor=actor, entries=specs)
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
        f"  books: {len(entries):,} entries (opening balances, premiums, moves between the "
        "fund's accounts, payments) in 19 funds"
    )
    return len(entries)


def _move(code: str, day: date, from_code: str, to_code: str, amount: int, ref: str) -> EntrySpec:
    return postings.deposits_move_entry(
        region_code=code,
        entry_date=day,
        from_code=from_code,
        to_code=to_code,
        amount_fen=amount,
        source_ref=ref,
    )
