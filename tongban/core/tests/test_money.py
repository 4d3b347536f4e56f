from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.core.money import apply_rate, format_yuan, round_fen, yuan_to_fen


def test_round_fen_is_half_up():
    assert round_fen(Decimal("164699.5")) == 164700
    assert round_fen(Decimal("164699.49")) == 164699
    assert round_fen(Decimal("-0.5")) == -1  # half away from zero, as 四舍五入


def test_ui_benefit_of_the_demo_minimum_wages():
    # POLICY.md §3: 90% of 1830 and 1730 yuan.
    assert apply_rate(yuan_to_fen(1830), Decimal("0.9")) == 164700
    assert apply_rate(yuan_to_fen(1730), Decimal("0.9")) == 155700


def test_yuan_to_fen_refuses_fractions_of_a_fen():
    assert yuan_to_fen("12.34") == 1234
    with pytest.raises(ValueError, match="whole number of fen"):
        yuan_to_fen("0.001")


def test_format_yuan():
    assert format_yuan(164700) == "¥1,647.00"
    assert format_yuan(-5) == "-¥0.05"


@given(st.integers(min_value=0, max_value=10**12), st.decimals(min_value=0, max_value=1, places=4))
def test_apply_rate_is_within_half_a_fen(amount, rate):
    exact = Decimal(amount) * rate
    assert abs(Decimal(apply_rate(amount, rate)) - exact) <= Decimal("0.5")
