"""退押金: how much of a paid deposit goes back — what was asked, never more than was paid nor more than
intake's settlement refunds (the deposit less what was withheld, with the reasons). Integer fen."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput
from shared.money import fen_to_text


def refund_amount(*, paid_fen: int, settled_refund_fen: int | None, withheld_fen: int = 0,
                  asked_fen: int | None = None) -> int:
    """The refund: `asked_fen`, or by default the settlement's refund (all that was paid without one)."""
    if asked_fen is None:
        asked_fen = paid_fen if settled_refund_fen is None else min(paid_fen, settled_refund_fen)
        if asked_fen <= 0:
            raise Conflict("nothing is left to refund: the settlement withheld all of it", field="amount")
    if asked_fen <= 0:
        raise InvalidInput("a refund is more than zero", field="amount")
    if asked_fen > paid_fen:
        raise InvalidInput(f"at most {fen_to_text(paid_fen)} was paid", field="amount")
    if settled_refund_fen is not None and asked_fen > settled_refund_fen:
        raise InvalidInput(f"the settlement refunds {fen_to_text(settled_refund_fen)} "
                           f"({fen_to_text(withheld_fen)} withheld)", field="amount")
    return asked_fen
