import csv
import io

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from tongban.ledger.models import Account
from tongban.ledger.tests import scenario

pytestmark = pytest.mark.django_db


def books(*args):
    out = io.StringIO()
    call_command("books", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_a_fund_s_trial_balance_as_csv_as_of_a_month_end():
    scenario.build()
    rows = books("--region", "460100", "--month", "2026-05")
    assert rows[0] == ["account_code", "account_name", "debit_fen", "credit_fen"]
    body = {r[0]: r for r in rows[1:]}
    assert len(body) == Account.objects.filter(is_postable=True).count()
    assert body["500101"] == ["500101", "失业保险金", "2400000", "0"]
    assert body["3004"] == ["3004", "失业保险基金", "0", "10000000"]
    for code, (debit, credit) in scenario.HAIKOU_TB.items():
        assert body[code][2:] == [str(debit), str(credit)]
    assert sum(int(r[2]) for r in rows[1:]) == sum(int(r[3]) for r in rows[1:])
    earlier = {r[0]: r for r in books("--region", "460100", "--month", "2025-06")[1:]}
    assert earlier["500101"][2] == "200000"


def test_every_fund_with_its_region_code_and_the_province_consolidated():
    scenario.build()
    rows = books("--region", "all", "--month", "2026-05")
    assert rows[0] == ["account_code", "account_name", "debit_fen", "credit_fen", "region_code"]
    assert len({r[4] for r in rows[1:]}) == 19
    assert ["5002", "转移支出", "400000", "0", "460200"] in rows
    consolidated = books("--region", "all", "--month", "2026-05", "--consolidated")
    assert consolidated[0] == ["account_code", "account_name", "debit_fen", "credit_fen"]
    assert ["4005", "转移收入", "0", "400000"] in consolidated


def test_today_is_the_default():
    rows = books("--region", "460200")
    assert rows[0][0] == "account_code" and all(r[2:] == ["0", "0"] for r in rows[1:])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--region", "999999"), "region code '999999'"),
        (("--region", "460100", "--month", "2026-13"), "YYYY-MM"),
        (("--region", "460100", "--month", "2026-5"), "YYYY-MM"),
        (("--region", "460100", "--month", "May"), "YYYY-MM"),
        (("--region", "460100", "--consolidated"), "--region all"),
    ],
)
def test_a_clear_error_for_wrong_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        books(*args)


def test_the_command_exits_non_zero_with_the_message(capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["tongban", "books", "--region", "nowhere"])
    assert exit_.value.code != 0
    assert "nowhere" in capsys.readouterr().err
