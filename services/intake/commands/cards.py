"""The card register (门禁卡/车卡): cards issued for a unit, reported lost, cancelled.

Cards are issued on their own at the desk, or by a move-in; a move-out cancels the resident's cards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.intake import commands as intake
from services.intake.commands.inputs.procedures import CardCreate
from services.intake.store import procedures as store
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidTransition
from shared.events import CardCancelled, CardIssued, CardLost
from shared.lookup import found

# command → {from: to}; a lost or cancelled card stays so (a replacement is a new card).
CARD_TRANSITIONS = {"report-lost": {"active": "lost"}, "cancel": {"active": "cancelled", "lost": "cancelled"}}
CARD_EVENTS = {"report-lost": CardLost, "cancel": CardCancelled}


def new_card(
    *, estate: dict[str, Any], unit_id: str, resident_id: str | None, kind: str, number: str, by: str,
    at: datetime, procedure_id: str | None = None,
) -> dict[str, Any]:
    return {
        "_id": new_id(), "estate_id": estate["estate_id"], "company_id": estate["company_id"], "unit_id": unit_id,
        "resident_id": resident_id, "kind": kind, "number": number, "status": "active",
        "active_number": f"{kind}:{number}", "procedure_id": procedure_id, "issued_at": at, "issued_by": by,
        "history": [{"at": at, "by": by, "status": "active", "reason": None, "procedure_id": procedure_id}],
    }


def emit_card(uow: UnitOfWork, event: type, *, card: dict[str, Any]) -> None:
    uow.emit(
        event(card_id=card["_id"], kind=card["kind"], number=card["number"], unit_id=card["unit_id"],
              resident_id=card["resident_id"], procedure_id=card.get("procedure_id")),
        **about(card),
    )


async def issue_card(database: Database, principal: Principal, *, request: CardCreate) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=request.estate_id)
    card = new_card(estate={"estate_id": estate["_id"], "company_id": estate["company_id"]}, unit_id=request.unit_id,
                    resident_id=request.resident_id, kind=request.kind, number=request.number,
                    by=principal.user_id, at=utcnow())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.CARDS, document=card)
        emit_card(uow, CardIssued, card=card)
        return card

    try:
        return await database.transaction(work)
    except DuplicateKeyError as duplicate:
        raise Conflict(f"{request.kind} card {request.number} is already active", field="number") from duplicate


async def change_card(database: Database, principal: Principal, *, card_id: str, command: str, reason: str | None
                      ) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        card = found(await store.find_card(uow, card_id, scope=principal.estate_filter()), "card")
        return await set_card_status(uow, card, command=command, by=principal.user_id, at=utcnow(), reason=reason)

    return await database.transaction(work)


async def set_card_status(
    uow: UnitOfWork, card: dict[str, Any], *, command: str, by: str, at: datetime, reason: str | None,
    procedure_id: str | None = None,
) -> dict[str, Any]:
    target = CARD_TRANSITIONS[command].get(card["status"])
    if target is None:
        raise InvalidTransition(f"a card that is {card['status']} cannot be '{command}'")
    # Only an active card holds its number; once lost or cancelled, the number is free again.
    fields = {"status": target, "active_number": card["_id"]}
    entry = {"at": at, "by": by, "status": target, "reason": reason, "procedure_id": procedure_id}
    if not await store.update_card(uow, card, fields=fields, entry=entry):
        raise Conflict("the card changed at the same moment; read it again")
    changed = {**card, **fields, "history": [*card["history"], entry]}
    emit_card(uow, CARD_EVENTS[command], card=changed)
    return changed


async def cancel_resident_cards(uow: UnitOfWork, case: dict[str, Any], *, by: str, at: datetime) -> list[str]:
    """A move-out cancels the active cards of the resident on the unit; the numbers it cancelled."""
    query = {"estate_id": case["estate_id"], "unit_id": case["unit_id"], "resident_id": case["resident_id"],
             "status": "active"}
    cards = await uow.db[store.CARDS].find(query, session=uow.session).to_list(None)
    for card in cards:
        await set_card_status(uow, card, command="cancel", by=by, at=at, reason="move_out", procedure_id=case["_id"])
    return [f"{card['kind']}:{card['number']}" for card in cards]
