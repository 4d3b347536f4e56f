from datetime import date

import pytest
from django.db.models import Sum

from tongban.core.testing import TEST_ACTOR
from tongban.demo.books import demo_books_post
from tongban.demo.load import load_province
from tongban.demo.synthetic import synthesize
from tongban.ledger.models import JournalEntry, JournalLine
from tongban.ledger.selectors import funds_coverage, income_expenditure, trial_balance
from tongban.registry.models import Contribution

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 26)


def test_the_demo_books_are_aggregated_realistic_and_posted_once():
    load_province(synthesize(scale=0.01, seed=3, as_of=AS_OF))
    posted = demo_books_post(actor=TEST_ACTOR, as_of=AS_OF, seed=5, say=lambda _: None)
    # A few entries per region-month, never one per person or per contribution row.
    assert posted <= 19 * (1 + 24 * 8)
    go_live = date(2024, 11, 1)
    premiums = Contribution.objects.filter(month__gte=go_live).aggregate(s=Sum("amount_fen"))["s"]
    report = income_expenditure(region_code=None, start=go_live, end=AS_OF)
    assert {r.code: r.balance_fen for r in report.income}["4001"] == premiums
    for coverage in funds_coverage(as_of=AS_OF):
        assert coverage.months is not None and 11 <= coverage.months <= 31, coverage
    tb = trial_balance(region_code=None, as_of=AS_OF)
    assert tb.balanced
    assert all(r.balance_fen >= 0 for r in tb.rows if r.code in ("1002", "1003", "1004"))
    entries, lines = JournalEntry.objects.count(), JournalLine.objects.count()
    demo_books_post(actor=TEST_ACTOR, as_of=AS_OF, seed=5, say=lambda _: None)
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (entries, lines)
