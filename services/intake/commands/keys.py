"""The key register (钥匙管理) and lost property (失物招领): register, lend, return, claim, dispose.

A loan is claimed on the key with a conditional update (in → out), so two desks lending the same
key at once cannot both succeed. Claimants' names and document numbers never reach the logs
unmasked; the document number is stored masked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog

from services.intake import commands as intake
from services.intake.commands.inputs.keys import (
    KeyCreate,
    KeyLoanCreate,
    KeyReturnCreate,
    LostItemClaim,
    LostItemCreate,
    LostItemDisposal,
)
from services.intake.domain import keys as rules
from services.intake.store import keys as store
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.estates import estate_time_zone
from shared.events import KeyLent, KeyReturned, LostItemClaimed, LostItemDisposed, LostItemRegistered
from shared.idempotency import create_once
from shared.logging import mask_name
from shared.lookup import found

log = structlog.get_logger(__name__)
# A clock a little ahead of ours is not "found in the future".
CLOCK_SKEW = timedelta(minutes=5)


async def register_key(
    database: Database, principal: Principal, *, request: KeyCreate, idempotency_key: str | None, present: Presenter
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=request.estate_id)
    if request.kind == "unit" and request.unit_id is None:
        raise InvalidInput("a unit's key names its unit", field="unit_id")
    key = {"_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], **request.model_dump(),
           "status": "in", "current_loan_id": None, "lent_at": None, "registered_at": utcnow(),
           "registered_by": principal.user_id}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.KEYS, document=key)
        return present(key)

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"a key labelled {request.label!r} is already registered", field="label"),
    )


async def lend_key(database: Database, principal: Principal, *, key_id: str, request: KeyLoanCreate) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        key = await _key(uow, principal, key_id=key_id)
        rules.check_lendable(key, await estate_time_zone(uow, key["estate_id"]))
        now = utcnow()
        loan = {
            "_id": new_id(), "estate_id": key["estate_id"], "company_id": key["company_id"], "key_id": key["_id"],
            "label": key["label"], "key_kind": key["kind"], "unit_id": key.get("unit_id"), **request.model_dump(),
            "lent_by": principal.user_id, "lent_at": now, "returned_at": None,
        }
        if not await store.change_if(uow, store.KEYS, document_id=key["_id"], expected={"status": "in"},
                                     fields={"status": "out", "current_loan_id": loan["_id"], "lent_at": now}):
            raise rules.KeyAlreadyOut(f"key {key['label']} was lent at the same moment")
        await store.insert(uow, store.KEY_LOANS, document=loan)
        uow.emit(KeyLent(key_id=key["_id"], loan_id=loan["_id"], label=key["label"], key_kind=key["kind"],
                         unit_id=key.get("unit_id"), borrower=request.borrower, purpose=request.purpose,
                         witnessed_by=request.witnessed_by, lent_at=now, due_back_at=request.due_back_at),
                 **about(loan))
        return loan

    return await database.transaction(work)


async def return_key(database: Database, principal: Principal, *, key_id: str, request: KeyReturnCreate) -> dict[str,
                                                                                                                 Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        key = await _key(uow, principal, key_id=key_id)
        rules.check_returnable(key)
        loan = await store.find(uow, store.KEY_LOANS, document_id=key["current_loan_id"],
                                scope={"estate_id": key["estate_id"]})
        now = utcnow()
        returned = {"returned_at": now, "returned_by": request.returned_by,
                    "return_witnessed_by": request.witnessed_by, "received_by": principal.user_id, "note": request.note}
        claimed = await store.change_if(uow, store.KEYS, document_id=key["_id"],
                                        expected={"status": "out", "current_loan_id": loan["_id"]},
                                        fields={"status": "in", "current_loan_id": None, "lent_at": None})
        if not claimed or not await store.change_if(uow, store.KEY_LOANS, document_id=loan["_id"],
                                                    expected={"returned_at": None}, fields=returned):
            raise rules.KeyNotOut(f"key {key['label']} was returned at the same moment")
        uow.emit(KeyReturned(key_id=key["_id"], loan_id=loan["_id"], label=key["label"],
                             returned_by=request.returned_by, witnessed_by=request.witnessed_by,
                             lent_at=loan["lent_at"], returned_at=now),
                 **about(loan))
        return {**loan, **returned}

    return await database.transaction(work)


async def _key(uow: UnitOfWork, principal: Principal, *, key_id: str) -> dict[str, Any]:
    key = found(await store.find(uow, store.KEYS, document_id=key_id, scope=principal.estate_filter()), "key")
    return key


# --- lost property ---------------------------------------------------------------------------------

async def register_lost_item(
    database: Database, principal: Principal, *, request: LostItemCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=request.estate_id)
    now = utcnow()
    if request.found_at > now + CLOCK_SKEW:
        raise InvalidInput("an item cannot be found in the future", field="found_at")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        keep_days = await store.keep_days(uow, estate["_id"], default=rules.DEFAULT_KEEP_DAYS)
        item = {"_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], **request.model_dump(),
                "registered_by": principal.user_id, "registered_at": now, "status": "held",
                "keep_until": rules.keep_until(request.found_at, keep_days), "claim": None, "disposal": None}
        await store.insert(uow, store.LOST_ITEMS, document=item)
        uow.emit(LostItemRegistered(item_id=item["_id"], description=item["description"],
                                    found_where=item["found_where"], found_at=item["found_at"],
                                    keep_until=item["keep_until"]), **about(item))
        return present(item)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def claim_lost_item(database: Database, principal: Principal, *, item_id: str, request: LostItemClaim
                          ) -> dict[str, Any]:
    masked = rules.mask_document_number(request.id_document_number)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        item = await _lost_item(uow, principal, item_id=item_id)
        rules.check_claimable(item)
        now = utcnow()
        claim = {"claimant_name": request.claimant_name, "claimant_phone": request.claimant_phone,
                 "id_document_type": request.id_document_type, "id_document_number": masked,
                 "identity_checked_by": principal.user_id, "claimed_at": now, "note": request.note}
        if not await store.change_if(uow, store.LOST_ITEMS, document_id=item["_id"], expected={"status": "held"},
                                     fields={"status": "claimed", "claim": claim}):
            raise Conflict("the item was claimed or disposed of at the same moment")
        uow.emit(LostItemClaimed(item_id=item["_id"], claimed_at=now, id_document_type=request.id_document_type),
                 **about(item))
        return {**item, "status": "claimed", "claim": claim}

    answer = await database.transaction(work)
    log.info("lost item claimed", item_id=item_id, claimant=mask_name(request.claimant_name), id_document=masked)
    return answer


async def dispose_lost_item(database: Database, principal: Principal, *, item_id: str, request: LostItemDisposal
                            ) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        item = await _lost_item(uow, principal, item_id=item_id)
        now = utcnow()
        rules.check_disposable(item, now, time_zone=await estate_time_zone(uow, item["estate_id"]))
        disposal = {"method": request.method, "note": request.note, "by": principal.user_id, "at": now}
        if not await store.change_if(uow, store.LOST_ITEMS, document_id=item["_id"], expected={"status": "held"},
                                     fields={"status": "disposed", "disposal": disposal}):
            raise Conflict("the item was claimed or disposed of at the same moment")
        uow.emit(LostItemDisposed(item_id=item["_id"], disposed_at=now, method=request.method), **about(item))
        return {**item, "status": "disposed", "disposal": disposal}

    return await database.transaction(work)


async def _lost_item(uow: UnitOfWork, principal: Principal, *, item_id: str) -> dict[str, Any]:
    item = found(await store.find(uow, store.LOST_ITEMS, document_id=item_id, scope=principal.estate_filter()),
                 "lost item")
    return item


async def set_keep_days(database: Database, principal: Principal, *, estate_id: str, days: int) -> None:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    await database.transaction(lambda uow: store.set_keep_days(uow, estate["_id"], company_id=estate["company_id"],
                                                               days=days))
