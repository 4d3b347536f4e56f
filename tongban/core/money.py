"""Money as integer fen (分), and the one place where amounts are rounded.

Amounts are ``int`` fen everywhere. Rates are ``Decimal``. Rounding happens only
here, and always half-up to the fen, as the provincial benefit standards are
stated ("rounded half-up to the fen", POLICY.md §3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

FEN_PER_YUAN: Final = 100
ROUNDING: Final = ROUND_HALF_UP


def round_fen(amount_in_fen: Decimal) -> int:
    """Round an exact amount in fen to a whole fen, half-up (四舍五入)."""
    return int(amount_in_fen.quantize(Decimal(1), rounding=ROUNDING))


def apply_rate(amount_fen: int, rate: Decimal) -> int:
    """Return ``rate`` × ``amount_fen``, rounded to the fen."""
    return round_fen(Decimal(amount_fen) * rate)


def yuan_to_fen(yuan: Decimal | int | str) -> int:
    """Convert an amount in yuan (元) to fen; refuses fractions of a fen."""
    value = Decimal(yuan) * FEN_PER_YUAN
    if value != value.to_integral_value():
        raise ValueError(f"{yuan} yuan is not a whole number of fen")
    return int(value)


def format_yuan(amount_fen: int, *, symbol: str = "¥") -> str:
    """Format fen for people: ``164700`` → ``¥1,647.00``."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), FEN_PER_YUAN)
    return f"{sign}{symbol}{yuan:,}.{fen:02d}"
