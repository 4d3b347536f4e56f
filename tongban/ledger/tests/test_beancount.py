"""An independent check: the books exported to Beancount pass ``bean-check``."""

import subprocess
from datetime import date

import pytest

from tongban.ledger.beancount import books_beancount
from tongban.ledger.tests import scenario

pytestmark = pytest.mark.django_db


def check(bean_check, tmp_path, text):
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([bean_check, str(path)], capture_output=True, text=True, check=False)


def test_the_scenario_s_books_pass_bean_check(bean_check, tmp_path):
    assert bean_check, "bean-check is a dev dependency (make install)"
    scenario.build()  # premium income, benefit payments, a reversal, a transfer, a bank return
    text = books_beancount(as_of=date(2026, 5, 31))
    assert "#src-reversal" in text and "#src-transfer" in text and "#src-payment-run" in text
    result = check(bean_check, tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""


def test_bean_check_would_catch_a_wrong_balance(bean_check, tmp_path):
    """The check is real: tamper with one asserted balance and bean-check fails."""
    scenario.build()
    text = books_beancount(as_of=date(2026, 5, 31))
    tampered = text.replace(
        "balance Assets:F460100:A1004  70000.0000 CNY",
        "balance Assets:F460100:A1004  70000.0100 CNY",
    )
    assert tampered != text
    result = check(bean_check, tmp_path, tampered)
    assert result.returncode != 0
    assert "Balance failed" in result.stdout + result.stderr
