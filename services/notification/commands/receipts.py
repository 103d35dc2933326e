"""Recording the SMS vendors' delivery receipts on the messages they name.

A receipt moves a `sent` message to `delivered`, or to `failed` with the vendor's error, and adds that
attempt; only a message still `sent` moves, so a report pushed again (vendors push until they are
answered, and may push twice anyway) changes nothing. A receipt can arrive before the deliverer
recorded the send (the vendor answers, then pushes before our transaction commits): such a push is
answered as not taken, and the vendor pushes it again later.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from services.notification import store
from services.notification.domain.receipts import Receipt
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.events import MessageFailed


async def account_of(database: Database, provider: str, *, token: str) -> dict[str, Any] | None:
    """The estate whose SMS account was given this receipt URL."""
    return await database.db[store.CHANNEL_SETTINGS].find_one(
        {"channels.sms.provider": provider, "channels.sms.receipt_token": token}, {"_id": 1})


async def record(database: Database, *, estate_id: str, provider: str, receipts: list[Receipt]) -> int:
    """Record each receipt once; returns how many name no message sent so far (to be pushed again)."""

    async def work(uow: UnitOfWork) -> int:
        unknown = 0
        for receipt in receipts:
            if not await _record_one(uow, estate_id=estate_id, provider=provider, receipt=receipt):
                unknown += 1
        return unknown

    return await database.transaction(work)


async def _record_one(uow: UnitOfWork, *, estate_id: str, provider: str, receipt: Receipt) -> bool:
    known = await uow.db[store.VENDOR_IDS].find_one(
        {"_id": store.vendor_id_key(provider, receipt.vendor_id, estate_id=estate_id)}, session=uow.session)
    if known is None:  # not recorded as sent (yet)
        return False
    now = utcnow()
    status = "delivered" if receipt.delivered else "failed"
    attempt = {"at": now, "status": status, "channel": "sms", "provider": provider, "answer": receipt.raw}
    changes: dict[str, Any] = {"status": status, "receipt": {
        "code": receipt.code, "description": receipt.description, "reported_at": receipt.reported_at}}
    changes["delivered_at" if receipt.delivered else "failed_at"] = now
    message = await uow.db[store.MESSAGES].find_one_and_update(
        {"_id": known["message_id"], "estate_id": estate_id, "status": "sent"},
        {"$set": changes, "$push": {"attempts": attempt}}, return_document=ReturnDocument.AFTER, session=uow.session)
    if message is None:  # its receipt was recorded before
        return True
    if message.get("announcement_id"):
        moved = {"counts.delivered": 1} if receipt.delivered else {"counts.sent": -1, "counts.failed": 1}
        await uow.db[store.ANNOUNCEMENTS].update_one({"_id": message["announcement_id"]}, {"$inc": moved},
                                                     session=uow.session)
    if not receipt.delivered:
        uow.emit(MessageFailed(
            message_id=message["_id"], recipient_id=message["recipient_id"], channels=message["channels"],
            template=message["template"], source_event_id=message["source_event_id"],
            attempts=sum(1 for a in message["attempts"] if a["status"] == "failed"),
            last_error=f"{receipt.code} {receipt.description}".strip()[:500],
            announcement_id=message.get("announcement_id")),
            subject=message["_id"], company_id=message["company_id"], estate_id=estate_id)
    return True
