"""Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100).

Parsing is strict on purpose: a caseworker's typo must be caught at the window,
not in a payment run. ``python-stdnum`` does the checksum arithmetic; this module
adds the refusals the province needs (full-width digits, 15-digit legacy numbers,
future birth dates) and masking for display (GB/T 35273 §7.2).

Messages are English source strings marked for translation; the interface layer
translates them with ``gettext`` (they appear in the message catalogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError


def _(message: str) -> str:
    """Mark a message for extraction into the catalogue; translated at display time."""
    return message


class InvalidIdentifier(ValueError):
    """An identifier was refused; ``code`` is stable for clients, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_ASCII_ID: Final = re.compile(r"[0-9]{17}[0-9Xx]")
_LEGACY_ID: Final = re.compile(r"[0-9]{15}")
_FULLWIDTH: Final = re.compile(r"[\uff10-\uff19\uff38\uff58]")  # ０-９, Ｘ, ｘ
_USCC_CHARS: Final = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")

Sex = Literal["M", "F"]

# GB/T 2260 province-level codes (first two digits of an address code).
PROVINCE_CODES: Final = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


@dataclass(frozen=True, slots=True)
class CitizenId:
    """A valid 18-character citizen ID number (公民身份号码) and what it encodes."""

    number: str
    address_code: str
    birth_date: date
    sex: Sex

    def __str__(self) -> str:
        return self.number


def parse_citizen_id(raw: str, *, as_of: date | None = None) -> CitizenId:
    """Validate a citizen ID number and return it normalised (upper-case ``X``).

    ``as_of`` (a date supplied by the caller, never read from a clock) lets the
    parser refuse birth dates in the future.
    """
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        raise InvalidIdentifier("required", _("An ID number is required."))
    if _FULLWIDTH.search(value):
        raise InvalidIdentifier(
            "fullwidth",
            _("The ID number contains full-width characters; type it with ordinary digits."),
        )
    if _LEGACY_ID.fullmatch(value):
        raise InvalidIdentifier(
            "legacy_15_digit",
            _(
                "15-digit ID numbers are no longer accepted; "
                "use the 18-digit number on the second-generation ID card."
            ),
        )
    if not _ASCII_ID.fullmatch(value):
        raise InvalidIdentifier("format", _("An ID number has 17 digits followed by a digit or X."))
    value = value.upper()
    try:
        birth = ric.get_birth_date(value)
    except StdnumValidationError:
        raise InvalidIdentifier(
            "birth_date", _("The birth date in the ID number is not a real date.")
        ) from None
    if as_of is not None and birth > as_of:
        raise InvalidIdentifier(
            "future_birth_date", _("The birth date in the ID number is in the future.")
        )
    if value[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier(
            "address_code", _("The first two digits of the ID number are not a province code.")
        )
    # Only the checksum: ric.validate() also looks the address code up in stdnum's own table
    # by birth year, which refuses real numbers (docs/decisions/0002-identifier-validation.md).
    if ric.calc_check_digit(value) != value[17]:
        raise InvalidIdentifier(
            "check_digit", _("The check digit of the ID number is wrong; please check the number.")
        )
    sex: Sex = "M" if int(value[16]) % 2 == 1 else "F"
    return CitizenId(number=value, address_code=value[:6], birth_date=birth, sex=sex)


def parse_uscc(raw: str) -> str:
    """Validate a unified social credit code (统一社会信用代码) and return it upper-case."""
    value = raw.strip().upper() if isinstance(raw, str) else ""
    if not value:
        raise InvalidIdentifier("required", _("A unified social credit code is required."))
    if _FULLWIDTH.search(value) or re.search(r"[\uff01-\uff5e]", value):
        raise InvalidIdentifier(
            "fullwidth", _("The credit code contains full-width characters; type it in ASCII.")
        )
    if not _USCC_CHARS.fullmatch(value):
        raise InvalidIdentifier(
            "format",
            _(
                "A unified social credit code has 18 characters from 0-9 and A-Y (no I, O, S, V, Z)."
            ),
        )
    try:
        uscc.validate(value)
    except StdnumValidationError:
        raise InvalidIdentifier(
            "check_digit", _("The check character of the credit code is wrong.")
        ) from None
    return value


def mask_id_number(number: str) -> str:
    """Show the first four and last four characters only: ``4601**********0019``."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_bank_account(account: str) -> str:
    """Show only the last four digits of a bank account: ``************1234``."""
    digits = account.replace(" ", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """Keep the family name: ``王小明`` → ``王**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name
