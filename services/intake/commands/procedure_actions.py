"""What each procedure action records, and the events a change of status publishes.

A handler gets the case as read (inside the transaction) and returns the fields to set and a short
detail for the history; `act` applies them with the new status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.intake.commands import cards
from services.intake.domain import procedures as rules
from services.intake.store import procedures as store
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.documents import about
from shared.envelope import new_id
from shared.errors import InvalidInput
from shared.estates import local_day
from shared.events import (
    CardIssued,
    ProcedureApproved,
    ProcedureCancelled,
    ProcedureCompleted,
    ProcedureDepositSettled,
    ProcedureFeeRequested,
    ProcedureRejected,
    ProcedureWorksFlagged,
)
from shared.money import fen_to_text, text_to_fen


@dataclass
class Context:
    uow: UnitOfWork
    case: dict[str, Any]
    principal: Principal
    request: Any
    now: datetime
    time_zone: str
    tickets: list[str | None]

    @property
    def by(self) -> str:
        return self.principal.user_id


Result = tuple[dict[str, Any], dict[str, Any] | None]


def facts(case: dict[str, Any], principal: Principal) -> dict[str, Any]:
    return {"procedure_id": case["_id"], "number": case["number"], "kind": case["kind"], "unit_id": case["unit_id"],
            "resident_id": case.get("resident_id"), "status": case["status"], "by": principal.user_id}


def _tick_for(context: Context, action: str) -> list[dict]:
    """Tick the checklist item that this recording action stands for."""
    items = [item for item, by in rules.KINDS[context.case["kind"]].ticked_by.items() if by == action]
    checklist = context.case["checklist"]
    for item in items:
        checklist = rules.tick(checklist, item, done=True, by=context.by, at=context.now)
    return checklist


# --- the life cycle ------------------------------------------------------------------------------

async def submit(context: Context) -> Result:
    rules.require_checklist_complete(context.case["kind"], "submit", checklist=context.case["checklist"])
    return {}, None


async def approve(context: Context) -> Result:
    case, fees = context.case, context.request.fees
    fields: dict[str, Any] = {"approval": {"by": context.by, "at": context.now, "note": context.request.note}}
    if case["kind"] == "decoration":
        if fees is None:
            raise InvalidInput("approving a decoration sets its deposit and service fee", field="fees")
        fields["fees"] = {"deposit_fen": text_to_fen(fees.deposit), "service_fee_fen": text_to_fen(fees.service_fee)}
    elif fees is not None:
        raise InvalidInput(f"a {case['kind']} case has no fees", field="fees")
    return fields, {"note": context.request.note} if context.request.note else None


async def reject(context: Context) -> Result:
    reasons = [reason.strip() for reason in context.request.reasons]
    return {"rejection": {"by": context.by, "at": context.now, "reasons": reasons}}, {"reasons": reasons}


async def start(context: Context) -> Result:
    return {"started_at": context.now}, None


async def complete(context: Context) -> Result:
    case = context.case
    rules.require_checklist_complete(case["kind"], "complete", checklist=case["checklist"])
    fields: dict[str, Any] = {"completed_at": context.now}
    if case["kind"] == "move_in":
        handed_over = local_day(context.now, context.time_zone)
        starts = context.request.billing_starts_on or handed_over
        fields.update(handed_over_on=handed_over.isoformat(), billing_starts_on=starts.isoformat())
    elif context.request.billing_starts_on is not None:
        raise InvalidInput("only a move-in starts billing", field="billing_starts_on")
    if case["kind"] == "move_out":
        fields["cards_cancelled"] = await cards.cancel_resident_cards(context.uow, case, by=context.by, at=context.now)
    return fields, {"note": context.request.note} if context.request.note else None


async def cancel(context: Context) -> Result:
    return {"cancelled_at": context.now, "cancel_reason": context.request.reason}, {"reason": context.request.reason}


# --- paperwork and hand-over -------------------------------------------------------------------

async def checklist(context: Context) -> Result:
    request = context.request
    rules.check_item_ticked_by_hand(context.case["kind"], request.item)
    ticked = rules.tick(context.case["checklist"], request.item, done=request.done, by=context.by, at=context.now,
                        note=request.note)
    return {"checklist": ticked}, {"item": request.item, "done": request.done}


async def documents(context: Context) -> Result:
    document = {**context.request.model_dump(), "by": context.by, "at": context.now}
    return {"documents": [*context.case.get("documents", []), document]}, {"document": context.request.name}


async def keys(context: Context) -> Result:
    count = context.request.count
    return {"keys_counted": count, "checklist": _tick_for(context, "keys")}, {"count": count}


async def meter_readings(context: Context) -> Result:
    readings = [r.model_dump() for r in context.request.readings]
    meters = [r["meter"] for r in readings]
    if len(set(meters)) != len(meters):
        raise InvalidInput("one reading per meter", field="readings")
    fields = {"meter_readings": readings, "meter_readings_at": context.now,
              "checklist": _tick_for(context, "meter-readings")}
    return fields, {"readings": readings}


async def issue_cards(context: Context) -> Result:
    case, issued = context.case, []
    for card_in in context.request.cards:
        card = cards.new_card(estate=case, unit_id=case["unit_id"], resident_id=case.get("resident_id"),
                              kind=card_in.kind, number=card_in.number, by=context.by, at=context.now,
                              procedure_id=case["_id"])
        await store.insert(context.uow, store.CARDS, document=card)
        cards.emit_card(context.uow, CardIssued, card=card)
        issued.append({"card_id": card["_id"], "kind": card["kind"], "number": card["number"]})
    fields = {"cards": [*case.get("cards", []), *issued], "checklist": _tick_for(context, "cards")}
    return fields, {"cards": [f"{c['kind']}:{c['number']}" for c in issued]}


# --- decoration ----------------------------------------------------------------------------------

def _works_window(case: dict[str, Any]) -> dict[str, Any]:
    application = case["details"]
    return {"start": date.fromisoformat(application["start_date"]), "end": date.fromisoformat(application["end_date"]),
            "hours": [(time.fromisoformat(h["start"]), time.fromisoformat(h["end"]))
                      for h in application["allowed_hours"]]}


def _flag(context: Context, at: datetime, *, source: str) -> dict[str, Any] | None:
    local = at.astimezone(ZoneInfo(context.time_zone))
    reason = rules.outside_approved_works(local, **_works_window(context.case))
    return reason and {"at": at, "local_time": local.strftime("%Y-%m-%d %H:%M"), "reason": reason, "source": source}


async def passes(context: Context) -> Result:
    case, request = context.case, context.request
    window = _works_window(case)
    rules.check_pass_validity(request.valid_from, request.valid_until, start=window["start"], end=window["end"])
    known = {worker["name"] for worker in case["details"]["workers"]}
    if unknown := [name for name in request.workers if name not in known]:
        raise InvalidInput(f"not among the application's workers: {', '.join(unknown)}", field="workers")
    issued = [
        {"pass_number": f"{case['number']}-W{n:02d}", "worker": name, "valid_from": request.valid_from.isoformat(),
         "valid_until": request.valid_until.isoformat(), "issued_by": context.by, "issued_at": context.now}
        for n, name in enumerate(request.workers, start=len(case.get("passes", [])) + 1)
    ]
    return {"passes": [*case.get("passes", []), *issued]}, {"passes": [p["pass_number"] for p in issued]}


async def inspections(context: Context) -> Result:
    request, at = context.request, context.request.at or context.now
    flag = _flag(context, at, source="inspection") if request.works_observed else None
    findings = [{"description": f.description, "ticket_id": ticket}
                for f, ticket in zip(request.findings, context.tickets or [None] * len(request.findings), strict=True)]
    inspection = {"inspection_id": new_id(), "at": at, "by": context.by, "works_observed": request.works_observed,
                  "findings": findings, "note": request.note, "outside_approved_works": flag and flag["reason"]}
    fields = {"inspections": [*context.case.get("inspections", []), inspection], **_with_flag(context, flag)}
    return fields, {"findings": len(findings), **({"flag": flag["reason"]} if flag else {})}


async def works(context: Context) -> Result:
    request = context.request
    flag = _flag(context, request.at, source="works_report")
    report = {"at": request.at, "description": request.description, "reported_by": request.reported_by or context.by,
              "recorded_by": context.by, "outside_approved_works": flag and flag["reason"]}
    fields = {"works_reports": [*context.case.get("works_reports", []), report], **_with_flag(context, flag)}
    return fields, {"flag": flag["reason"]} if flag else None


def _with_flag(context: Context, flag: dict[str, Any] | None) -> dict[str, Any]:
    if flag is None:
        return {}
    return {"flags": [*context.case.get("flags", []), flag], "flagged": True}


async def acceptance(context: Context) -> Result:
    request = context.request
    record = {"passed": request.passed, "findings": request.findings, "by": context.by, "at": context.now}
    fields: dict[str, Any] = {"acceptances": [*context.case.get("acceptances", []), record]}
    if request.passed:
        fields["accepted_at"] = context.now
    return fields, {"passed": request.passed}


async def deposit_settlement(context: Context) -> Result:
    withholdings = [{"amount_fen": text_to_fen(w.amount), "reason": w.reason} for w in context.request.withheld]
    settled = rules.settle_deposit(context.case["fees"]["deposit_fen"], [w["amount_fen"] for w in withholdings])
    settlement = {"deposit_fen": settled.deposit_fen, "withheld_fen": settled.withheld_fen,
                  "refund_fen": settled.refund_fen, "withholdings": withholdings, "by": context.by, "at": context.now}
    return {"deposit_settlement": settlement, "completed_at": context.now}, {"refund": fen_to_text(settled.refund_fen)}


HANDLERS: dict[str, Callable[[Context], Awaitable[Result]]] = {
    "submit": submit, "approve": approve, "reject": reject, "start": start, "complete": complete, "cancel": cancel,
    "checklist": checklist, "documents": documents, "keys": keys, "meter-readings": meter_readings,
    "cards": issue_cards, "passes": passes, "inspections": inspections, "works": works, "acceptance": acceptance,
    "deposit-settlement": deposit_settlement,
}


# --- events ------------------------------------------------------------------------------------

def emit_status_events(context: Context, case: dict[str, Any]) -> None:
    uow, common, where = context.uow, facts(case, context.principal), about(case)
    action = case["history"][-1]["action"]
    if action == "approve":
        uow.emit(ProcedureApproved(**common, approved_at=context.now, note=context.request.note), **where)
        if lines := fee_lines(case):
            uow.emit(ProcedureFeeRequested(**common, lines=lines), **where)
    elif action == "reject":
        uow.emit(ProcedureRejected(**common, rejected_at=context.now, reasons=case["rejection"]["reasons"]), **where)
    elif action == "cancel":
        uow.emit(ProcedureCancelled(**common, cancelled_at=context.now, reason=case["cancel_reason"]), **where)
    elif action == "deposit-settlement":
        settled = case["deposit_settlement"]
        uow.emit(ProcedureDepositSettled(
            **common, line_id=f"{case['_id']}:decoration_deposit", deposit=fen_to_text(settled["deposit_fen"]),
            withheld=fen_to_text(settled["withheld_fen"]), refund=fen_to_text(settled["refund_fen"]),
            withholdings=[{"amount": fen_to_text(w["amount_fen"]), "reason": w["reason"]}
                          for w in settled["withholdings"]],
            settled_at=context.now), **where)
    elif action in ("inspections", "works") and len(case.get("flags", [])) > len(context.case.get("flags", [])):
        flag = case["flags"][-1]
        uow.emit(ProcedureWorksFlagged(**common, **{k: flag[k] for k in ("at", "local_time", "reason", "source")}),
                 **where)
    if case["status"] == "completed":
        uow.emit(_completed(case, common, now=context.now), **where)


def fee_lines(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The decoration's fees as bill lines; a fee of zero is not billed."""
    fees = case.get("fees") or {}
    lines = [("decoration_deposit", fees.get("deposit_fen", 0), True),
             ("decoration_service_fee", fees.get("service_fee_fen", 0), False)]
    return [{"line_id": f"{case['_id']}:{item}", "item": item, "amount": fen_to_text(fen), "refundable": refundable}
            for item, fen, refundable in lines if fen > 0]


def _completed(case: dict[str, Any], common: dict[str, Any], *, now: datetime) -> ProcedureCompleted:
    move_in = case["kind"] == "move_in"
    details = {**case.get("details", {})}
    if case.get("cards"):
        details["cards"] = [f"{c['kind']}:{c['number']}" for c in case["cards"]]
    if case.get("cards_cancelled"):
        details["cards_cancelled"] = case["cards_cancelled"]
    return ProcedureCompleted(
        **common, completed_at=now, billing_starts_on=case.get("billing_starts_on") if move_in else None,
        resident_active_from=case.get("handed_over_on") if move_in else None,
        meter_readings=case.get("meter_readings", []), keys_counted=case.get("keys_counted"), details=details,
    )
