from datetime import date

import pytest

from tongban.core.identifiers import (
    InvalidIdentifier,
    mask_bank_account,
    mask_id_number,
    mask_name,
    parse_citizen_id,
    parse_uscc,
)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "F"),
        ("360426199101010071", date(1991, 1, 1), "M"),
        ("460100199001010019", date(1990, 1, 1), "M"),
    ],
)
def test_policy_vectors_are_valid(number, birth, sex):
    parsed = parse_citizen_id(number)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert parsed.address_code == number[:6]


def test_lowercase_x_is_accepted_and_stored_uppercase():
    assert parse_citizen_id("11010519491231002x").number == "11010519491231002X"


def test_surrounding_spaces_are_ignored():
    assert parse_citizen_id("  460100199001010019 ").number == "460100199001010019"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("460100199001010018", "check_digit"),
        ("11010519491231002Y", "format"),
        ("110105491231002", "legacy_15_digit"),
        ("４６０１００１９９００１０１００１９", "fullwidth"),
        ("46010019900101001９", "fullwidth"),
        ("46010019901301001X", "birth_date"),
        ("", "required"),
        ("4601001990010100", "format"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw, code):
    with pytest.raises(InvalidIdentifier) as caught:
        parse_citizen_id(raw)
    assert caught.value.code == code
    assert caught.value.message


def test_a_birth_date_after_as_of_is_refused():
    # 2030-01-01 is a real date with a valid check digit, but not born yet on 2026-11-26.
    number = "46010020300101001" + _check("46010020300101001")
    assert parse_citizen_id(number).birth_date == date(2030, 1, 1)
    with pytest.raises(InvalidIdentifier) as caught:
        parse_citizen_id(number, as_of=date(2026, 11, 26))
    assert caught.value.code == "future_birth_date"


def _check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def test_uscc_vector_and_refusals():
    assert parse_uscc("91110000600037341l") == "91110000600037341L"
    with pytest.raises(InvalidIdentifier) as caught:
        parse_uscc("91110000600037341M")
    assert caught.value.code == "check_digit"
    with pytest.raises(InvalidIdentifier) as caught:
        parse_uscc("9111000060003734IL")
    assert caught.value.code == "format"
    with pytest.raises(InvalidIdentifier) as caught:
        parse_uscc("９1110000600037341L")
    assert caught.value.code == "fullwidth"


def test_masks():
    assert mask_id_number("460100199001010019") == "4601**********0019"
    assert mask_bank_account("6222021234567890123") == "***************0123"
    assert mask_name("王小明") == "王**"
