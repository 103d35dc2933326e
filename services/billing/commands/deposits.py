"""Deposit refunds (退押金): a paid decoration deposit is refunded once its procedure is closed.

Billing learns the closing from intake's events (`intake.procedure.completed|cancelled`) and, for
a decoration, the settlement (`intake.procedure.deposit_settled`: the refund, less what was withheld
and why). A refund is a new entry (`deposit_refunds`, its `_id` the deposit's line: one refund per
deposit), approved by the manager who makes it, with a reason and how it is paid out; the line keeps
a running `refunded_fen` beside `paid_fen`, and reconciliation recomputes it from the entries. The
payout counts in the approver's business day (日结) like a reversal.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo import UpdateOne

from services.billing import store
from services.billing.commands.accounts import find_line, line_public
from services.billing.commands.day_close import business_day
from services.billing.commands.ledger import Method
from services.billing.domain import fees
from services.billing.domain.deposits import refund_amount
from shared.auth import Principal
from shared.consumer import Event, batched
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.errors import Conflict, InvalidInput
from shared.events import ProcedureCancelled, ProcedureCompleted, ProcedureDepositSettled
from shared.idempotency import create_once
from shared.money import fen_to_text, text_to_fen

DEPOSIT_ITEM = "decoration_deposit"


class NotRefundable(Conflict):
    code, title = "not_refundable", "This line is not a deposit that can be refunded"


class ProcedureOpen(Conflict):
    code, title = "procedure_open", "The deposit's procedure is not closed yet"


class AlreadyRefunded(Conflict):
    code, title = "already_refunded", "This deposit has been refunded already"


class RefundInput(BaseModel):
    amount: str | None = None  # default: the settlement's refund, or all that was paid
    reason: str
    method: Method = "bank_transfer"


def _closure(event: Event[Any]) -> UpdateOne:
    payload, envelope = event.payload, event.envelope
    fields: dict[str, Any] = {"estate_id": envelope.estateid, "company_id": envelope.companyid,
                              "unit_id": payload.unit_id, "kind": payload.kind}
    if isinstance(payload, ProcedureDepositSettled):
        fields["settlement"] = {"line_id": payload.line_id, "deposit_fen": text_to_fen(payload.deposit),
                                "withheld_fen": text_to_fen(payload.withheld),
                                "refund_fen": text_to_fen(payload.refund),
                                "withholdings": [w.model_dump() for w in payload.withholdings]}
    else:
        closed_at = payload.completed_at if isinstance(payload, ProcedureCompleted) else payload.cancelled_at
        fields.update(closed_at=closed_at, closed_as="completed" if isinstance(payload, ProcedureCompleted)
                      else "cancelled")
    return UpdateOne({"_id": payload.procedure_id}, {"$set": fields}, upsert=True)


@batched
async def project_closures(uow: UnitOfWork, events: list[Event[Any]]) -> None:
    """Procedures closed (completed or cancelled) and deposits settled, one bulk write for the batch."""
    updates = [_closure(event) for event in events
               if isinstance(event.payload, (ProcedureCompleted, ProcedureCancelled, ProcedureDepositSettled))]
    if updates:
        await uow.db[store.CLOSED_PROCEDURES].bulk_write(updates, ordered=True, session=uow.session)



def _refund_of(line: dict[str, Any], closure: dict[str, Any] | None, *, asked_fen: int | None) -> int:
    if closure is None or not closure.get("closed_at"):
        raise ProcedureOpen("the deposit is refunded once its procedure is completed or cancelled",
                            field="bill_line_id")
    if line["status"] != "paid":
        raise Conflict("the deposit is not paid in full; only a paid deposit is refunded", field="bill_line_id")
    settlement = closure.get("settlement") or {}
    return refund_amount(paid_fen=line["paid_fen"], settled_refund_fen=settlement.get("refund_fen"),
                         withheld_fen=settlement.get("withheld_fen", 0), asked_fen=asked_fen)


async def refund_deposit(database: Database, principal: Principal, *, line_id: str, request: RefundInput,
                         idempotency_key: str | None) -> dict[str, Any]:
    line = await find_line(database, principal, line_id=line_id)
    if line["item_code"] != DEPOSIT_ITEM and not line["rule"].get("refundable"):
        raise NotRefundable(f"{line['item_code']} is not a refundable deposit", field="bill_line_id")
    if not request.reason.strip():
        raise InvalidInput("a refund needs a reason", field="reason")
    asked = None if request.amount is None else fees.amount_in_fen(request.amount, field="amount")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if await store.find_one(uow, store.DEPOSIT_REFUNDS, query={"_id": line_id}):
            raise AlreadyRefunded("a deposit is refunded once", field="bill_line_id")
        current = await store.find_one(uow, store.BILL_LINES, query={"_id": line_id})
        procedure_id = (current.get("source") or {}).get("procedure_id")
        closure = await store.find_one(uow, store.CLOSED_PROCEDURES,
                                       query={"_id": procedure_id}) if procedure_id else None
        amount_fen = _refund_of(current, closure, asked_fen=asked)
        result = await uow.db[store.BILL_LINES].update_one(
            {"_id": line_id, "paid_fen": current["paid_fen"]}, {"$set": {"refunded_fen": amount_fen}},
            session=uow.session)
        if result.modified_count != 1:
            raise Conflict("the line changed meanwhile; try again", field="bill_line_id")
        now = utcnow()
        refund = {"_id": line_id, "estate_id": current["estate_id"], "company_id": current["company_id"],
                  "unit_id": current["unit_id"], "line_id": line_id, "procedure_id": procedure_id,
                  "amount_fen": amount_fen, "method": request.method, "reason": request.reason,
                  "approved_by": principal.user_id, "clerk_id": principal.user_id, "refunded_at": now,
                  "business_day": await business_day(uow, current["estate_id"], clerk_id=principal.user_id, now=now)}
        await uow.db[store.DEPOSIT_REFUNDS].insert_one(refund, session=uow.session)
        return refund_public(refund, {**current, "refunded_fen": amount_fen})

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work,
                             already_exists=AlreadyRefunded("a deposit is refunded once", field="bill_line_id"))


def refund_public(refund: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    return {"id": refund["_id"], "line_id": refund["line_id"], "unit_id": refund["unit_id"],
            "procedure_id": refund["procedure_id"], "amount": fen_to_text(refund["amount_fen"]),
            "method": refund["method"], "reason": refund["reason"], "approved_by": refund["approved_by"],
            "refunded_at": refund["refunded_at"], "business_day": refund["business_day"], "line": line_public(line)}
