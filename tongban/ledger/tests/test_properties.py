"""Property: after any sequence of postings, reversals and transfers the books balance."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core.errors import DomainError
from tongban.core.testing import TEST_ACTOR
from tongban.core.transactions import unit_of_work
from tongban.ledger import services
from tongban.ledger.models import JournalEntry, JournalLine
from tongban.ledger.selectors import trial_balance

pytestmark = pytest.mark.django_db

REGIONS = ("460100", "460200", "469030")
ACCOUNTS = ("1002", "1003", "1101", "2001", "2002", "400101", "4003", "500101", "500102", "5005")
START = date(2026, 1, 1)


class Rollback(Exception):
    pass


amounts = st.integers(min_value=1, max_value=10**9)
post = st.tuples(
    st.just("post"),
    st.sampled_from(REGIONS),
    st.integers(0, 60),
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=4),
    st.sampled_from(ACCOUNTS),
)
reverse = st.tuples(st.just("reverse"), st.integers(0, 30), st.integers(0, 60))
transfer = st.tuples(
    st.just("transfer"),
    st.sampled_from(REGIONS),
    st.sampled_from(REGIONS),
    st.integers(0, 60),
    amounts,
)
unbalanced = st.tuples(st.just("unbalanced"), st.sampled_from(REGIONS), amounts)
operations = st.lists(st.one_of(post, reverse, transfer, unbalanced), max_size=12)


def apply(operation, posted, expected):
    kind = operation[0]
    if kind == "post":
        _, region, day, debits, credit_account = operation
        lines = [(code, amount, 0) for code, amount in debits]
        lines.append((credit_account, 0, sum(a for _, a in debits)))
        entry = services.entry_post(
            actor=TEST_ACTOR, region_code=region, entry_date=START + timedelta(days=day),
            description="性质测试", lines=lines,
        )  # fmt: skip
        posted.append(entry.pk)
        for code, debit, credit in lines:
            expected[region, code] += debit - credit
    elif kind == "reverse" and posted:
        _, index, days_later = operation
        entry = JournalEntry.objects.select_related("book__fund__region").get(
            pk=posted[index % len(posted)]
        )
        try:
            services.entry_reverse(
                actor=TEST_ACTOR, entry_id=entry.pk,
                entry_date=entry.entry_date + timedelta(days=days_later),
            )  # fmt: skip
        except DomainError:
            return  # already reversed, or a reversal: refused, nothing changed
        reversed_ids = [entry.pk]
        counterpart = (
            entry.transfer_pair_id
            or JournalEntry.objects.filter(transfer_pair_id=entry.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if counterpart:
            reversed_ids.append(counterpart)
        for line in JournalLine.objects.filter(entry_id__in=reversed_ids).select_related(
            "account", "book__fund__region"
        ):
            expected[line.book.fund.region.code, line.account.code] -= (
                line.debit_fen - line.credit_fen
            )
    elif kind == "transfer":
        _, source, target, day, amount = operation
        try:
            pair = services.transfer_post(
                actor=TEST_ACTOR, from_region_code=source, to_region_code=target,
                entry_date=START + timedelta(days=day), amount_fen=amount, description="转移",
                source_ref=f"T{len(posted)}",
            )  # fmt: skip
        except DomainError:
            assert source == target
            return
        posted.extend([pair.out_entry.pk, pair.in_entry.pk])
        expected[source, "5002"] += amount
        expected[source, "1003"] -= amount
        expected[target, "1002"] += amount
        expected[target, "4005"] -= amount
    elif kind == "unbalanced":
        _, region, amount = operation
        before = JournalLine.objects.count()
        with pytest.raises(DomainError):
            services.entry_post(
                actor=TEST_ACTOR, region_code=region, entry_date=START, description="不平",
                lines=[("1002", amount + 1, 0), ("400101", 0, amount)],
            )  # fmt: skip
        assert JournalLine.objects.count() == before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations)
def test_debits_equal_credits_per_book_and_overall_after_any_sequence(sequence):
    try:
        # One unit of work per example, rolled back: the services join it (savepoints).
        with unit_of_work():
            posted: list[int] = []
            expected: dict[tuple[str, str], int] = defaultdict(int)
            for operation in sequence:
                apply(operation, posted, expected)

            totals = JournalLine.objects.aggregate(d=Sum("debit_fen"), c=Sum("credit_fen"))
            assert (totals["d"] or 0) == (totals["c"] or 0)
            for entry_totals in JournalLine.objects.values("entry_id").annotate(
                d=Sum("debit_fen"), c=Sum("credit_fen")
            ):
                assert entry_totals["d"] == entry_totals["c"]
            as_of = START + timedelta(days=200)
            for region in REGIONS:
                tb = trial_balance(region_code=region, as_of=as_of)
                assert tb.balanced
                assert tb.debit_total_fen == tb.credit_total_fen
                for row in tb.postable:
                    assert row.net_debit_fen == expected[region, row.code], (region, row.code)
            province = trial_balance(region_code=None, as_of=as_of)
            assert province.balanced
            raise Rollback
    except Rollback:
        pass
