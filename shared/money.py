"""Money is never a float: integer fen inside, decimal strings with two places outside."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def fen_to_text(fen: int) -> str:
    """`123450` → `"1234.50"`."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def text_to_fen(text: str) -> int:
    """`"1234.5"` → `123450`; refuses more than two decimal places."""
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"{text!r} is not an amount") from error
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValueError(f"{text!r} is not an amount with at most two decimal places")
    return int(amount * 100)


def divide_half_up(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded half away from zero, in integers (no float on the way)."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def text_to_hundredths(text: str) -> int:
    """A quantity with at most two decimals (an area in m², a meter reading) in hundredths: `"89.5"` → `8950`."""
    return text_to_fen(text)


def hundredths_to_text(value: int) -> str:
    return fen_to_text(value)
