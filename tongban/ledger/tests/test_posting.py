from datetime import date

import pytest

from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.models import AppendOnlyError, AuditEvent, OutboxMessage
from tongban.core.testing import TEST_ACTOR
from tongban.ledger import services
from tongban.ledger.models import JournalEntry, JournalLine
from tongban.ledger.postings import EntrySpec, Line
from tongban.ledger.selectors import entry_for_source, trial_balance

pytestmark = pytest.mark.django_db
D = date(2026, 5, 31)


def counts():
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_a_balanced_entry_is_posted_with_audit_and_event(post):
    entry = post("460100", D, [("1002", 10000, 0), ("400101", 0, 6000), ("400102", 0, 4000)],
                 source_type="manual", source_ref="m-1")  # fmt: skip
    assert entry.book.code == "UI-460100"
    lines = list(entry.lines.order_by("id").values_list("account__code", "debit_fen", "credit_fen", "book_id", "entry_date"))  # fmt: skip
    assert lines == [
        ("1002", 10000, 0, entry.book_id, D),
        ("400101", 0, 6000, entry.book_id, D),
        ("400102", 0, 4000, entry.book_id, D),
    ]
    assert entry.actor_label == TEST_ACTOR.label
    assert AuditEvent.objects.filter(
        event_type="ledger_entry_posted", subject_id=str(entry.pk)
    ).exists()
    assert OutboxMessage.objects.get(topic="ledger.entries_posted").payload["entry_ids"] == [
        entry.pk
    ]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("1002", 100, 0), ("400101", 0, 99)], "unbalanced"),
        ([("1002", 100, 0)], "too_few_lines"),
        ([("1002", 100, 0), ("9999", 0, 100)], "unknown_account"),
        ([("1002", 100, 0), ("4001", 0, 100)], "not_postable"),
        ([("1002", 100, 100), ("400101", 0, 0)], "amount"),
        ([("1002", -100, 0), ("400101", 0, -100)], "amount"),
        ([("1002", 1.5, 0), ("400101", 0, 1.5)], "amount"),
    ],
)
def test_a_wrong_entry_is_refused_and_nothing_is_written(post, lines, code):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        post("460100", D, lines)
    assert code in {e.code for e in refused.value.errors}
    assert counts() == before


def test_unknown_region_is_refused(post):
    before = counts()
    with pytest.raises(NotFound):
        post("999999", D, [("1002", 1, 0), ("400101", 0, 1)])
    assert counts() == before


def test_a_source_is_booked_once_per_book(post):
    post("460100", D, [("1002", 1, 0), ("400101", 0, 1)], source_type="x", source_ref="r")
    before = counts()
    with pytest.raises(Conflict):
        post("460100", D, [("1002", 1, 0), ("400101", 0, 1)], source_type="x", source_ref="r")
    assert counts() == before
    # Another fund may use the same reference, and an empty reference is never unique.
    post("460200", D, [("1002", 1, 0), ("400101", 0, 1)], source_type="x", source_ref="r")
    post("460100", D, [("1002", 1, 0), ("400101", 0, 1)])
    post("460100", D, [("1002", 1, 0), ("400101", 0, 1)])


def test_entries_are_immutable_through_the_orm(post):
    entry = post("460100", D, [("1002", 1, 0), ("400101", 0, 1)])
    line = entry.lines.first()
    entry.description = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        JournalLine.objects.filter(pk=line.pk).update(debit_fen=2)
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().delete()
    assert JournalEntry.objects.get(pk=entry.pk).description == "测试凭证"


def test_a_reversal_swaps_the_lines_and_an_entry_is_reversed_once(post):
    entry = post("460100", D, [("500101", 5000, 0), ("1003", 0, 5000)])
    reversal = services.entry_reverse(
        actor=TEST_ACTOR, entry_id=entry.pk, entry_date=date(2026, 6, 3)
    )
    assert reversal.reversal_of_id == entry.pk
    assert reversal.source_type == "reversal"
    assert sorted(reversal.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1003", 5000, 0), ("500101", 0, 5000)
    ]  # fmt: skip
    after = trial_balance(region_code="460100", as_of=date(2026, 6, 30))
    assert all(r.net_debit_fen == 0 for r in after.rows)
    before = counts()
    with pytest.raises(Conflict, match="already reversed"):
        services.entry_reverse(actor=TEST_ACTOR, entry_id=entry.pk, entry_date=date(2026, 6, 3))
    with pytest.raises(Conflict, match="itself a reversal"):
        services.entry_reverse(actor=TEST_ACTOR, entry_id=reversal.pk, entry_date=date(2026, 6, 3))
    assert counts() == before


def test_a_reversal_is_not_dated_before_its_entry(post):
    entry = post("460100", D, [("500101", 5000, 0), ("1003", 0, 5000)])
    with pytest.raises(InvalidInput):
        services.entry_reverse(actor=TEST_ACTOR, entry_id=entry.pk, entry_date=date(2026, 5, 30))
    with pytest.raises(NotFound):
        services.entry_reverse(actor=TEST_ACTOR, entry_id=10**9, entry_date=D)


def test_an_inter_fund_transfer_is_a_linked_pair_in_two_books():
    pair = services.transfer_post(
        actor=TEST_ACTOR, from_region_code="460200", to_region_code="460100", entry_date=D,
        amount_fen=329400, description="失业保险关系转移 张三", source_ref="T-1",
    )  # fmt: skip
    assert pair.out_entry.book.code == "UI-460200"
    assert pair.in_entry.book.code == "UI-460100"
    assert pair.in_entry.transfer_pair_id == pair.out_entry.pk
    assert sorted(pair.out_entry.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1003", 0, 329400), ("5002", 329400, 0)
    ]  # fmt: skip
    assert sorted(pair.in_entry.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1002", 329400, 0), ("4005", 0, 329400)
    ]  # fmt: skip
    # Reversing either side reverses both, again as a pair.
    reversal = services.entry_reverse(actor=TEST_ACTOR, entry_id=pair.in_entry.pk, entry_date=D)
    out_reversal = JournalEntry.objects.get(reversal_of=pair.out_entry)
    assert reversal.reversal_of_id == pair.in_entry.pk
    assert reversal.transfer_pair_id == out_reversal.pk
    for code in ("460100", "460200"):
        assert all(r.net_debit_fen == 0 for r in trial_balance(region_code=code, as_of=D).rows)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to_region_code": "460200"}, "same_fund"),
        ({"amount_fen": 0}, "amount"),
        ({"source_ref": ""}, "source_ref"),
    ],
)
def test_a_wrong_transfer_writes_nothing(kwargs, code):
    before = counts()
    args = {
        "from_region_code": "460200", "to_region_code": "460100", "entry_date": D,
        "amount_fen": 100, "description": "转移", "source_ref": "T-2",
    } | kwargs  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        services.transfer_post(actor=TEST_ACTOR, **args)
    assert refused.value.code == code
    assert counts() == before


def test_a_transfer_to_an_unknown_fund_writes_neither_side():
    before = counts()
    with pytest.raises(NotFound):
        services.transfer_post(
            actor=TEST_ACTOR, from_region_code="460200", to_region_code="999999", entry_date=D,
            amount_fen=100, description="转移", source_ref="T-3",
        )  # fmt: skip
    assert counts() == before


def test_one_entry_may_not_mix_funds_in_a_batch_and_a_bad_spec_refuses_the_batch():
    good = EntrySpec("460100", D, "好", (Line.debit("1002", 5), Line.credit("400101", 5)), "x", "a")
    bad = EntrySpec("460200", D, "坏", (Line.debit("1002", 5), Line.credit("400101", 4)), "x", "b")
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        services.entries_post_many(actor=TEST_ACTOR, entries=[good, bad])
    assert refused.value.errors[0].field == "entries[1].lines"
    assert counts() == before


def test_a_payment_run_posts_one_entry_per_subject_and_a_rerun_posts_nothing_twice():
    amounts = {"500101": 164700 * 312, "500102": 23000 * 312, "500103": 0}
    entries = services.payment_run_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=D, run_ref="PR-460100-2026-05",
        amounts=amounts,
    )  # fmt: skip
    assert set(entries) == {"500101", "500102"}
    ui = entries["500101"]
    assert ui.source_ref == "PR-460100-2026-05/500101"
    assert sorted(ui.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1003", 0, 164700 * 312), ("500101", 164700 * 312, 0)
    ]  # fmt: skip
    assert entry_for_source(region_code="460100", source_type="payment_run",
                            source_ref="PR-460100-2026-05/500101") == ui  # fmt: skip
    before = counts()
    again = services.payment_run_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=D, run_ref="PR-460100-2026-05",
        amounts=amounts,
    )  # fmt: skip
    assert {k: e.pk for k, e in again.items()} == {k: e.pk for k, e in entries.items()}
    assert counts() == before
    with pytest.raises(Conflict):
        services.payment_run_post(
            actor=TEST_ACTOR, region_code="460100", entry_date=D, run_ref="PR-460100-2026-05",
            amounts={"500101": 1},
        )  # fmt: skip
    with pytest.raises(InvalidInput):
        services.payment_run_post(
            actor=TEST_ACTOR, region_code="460100", entry_date=D, run_ref="PR-2",
            amounts={"1001": 1},
        )  # fmt: skip
    assert counts() == before


def test_a_bank_return_waits_in_temporary_receipts_until_repaid_or_cancelled():
    services.payment_run_post(
        actor=TEST_ACTOR, region_code="460200", entry_date=D, run_ref="PR-1",
        amounts={"500101": 500000},
    )  # fmt: skip
    services.bank_return_post(
        actor=TEST_ACTOR, region_code="460200", entry_date=date(2026, 6, 2), amount_fen=3000,
        source_ref="RET-20260602",
    )  # fmt: skip
    tb = {r.code: r for r in trial_balance(region_code="460200", as_of=date(2026, 6, 2)).rows}
    assert tb["2001"].balance_fen == 3000
    assert tb["500101"].balance_fen == 500000  # the expenditure stands: the person is owed it
    services.bank_return_repay(
        actor=TEST_ACTOR, region_code="460200", entry_date=date(2026, 6, 5), amount_fen=2000,
        source_ref="REPAY-1",
    )  # fmt: skip
    services.bank_return_cancel(
        actor=TEST_ACTOR, region_code="460200", entry_date=date(2026, 6, 9),
        subject_code="500101", amount_fen=1000, source_ref="CANCEL-1",
    )  # fmt: skip
    tb = {r.code: r for r in trial_balance(region_code="460200", as_of=date(2026, 6, 30)).rows}
    assert tb["2001"].balance_fen == 0
    assert tb["500101"].balance_fen == 499000
    assert tb["1003"].balance_fen == -499000


def test_opening_balances_credit_the_fund_and_are_booked_once():
    entry = services.opening_balance_post(
        actor=TEST_ACTOR, region_code="460300", entry_date=date(2024, 1, 1),
        balances={"1003": 700, "1004": 300},
    )  # fmt: skip
    assert sorted(entry.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1003", 700, 0), ("1004", 300, 0), ("3004", 0, 1000)
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        services.opening_balance_post(
            actor=TEST_ACTOR, region_code="460300", entry_date=date(2024, 1, 1),
            balances={"500101": 1},
        )  # fmt: skip
    with pytest.raises(Conflict):
        services.opening_balance_post(
            actor=TEST_ACTOR, region_code="460300", entry_date=date(2024, 1, 1),
            balances={"1003": 1},
        )  # fmt: skip


def test_premium_income_is_one_entry_per_region_month_dated_at_month_end():
    totals = [
        services.PremiumTotal("460100", date(2026, 2, 1), 60000, 40000),
        services.PremiumTotal("460200", date(2026, 2, 1), 6000, 4000),
        services.PremiumTotal("460300", date(2026, 2, 1), 0, 0),
    ]
    entries = services.premium_income_post(actor=TEST_ACTOR, totals=totals)
    assert [(e.book.code, e.entry_date, e.source_ref) for e in entries] == [
        ("UI-460100", date(2026, 2, 28), "2026-02"),
        ("UI-460200", date(2026, 2, 28), "2026-02"),
    ]
    assert services.premium_income_post(actor=TEST_ACTOR, totals=totals) == entries


def test_money_moves_between_the_fund_s_own_accounts_only_along_the_two_ways():
    entry = services.deposits_move_post(
        actor=TEST_ACTOR, region_code="460100", entry_date=D, from_code="1002", to_code="1004",
        amount_fen=900, source_ref="2026-05",
    )  # fmt: skip
    assert sorted(entry.lines.values_list("account__code", "debit_fen", "credit_fen")) == [
        ("1002", 0, 900), ("1004", 900, 0)
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        services.deposits_move_post(
            actor=TEST_ACTOR, region_code="460100", entry_date=D, from_code="1003",
            to_code="1002", amount_fen=900, source_ref="x",
        )  # fmt: skip
