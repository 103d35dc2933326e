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
