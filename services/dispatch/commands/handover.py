"""Shift handover (交接班), the missing-handover watch, duty spot checks (值班抽查) and emergency contacts (应急联系)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from pymongo.errors import DuplicateKeyError

from services.dispatch.commands import rosters as roster_commands
from services.dispatch.commands.handover_due import announce_due
from services.dispatch.commands.inputs.handover import (
    DutyPostsUpdate,
    HandoverAcknowledge,
    HandoverCreate,
    ShiftTimes,
    SpotCheckCreate,
)
from services.dispatch.commands.ledger import append_with_retry, record
from services.dispatch.commands.staff import registered_name
from services.dispatch.domain import handover as rules
from services.dispatch.settings import DispatchSettings
from services.dispatch.store import handover as store
from services.dispatch.store import ledger as ledger_store
from services.dispatch.store import staff as staff_store
from shared.auth import Principal
from shared.consumer import Event, batched
from shared.db import Database, UnitOfWork
from shared.documents import Presenter
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.estates import estate_time_zone, local_day
from shared.events import HandoverAcknowledged, HandoverFiled, HandoverMissing, KeyLent, KeyReturned
from shared.local_time import local_time
from shared.lookup import found
from shared.periodic import PeriodicJob
from shared.roles import SUPERVISORS

log = structlog.get_logger(__name__)
UNRETURNED_KEY_FIELDS = ("key_id", "loan_id", "label", "key_kind", "unit_id", "borrower", "purpose", "lent_at",
                         "due_back_at")


class AlreadyHandedOver(Conflict):
    code, title = "handover_exists", "This shift's handover was already filed"


class AlreadyAcknowledged(Conflict):
    code, title = "already_acknowledged", "This handover was already acknowledged"


class OwnHandover(Conflict):
    code, title = "own_handover", "The incoming person acknowledges, not the one who filed it"


def _carried(order: dict[str, Any]) -> dict[str, Any]:
    return {"id": order["_id"], **{k: order.get(k) for k in rules.CARRIED_FIELDS}}


# --- filing and acknowledging --------------------------------------------------------------


async def shift_times(
    database: Database, estate_id: str, *, department: str, shift: ShiftTimes, field: str
) -> tuple[str, str]:
    """A shift's local start and end: as given, or from the department's shift templates (rosters)."""
    if shift.start is not None:
        return shift.start, shift.end
    templates = (await roster_commands.shift_templates(database, estate_id, department=department))["templates"]
    template = next((t for t in templates if t["code"] == shift.code), None)
    if template is None:
        raise InvalidInput(f"'{shift.code}' is not a shift of {department}; give its start and end", field=field)
    return template["starts"], template["ends"]


async def file_handover(database: Database, principal: Principal, *, request: HandoverCreate) -> dict[str, Any]:
    """The outgoing person's handover: what is still open is collected, not typed."""
    await principal.require_estate(request.estate_id)
    time_zone = await estate_time_zone(database, request.estate_id)
    shift = request.shift
    start, end = await shift_times(database, request.estate_id, department=request.department, shift=shift,
                                   field="shift.code")
    starts_at, ends_at = rules.shift_window(request.shift_date, start, end=end, time_zone=time_zone)
    key = rules.shift_key(request.estate_id, request.post, shift_date=request.shift_date, shift_code=shift.code)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if await store.handover_of_shift(uow, key):
            raise AlreadyHandedOver(f"{request.post} {request.shift_date} {shift.code} was handed over already")
        # The post's own department's open items; the estate's open emergencies separately, whoever has them.
        open_orders = await store.open_work_orders(uow, request.estate_id, department=request.department)
        emergencies = await store.open_emergencies(uow, request.estate_id)
        outgoing_name = await registered_name(uow, principal)
        incidents = {o["_id"]: o for o in open_orders if o.get("incident_id")}
        for order in await store.incident_orders_created_between(uow, request.estate_id, start=starts_at, end=ends_at):
            incidents.setdefault(order["_id"], order)
        keys = [{field: loan.get(field) for field in UNRETURNED_KEY_FIELDS}
                for loan in await store.keys_out(uow, request.estate_id)]
        checklist = [item.model_dump() for item in request.checklist]
        inspection = request.inspection.model_dump()
        document = {
            "_id": new_id(), "shift_key": key, "estate_id": request.estate_id, "company_id": principal.company_id,
            "post": request.post, "department": request.department, "shift_date": request.shift_date.isoformat(),
            "shift_code": shift.code, "shift_start": starts_at, "shift_end": ends_at,
            "outgoing_id": principal.user_id, "outgoing_name": outgoing_name,
            "filed_at": ledger_store.stored_now(), "open_work_orders": [_carried(o) for o in open_orders],
            "open_tickets": sorted({o["ticket_number"] or o["ticket_id"] for o in open_orders if o.get("ticket_id")}),
            "incidents": [_carried(o) for o in incidents.values()], "unreturned_keys": keys,
            "open_emergencies": [_carried(o) for o in emergencies],
            "checklist": checklist, "checklist_findings": rules.checklist_findings(checklist),
            "inspection": inspection, "inspection_issues": rules.inspection_issues(inspection),
            "notes": request.notes, "acknowledged_at": None, "incoming_id": None, "incoming_name": None,
            "discrepancies": [], "acknowledge_notes": "",
        }
        try:
            await store.insert_handover(uow, document)
        except DuplicateKeyError as duplicate:
            raise AlreadyHandedOver("this shift was handed over at the same moment") from duplicate
        uow.emit(HandoverFiled(
            handover_id=document["_id"], post=request.post, department=request.department,
            shift_date=request.shift_date, shift_code=shift.code, outgoing_id=principal.user_id,
            open_work_orders=len(open_orders), open_tickets=document["open_tickets"],
            incidents=len(incidents), unreturned_keys=len(keys), checklist_findings=document["checklist_findings"],
            inspection_issues=document["inspection_issues"],
        ), subject=document["_id"], company_id=principal.company_id, estate_id=request.estate_id)
        await record(uow, estate_id=request.estate_id, company_id=principal.company_id, kind="handover",
                     summary=f"{request.post} {request.shift_date} {shift.code} {outgoing_name} 交班："
                             f"未完工单 {len(open_orders)}，未结紧急事项 {len(emergencies)}，"
                             f"事件 {len(incidents)}，物品异常 {len(document['checklist_findings'])}，"
                             f"巡检异常 {len(document['inspection_issues'])}",
                     by=principal.user_id, details={
                         "handover_id": document["_id"], "open_work_orders": [o["number"] for o in open_orders],
                         "open_tickets": document["open_tickets"], "unreturned_keys": [k["label"] for k in keys],
                         "checklist_findings": document["checklist_findings"],
                         "inspection_issues": document["inspection_issues"], "notes": request.notes})
        return document

    try:
        return await append_with_retry(database, work)
    except DuplicateKeyError as duplicate:  # the shift's unique key, raced by two filings
        raise AlreadyHandedOver("this shift was handed over at the same moment") from duplicate


async def acknowledge_handover(
    database: Database, principal: Principal, *, handover_id: str, request: HandoverAcknowledge
) -> dict[str, Any]:
    """The incoming person takes over, once, noting what did not match."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        handover = found(await store.find_handover(uow, handover_id, scope=principal.estate_filter()), "handover")
        if handover["outgoing_id"] == principal.user_id:
            raise OwnHandover("you filed this handover; the incoming person acknowledges it")
        fields = {"acknowledged_at": ledger_store.stored_now(), "incoming_id": principal.user_id,
                  "incoming_name": await registered_name(uow, principal),
                  "discrepancies": request.discrepancies, "acknowledge_notes": request.notes}
        time_zone = await estate_time_zone(uow, handover["estate_id"])
        if not await store.acknowledge(uow, handover_id, fields=fields):
            raise AlreadyAcknowledged(f"acknowledged by {handover['incoming_name'] or 'someone else'}" + (
                f" at {local_time(handover['acknowledged_at'], time_zone)}" if handover["acknowledged_at"] else ""))
        uow.emit(HandoverAcknowledged(
            handover_id=handover_id, post=handover["post"], shift_date=handover["shift_date"],
            shift_code=handover["shift_code"], outgoing_id=handover["outgoing_id"], incoming_id=principal.user_id,
            discrepancies=request.discrepancies,
        ), subject=handover_id, company_id=handover["company_id"], estate_id=handover["estate_id"])
        await record(uow, estate_id=handover["estate_id"], company_id=handover["company_id"],
                     kind="handover_acknowledged", by=principal.user_id,
                     summary=f"{handover['post']} {handover['shift_date']} {handover['shift_code']} "
                             f"{fields['incoming_name']} 接班确认"
                             + (f"，差异 {len(request.discrepancies)} 项" if request.discrepancies else "，无差异"),
                     details={"handover_id": handover_id, "discrepancies": request.discrepancies,
                              "notes": request.notes})
        return {**handover, **fields}

    return await append_with_retry(database, work)


# --- keys on loan, from intake's key register --------------------------------------------


@batched
async def project_keys_on_loan(uow: UnitOfWork, events: list[Event[KeyLent | KeyReturned]]) -> None:
    """A key out on loan is carried in every handover until it comes back (钥匙管理): one write per batch."""
    for event in events:
        loan, estate_id = event.payload, event.envelope.estateid
        if isinstance(loan, KeyLent):
            store.key_lent(uow, estate_id, loan={**{k: getattr(loan, k, None) for k in UNRETURNED_KEY_FIELDS},
                                                 "lent_at": loan.lent_at, "due_back_at": loan.due_back_at})
        else:
            store.key_returned(uow, estate_id, loan_id=loan.loan_id, returned_at=loan.returned_at)


# --- the duty screen ---------------------------------------------------------------------


async def duty_screen(database: Database, estate_id: str, *, department: str | None, post: str | None) -> dict:
    """What the incoming shift looks at first: the last handover, what of it is still open, yesterday, contacts."""
    previous = await store.latest_handover(database, estate_id, post=post, department=department)
    still_open: list[dict[str, Any]] = []
    if previous:
        carried_ids = [o["id"] for o in previous["open_work_orders"]]
        now_open = {o["_id"]: o for o in await store.work_orders_by_id(database, carried_ids)
                    if o["status"] in rules.OPEN_STATUSES}
        still_open = [_carried(now_open[i]) for i in carried_ids if i in now_open]
    time_zone = await estate_time_zone(database, estate_id)
    today = local_day(utcnow(), time_zone)
    return {
        "estate_id": estate_id, "department": department, "post": post,
        "previous_handover": previous, "time_zone": time_zone, "still_open": still_open,
        "yesterday": await ledger_store.daily_figures(database, estate_id, day=today - timedelta(days=1)),
        "today": await ledger_store.daily_figures(database, estate_id, day=today),
        "emergency_contacts": await store.emergency_contacts(database, estate_id),
    }


# --- duty posts and the missing-handover watch ------------------------------------------


async def set_duty_posts(
    database: Database, principal: Principal, *, estate_id: str, request: DutyPostsUpdate
) -> dict[str, Any]:
    """The posts whose shifts must end with a handover; shifts that ended before this are not flagged."""
    await principal.require_estate(estate_id)
    posts = []
    for n, post in enumerate(request.posts):
        shifts = []
        for m, shift in enumerate(post.shifts):
            start, end = await shift_times(database, estate_id, department=post.department, shift=shift,
                                           field=f"posts.{n}.shifts.{m}.code")
            shifts.append({"code": shift.code, "start": start, "end": end})
        posts.append({**post.model_dump(), "shifts": shifts})
    document = {"posts": posts, "grace_s": request.grace_s,
                "watched_since": utcnow(), "company_id": principal.company_id}
    return await database.transaction(lambda uow: store.set_duty_posts(uow, estate_id, document=document))


async def _flag_missing(database: Database, estate: dict[str, Any], *, due: rules.DueShift) -> bool:
    estate_id = estate["estate_id"]
    key = rules.shift_key(estate_id, due.shift.post, shift_date=due.shift_date, shift_code=due.shift.code)

    async def work(uow: UnitOfWork) -> bool:
        if await store.missing_flag(uow, key) or await store.handover_of_shift(uow, key):
            return False
        supervisors = await staff_store.staff_on_duty(uow, estate_id, position="supervisor")
        supervisor = next((s for s in supervisors if s["department"] == due.shift.department), None) or (
            supervisors[0] if supervisors else None)
        await store.claim_missing_flag(uow, {"_id": key, "estate_id": estate_id, "flagged_at": utcnow(),
                                             "ended_at": due.ends_at})
        company_id = estate.get("company_id") or "unknown"
        uow.emit(HandoverMissing(
            post=due.shift.post, department=due.shift.department, shift_date=due.shift_date,
            shift_code=due.shift.code, ended_at=due.ends_at, supervisor_id=supervisor and supervisor["_id"],
            supervisor_name=supervisor and supervisor["name"],
        ), subject=key, company_id=company_id, estate_id=estate_id)
        await record(uow, estate_id=estate_id, company_id=company_id, kind="handover_missing",
                     summary=f"{due.shift.post} {due.shift_date} {due.shift.code} 班次结束未交班",
                     details={"ended_at": due.ends_at, "supervisor_id": supervisor and supervisor["_id"]})
        return True

    try:
        return await append_with_retry(database, work)
    except DuplicateKeyError:  # another replica flagged it at the same moment
        return False


async def watch_handovers(database: Database, settings: DispatchSettings, *, now: datetime | None = None) -> int:
    """One pass over the watched shifts, since the last pass, without a handover: each that ended is announced
    due to its outgoing staff, each whose grace period ended is flagged missing. How many events it emitted."""
    now = now or utcnow()
    after = await database.transaction(lambda uow: store.watch_checked_until(uow, now))
    emitted, failures = 0, 0
    for estate in await store.estates_with_posts(database):
        time_zone = await estate_time_zone(database, estate["estate_id"])
        grace = timedelta(seconds=estate["grace_s"] if estate.get("grace_s") is not None else settings.handover_grace_s)
        shifts = rules.watched_shifts(estate["posts"])
        window = {"after": after, "until": now, "grace": grace, "time_zone": time_zone}
        for step, found in ((announce_due, rules.shifts_ending(shifts, **window)),
                            (_flag_missing, rules.shifts_due(shifts, **window))):
            for due in found:
                if due.ends_at <= estate["watched_since"]:
                    continue  # ended before anyone asked for this post to be watched
                try:
                    emitted += await step(database, estate, due=due)
                except Exception as error:  # keep the cursor: the next pass tries this shift again
                    failures += 1
                    log.warning("handover watch step failed", step=step.__name__, estate_id=estate["estate_id"],
                                error=repr(error))
    if not failures:
        await database.transaction(lambda uow: store.move_watch(uow, now))
    return emitted


run_handover_watch = PeriodicJob[DispatchSettings](
    name="handover watch", run_pass=watch_handovers, interval_s=lambda settings: settings.handover_watch_interval_s,
)


# --- spot checks -------------------------------------------------------------------------


async def record_spot_check(
    database: Database, principal: Principal, *, request: SpotCheckCreate, idempotency_key: str | None = None,
    present: Presenter,
) -> dict[str, Any]:
    """A supervisor's check of a post (值班抽查), recorded in the duty ledger."""
    await principal.require_estate(request.estate_id)
    if not SUPERVISORS.intersection(principal.roles):
        raise Forbidden("spot checks are made by supervisors and managers")
    checked_at = request.checked_at or ledger_store.stored_now()

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        document = {
            "_id": new_id(), "estate_id": request.estate_id, "company_id": principal.company_id,
            "post": request.post, "checked_at": checked_at, "checked_by": principal.user_id,
            "checked_by_name": await registered_name(uow, principal),
            "person_on_duty": request.person_on_duty, "findings": request.findings, "result": request.result,
        }
        result_name = "合格" if request.result == "satisfactory" else "不合格"
        entry = await record(uow, estate_id=request.estate_id, company_id=principal.company_id, kind="spot_check",
                             summary=f"值班抽查 {request.post}（值班人 {request.person_on_duty}）：{result_name}",
                             by=principal.user_id, at=checked_at,
                             details={"spot_check_id": document["_id"], "findings": request.findings,
                                      "result": request.result, "person_on_duty": request.person_on_duty})
        document["ledger_entry_id"] = entry["_id"]
        await store.insert_spot_check(uow, document)
        return present(document)

    return await append_with_retry(database, work, principal=principal, idempotency_key=idempotency_key,
                                   body=request)
