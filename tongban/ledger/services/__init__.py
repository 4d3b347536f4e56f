"""Writing the ledger: the chart, the books, and balanced, immutable journal entries.

Nothing else writes entries. Every service checks what it posts (balanced, postable
accounts, one book per entry) and records an audit row and an outbox event in the
same transaction; on PostgreSQL deferred triggers check the same again at commit.
Entries are never changed: a mistake is corrected by :func:`entry_reverse`.
"""

from __future__ import annotations

from tongban.ledger.postings import EntrySpec, Line, PremiumTotal
from tongban.ledger.services.chart import ChartFileError, ChartLoad, books_open, chart_load
from tongban.ledger.services.events import (
    bank_return_cancel,
    bank_return_post,
    bank_return_repay,
    deposits_move_post,
    opening_balance_post,
    payment_run_post,
    premium_income_post,
)
from tongban.ledger.services.posting import (
    TransferPair,
    entries_post_many,
    entry_post,
    entry_reverse,
    transfer_post,
)
from tongban.ledger.services.recovery import (
    overpayment_offset_post,
    overpayment_post,
    overpayment_repaid_post,
)

__all__ = [
    "ChartFileError",
    "ChartLoad",
    "EntrySpec",
    "Line",
    "PremiumTotal",
    "TransferPair",
    "bank_return_cancel",
    "bank_return_post",
    "bank_return_repay",
    "books_open",
    "chart_load",
    "deposits_move_post",
    "entries_post_many",
    "entry_post",
    "entry_reverse",
    "opening_balance_post",
    "overpayment_offset_post",
    "overpayment_post",
    "overpayment_repaid_post",
    "payment_run_post",
    "premium_income_post",
    "transfer_post",
]
