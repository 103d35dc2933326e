"""Payments, their reversals (冲正) and the prepaid balances: every movement an inserted entry.

A payment takes the next receipt number of its estate inside its own transaction (gapless:
an aborted payment gives its number back), pays the oldest open lines first unless lines are
named, and puts the rest on the unit's general prepaid balance (预存), which new lines draw on when
issued (commands/balances.py). A top-up pays no lines: all of it goes to the electricity balance of a
prepaid meter, or to the general one when it names it.

Named lines are read before the transaction and checked as read (the unit's, open); the transaction
takes the receipt number, then pays each of them only if it is still as it was read. A line paid or
waived meanwhile (another clerk's payment, an online one) refuses the payment with 409 after its
number was taken: the abort gives the number back, and nothing is paid on a stale amount.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.billing import store
from services.billing.commands.day_close import business_day
from services.billing.domain.balances import BalanceKind, WrongBalanceKind, credited_kind, kind_of
from services.billing.domain.bills import outstanding
from services.billing.domain.payments import OpenLine, allocate, line_status
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import PaymentReceived, PaymentReversed
from shared.idempotency import create_once
from shared.money import fen_to_text, text_to_fen

Method = Literal["cash", "wechat_pay", "alipay", "bank_transfer", "card"]


class PaymentInput(BaseModel):
    unit_id: str
    amount: str
    method: Method
    line_ids: list[str] | None = None
    note: str | None = None
    top_up: bool = False  # all of it to a prepaid balance, no bills paid: the electricity meter's unless named
    balance_kind: BalanceKind | None = None  # the balance a top-up credits (domain/balances.py)


class ReversalInput(BaseModel):
    reason: str


class LinePaidMeanwhile(Conflict):
    code, title = "bill_line_changed", "A named bill line was paid or waived meanwhile"


async def allocate_to(uow: UnitOfWork, line: dict[str, Any], *, amount_fen: int, source: str, ref: str, at,
                      if_changed: Exception | None = None, balance_kind: str | None = None) -> None:
    """A payment's or a balance's share of a line (`balance_kind`: which balance, for a balance's share)."""
    await store.add_to_line(uow, line, amount_fen=amount_fen,
                            status=line_status(line["amount_fen"], line["paid_fen"] + amount_fen,
                                                             waived_fen=line.get("waived_fen", 0)),
                            if_changed=if_changed)
    line["paid_fen"] += amount_fen
    await uow.db[store.ALLOCATIONS].insert_one(
        {"_id": new_id(), "estate_id": line["estate_id"], "company_id": line["company_id"], "unit_id": line["unit_id"],
         "line_id": line["_id"], "source": source, "payment_id": ref if source == "payment" else None, "ref": ref,
         "amount_fen": amount_fen, "at": at, **({"balance_kind": balance_kind} if balance_kind else {})},
        session=uow.session)


async def find_unit(database: Database, principal: Principal, *, unit_id: str, field: str | None = None) -> dict:
    unit = await store.find_one(database, store.UNITS, query={"_id": unit_id, **principal.estate_filter()})
    if unit is None:
        raise NotFound("unit", field=field)
    return unit


def parse_amount(text: str) -> int:
    try:
        fen = text_to_fen(text)
    except ValueError as error:
        raise InvalidInput("an amount is a decimal string with at most two places, e.g. \"100.50\"",
                           field="amount") from error
    if fen <= 0:
        raise InvalidInput("a payment is more than zero", field="amount")
    return fen


async def _named_lines(database: Database, unit: dict[str, Any], *, line_ids: list[str]) -> list[dict[str, Any]]:
    """Named lines as they are before the payment's transaction (the unit's: others are 404)."""
    found = {d["_id"]: d for d in await store.find_all(database, store.BILL_LINES, query={"_id": {"$in": line_ids},
                                                                                           "unit_id": unit["_id"]})}
    if missing := [line_id for line_id in line_ids if line_id not in found]:
        raise NotFound("bill line of this unit", field="line_ids", line_ids=missing)
    return [found[line_id] for line_id in dict.fromkeys(line_ids)]


def _open_as_read(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The early check, inside the transaction (so that a replayed request is answered first) but on the lines
    as read before it: copies, as an attempt may run again."""
    if closed := [line["_id"] for line in lines if line["status"] not in store.OPEN_STATUSES]:
        raise Conflict("these lines are not open to payment (paid or waived)", field="line_ids", line_ids=closed)
    return [dict(line) for line in lines]


async def take_payment(database: Database, principal: Principal, *, request: PaymentInput,
                       idempotency_key: str | None) -> dict[str, Any]:
    amount_fen = parse_amount(request.amount)
    try:
        kind = credited_kind(request.top_up, request.balance_kind)
    except WrongBalanceKind as wrong:
        raise InvalidInput(str(wrong), field="balance_kind") from wrong
    unit = await find_unit(database, principal, unit_id=request.unit_id, field="unit_id")
    named = None if request.top_up or not request.line_ids else await _named_lines(database, unit,
                                                                                   line_ids=request.line_ids)
    meanwhile = None if named is None else LinePaidMeanwhile(
        "a named line was paid or waived meanwhile; read it again", field="line_ids")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = utcnow()
        if request.top_up:
            lines = []
        elif named is not None:
            lines = _open_as_read(named)
        else:
            lines = await store.open_lines_of_unit(uow, unit["_id"])
        shares, rest = allocate(amount_fen, [OpenLine(line["_id"], outstanding(line)) for line in lines])
        seq = await next_value(uow, f"receipt:{unit['estate_id']}")
        day = await business_day(uow, unit["estate_id"], clerk_id=principal.user_id, now=now)
        payment = {
            "_id": new_id(), "estate_id": unit["estate_id"], "company_id": unit["company_id"], "unit_id": unit["_id"],
            "receipt_seq": seq, "receipt_number": f"SJ{seq:08d}", "amount_fen": amount_fen, "method": request.method,
            "applied_fen": amount_fen - rest, "to_balance_fen": rest, "balance_kind": kind,
            "line_ids": [s.line_id for s in shares],
            "note": request.note, "clerk_id": principal.user_id, "received_at": now, "business_day": day,
        }
        by_id = {line["_id"]: line for line in lines}
        for share in shares:
            await allocate_to(uow, by_id[share.line_id], amount_fen=share.amount_fen, source="payment",
                              ref=payment["_id"], at=now,
                               if_changed=meanwhile)
        if rest:
            await store.change_balance(uow, unit, amount_fen=rest, reason="payment", ref=payment["_id"], at=now,
                                       kind=kind)
        await uow.db[store.PAYMENTS].insert_one(payment, session=uow.session)
        uow.emit(PaymentReceived(
            payment_id=payment["_id"], unit_id=unit["_id"], receipt_number=payment["receipt_number"],
            amount=fen_to_text(amount_fen), method=request.method, applied=fen_to_text(payment["applied_fen"]),
            to_balance=fen_to_text(rest), line_ids=payment["line_ids"], received_at=now,
        ), subject=payment["_id"], company_id=unit["company_id"], estate_id=unit["estate_id"])
        return payment_public(payment, None)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work,
                             grouped=True)


async def find_payment(database: Database, principal: Principal, *, payment_id: str) -> dict[str, Any]:
    payment = await store.find_one(database, store.PAYMENTS, query={"_id": payment_id, **principal.estate_filter()})
    if payment is None:
        raise NotFound("payment")
    return payment


async def reverse_payment(database: Database, principal: Principal, *, payment_id: str,
                          request: ReversalInput) -> dict[str, Any]:
    payment = await find_payment(database, principal, payment_id=payment_id)
    if not request.reason.strip():
        raise InvalidInput("a reversal needs a reason", field="reason")
    unit = {"_id": payment["unit_id"], "estate_id": payment["estate_id"], "company_id": payment["company_id"]}
    kind = kind_of(payment, "balance_kind")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = utcnow()
        if await store.find_one(uow, store.REVERSALS, query={"_id": payment_id}):
            raise Conflict("this payment is reversed already", field="payment_id")
        if payment["to_balance_fen"] > await store.balance_of(uow, unit["_id"], kind=kind):
            raise Conflict("the prepaid part of this payment has been used by later bills; reverse those first")
        shares = await store.find_all(uow, store.ALLOCATIONS, query={"payment_id": payment_id, "source": "payment"})
        for share in shares:
            line = await store.find_one(uow, store.BILL_LINES, query={"_id": share["line_id"]})
            if line.get("refunded_fen"):  # the deposit it paid went back to the resident (退押金)
                raise Conflict("this payment paid a deposit that has been refunded", field="payment_id")
            await allocate_to(uow, line, amount_fen=-share["amount_fen"], source="payment", ref=payment_id, at=now)
        if payment["to_balance_fen"]:
            await store.change_balance(uow, unit, amount_fen=-payment["to_balance_fen"], reason="reversal",
                                       ref=payment_id, at=now,
                                       kind=kind)
        reversal = {"_id": payment_id, "estate_id": unit["estate_id"], "company_id": unit["company_id"],
                    "unit_id": unit["_id"], "amount_fen": payment["amount_fen"],
                    "to_balance_fen": payment["to_balance_fen"], "balance_kind": kind, "reason": request.reason,
                    "by": principal.user_id,
                    "clerk_id": principal.user_id, "method": payment["method"], "reversed_at": now,
                    "business_day": await business_day(uow, unit["estate_id"], clerk_id=principal.user_id, now=now)}
        await uow.db[store.REVERSALS].insert_one(reversal, session=uow.session)
        uow.emit(PaymentReversed(
            payment_id=payment_id, unit_id=unit["_id"], receipt_number=payment["receipt_number"],
            amount=fen_to_text(payment["amount_fen"]), reason=request.reason, reversed_at=now,
            applied=fen_to_text(payment["applied_fen"]), to_balance=fen_to_text(payment["to_balance_fen"]),
        ), subject=payment_id, company_id=unit["company_id"], estate_id=unit["estate_id"])
        return payment_public(payment, reversal)

    try:
        return await database.transaction(work)
    except DuplicateKeyError as duplicate:
        raise Conflict("this payment is reversed already", field="payment_id") from duplicate


def payment_public(payment: dict[str, Any], reversal: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": payment["_id"], "estate_id": payment["estate_id"], "unit_id": payment["unit_id"],
        "receipt_number": payment["receipt_number"], "amount": fen_to_text(payment["amount_fen"]),
        "method": payment["method"], "applied": fen_to_text(payment["applied_fen"]),
        "to_balance": fen_to_text(payment["to_balance_fen"]), "balance_kind": kind_of(payment, "balance_kind"),
        "line_ids": payment["line_ids"],
        "received_at": payment["received_at"], "business_day": payment.get("business_day"), "status": "reversed" if reversal else "received",
        "reversal": None if reversal is None else {"reason": reversal["reason"], "by": reversal["by"],
                                                    "reversed_at": reversal["reversed_at"]},
    }


class WaiverInput(BaseModel):
    amount: str | None = None  # default: all that is outstanding
    reason: str


async def waive_line(database: Database, principal: Principal, *, line_id: str, request: WaiverInput) -> dict[str, Any]:
    """减免: a new entry, approved by the caller (a manager), that settles some or all of a line."""
    line = await store.find_one(database, store.BILL_LINES, query={"_id": line_id, **principal.estate_filter()})
    if line is None:
        raise NotFound("bill line")
    if not request.reason.strip():
        raise InvalidInput("a waiver needs a reason", field="reason")
    amount_fen = outstanding(line) if request.amount is None else parse_amount(request.amount)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        current = await store.find_one(uow, store.BILL_LINES, query={"_id": line_id})
        if current["status"] not in store.OPEN_STATUSES:
            raise Conflict("the line is not open (paid or waived)", field="bill_line_id")
        if not 0 < amount_fen <= outstanding(current):
            raise InvalidInput(f"at most {fen_to_text(outstanding(current))} is outstanding", field="amount")
        waived = current.get("waived_fen", 0) + amount_fen
        result = await uow.db[store.BILL_LINES].update_one(
            {"_id": line_id, "paid_fen": current["paid_fen"], "waived_fen": current.get("waived_fen", 0)},
            {"$set": {"waived_fen": waived,
                      "status": line_status(current["amount_fen"], current["paid_fen"], waived_fen=waived)}},
            session=uow.session)
        if result.modified_count != 1:
            raise Conflict("the line changed meanwhile; read it again")
        waiver = {"_id": new_id(), "estate_id": current["estate_id"], "company_id": current["company_id"],
                  "unit_id": current["unit_id"], "line_id": line_id, "amount_fen": amount_fen, "reason": request.reason,
                  "approved_by": principal.user_id, "waived_at": utcnow()}
        await uow.db[store.WAIVERS].insert_one(waiver, session=uow.session)
        return waiver

    waiver = await database.transaction(work)
    return {"id": waiver["_id"], "line_id": line_id, "amount": fen_to_text(amount_fen), "reason": waiver["reason"],
            "approved_by": waiver["approved_by"], "waived_at": waiver["waived_at"],
            "line": await store.find_one(database, store.BILL_LINES, query={"_id": line_id})}
