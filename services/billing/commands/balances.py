"""New bill lines drawing on the unit's prepaid balances, each line only on the balance of its kind
(domain/balances.py), and the low-balance warning (`billing.balance.low`) when a draw crosses the
estate's threshold."""

from __future__ import annotations

from typing import Any

from services.billing import store
from services.billing.commands.ledger import allocate_to
from services.billing.domain.balances import Owed, crossed_low, draws, kind_of, line_kind
from services.billing.domain.bills import outstanding
from shared.db import UnitOfWork
from shared.events import BalanceLow
from shared.money import fen_to_text

DEFAULT_LOW_BALANCE_FEN = 2_000  # 20.00: below it the residents of a prepaid unit are warned


async def draw_on_balances(uow: UnitOfWork, lines: list[dict[str, Any]], *, at) -> None:
    """New lines of units with a prepaid balance are paid from it, oldest first."""
    unit_ids = sorted({line["unit_id"] for line in lines})
    documents = await store.find_all(uow, store.BALANCES, query={  # a range: an index walk, not one lookup per unit
        "estate_id": lines[0]["estate_id"], "unit_id": {"$gte": unit_ids[0], "$lte": unit_ids[-1]},
        "balance_fen": {"$gt": 0}})
    wanted = set(unit_ids)
    threshold: int | None = None  # the estate's, read once and only when a draw may cross it
    balances: dict[str, dict[str, dict[str, Any]]] = {}
    for document in documents:
        if document["unit_id"] in wanted:
            balances.setdefault(document["unit_id"], {})[kind_of(document)] = document
    for unit_id, by_kind in sorted(balances.items()):
        unit_lines = sorted((line for line in lines if line["unit_id"] == unit_id),
                            key=lambda line: (line["due_date"], line["period"], line["_id"]))
        shares = draws({kind: d["balance_fen"] for kind, d in by_kind.items()},
                       [Owed(line["_id"], line_kind(line), outstanding(line)) for line in unit_lines])
        by_id = {line["_id"]: line for line in unit_lines}
        for share in shares:
            await allocate_to(uow, by_id[share.line_id], amount_fen=share.amount_fen, source="balance",
                              ref=share.line_id, at=at,
                              balance_kind=share.kind)
        for kind, document in sorted(by_kind.items()):
            used = sum(share.amount_fen for share in shares if share.kind == kind)
            if used:
                unit = {"_id": unit_id, "estate_id": document["estate_id"], "company_id": document["company_id"]}
                first = next(share.line_id for share in shares if share.kind == kind)
                await store.change_balance(uow, unit, amount_fen=-used, reason="bill", ref=first, at=at, kind=kind)
                if threshold is None:
                    threshold = await low_balance_threshold(uow, document["estate_id"])
                warn_when_low(uow, unit, kind=kind, before=document["balance_fen"],
                              after=document["balance_fen"] - used, threshold=threshold)


async def low_balance_threshold(uow: UnitOfWork, estate_id: str) -> int:
    """Below it (fen) the residents of a prepaid unit are warned: the estate's policy, or the default."""
    policy = await store.find_one(uow, store.BALANCE_POLICIES, query={"_id": estate_id})
    return (policy or {}).get("low_balance_fen", DEFAULT_LOW_BALANCE_FEN)


def warn_when_low(uow: UnitOfWork, unit: dict[str, Any], *, kind: str, before: int, after: int,
                  threshold: int) -> None:
    """`billing.balance.low` once per crossing of the threshold on the way down, naming the balance."""
    if crossed_low(before_fen=before, after_fen=after, threshold_fen=threshold):
        uow.emit(BalanceLow(unit_id=unit["_id"], balance=fen_to_text(after), threshold=fen_to_text(threshold),
                            balance_kind=kind),
                 subject=unit["_id"], company_id=unit["company_id"], estate_id=unit["estate_id"])
