import pytest

from tongban.core.models import AuditEvent
from tongban.core.testing import TEST_ACTOR
from tongban.ledger.models import Account, Book
from tongban.ledger.services import ChartFileError, books_open, chart_load

pytestmark = pytest.mark.django_db


def test_the_chart_has_the_policy_accounts_with_their_classes_and_sides():
    accounts = {a.code: a for a in Account.objects.all()}
    for code in ("1001", "1002", "1003", "1004", "1101", "2001", "2002", "3004", "4001",
                 "4002", "4003", "4005", "4006", "4007", "5001", "5002", "5005"):  # fmt: skip
        assert code in accounts, code
    assert accounts["1003"].name_zh == "支出户存款"
    assert accounts["3004"].name_zh == "失业保险基金"
    assert accounts["3004"].normal_side == "credit"
    assert accounts["500101"].parent.code == "5001"
    assert accounts["500101"].name_zh == "失业保险金"
    assert not accounts["5001"].is_postable
    assert accounts["500101"].is_postable
    assert accounts["4005"].name_zh == "转移收入"
    assert accounts["5002"].name_zh == "转移支出"
    assert {a.account_class for a in accounts.values() if a.code.startswith("5")} == {"expenditure"}


def test_one_book_per_fund_and_loading_again_changes_nothing():
    assert Book.objects.count() == 19
    assert Book.objects.filter(code="UI-460200", fund__region__code="460200").exists()
    audits = AuditEvent.objects.count()
    assert chart_load(actor=TEST_ACTOR).changed == 0
    assert books_open(actor=TEST_ACTOR) == 0
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "accounts: [{code: '1', zh: a, en: a, class: asset, side: debit}, {code: '1', zh: a, en: a, class: asset, side: debit}]",
            "not unique",
        ),
        (
            "accounts: [{code: '11', parent: '9', zh: a, en: a, class: asset, side: debit}]",
            "unknown parent",
        ),
        (
            "accounts: [{code: '9', zh: a, en: a, class: asset, side: debit}, {code: '81', parent: '9', zh: a, en: a, class: asset, side: debit}]",
            "extend its parent",
        ),
        ("accounts: [{code: '9', zh: a, en: a, class: profit, side: debit}]", "unknown class"),
        ("accounts: [{code: '9', zh: a, en: a, class: asset, side: left}]", "unknown side"),
    ],
)
def test_a_bad_chart_is_refused_whole(text, problem):
    before = list(Account.objects.values_list("code", "name_zh"))
    with pytest.raises(ChartFileError, match=problem):
        chart_load(actor=TEST_ACTOR, source=text)
    assert list(Account.objects.values_list("code", "name_zh")) == before
