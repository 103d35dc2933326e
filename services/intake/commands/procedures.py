"""Procedure cases (手续办理): open one, and move it along its kind's life cycle, one action at a time.

Every action is one transaction: the case (checked against the version read), its history and
the events it causes. Decoration inspection findings that open tickets go through the contact
log first (its own transaction), so the inspection records the tickets' ids.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.intake import commands as intake
from services.intake.commands import procedure_actions as actions
from services.intake.commands.inputs.contacts import ContactCreate, TicketRequest
from services.intake.commands.inputs.procedures import ProcedureCreate
from services.intake.domain import procedures as rules
from services.intake.store import procedures as store
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.estates import estate_time_zone, local_day
from shared.events import ProcedureOpened
from shared.idempotency import create_once
from shared.lookup import found
from shared.money import fen_to_text

# The application details each kind carries, in the field of that name (and no other kind does).
DETAILS_FIELD = {
    "decoration": "decoration", "ownership_transfer": "transfer", "tenant_registration": "tenancy",
    "utility_transfer": "utilities",
}
NEEDS_RESIDENT = frozenset({"move_in", "move_out"})
# A finding's ticket: a complaint about decoration, or a repair or help request of no particular kind.
FINDING_SUBCATEGORY = {"complaint": "decoration", "repair": "other", "help": "other"}


class VersionConflict(Conflict):
    code, title = "version_conflict", "The case changed at the same moment; read it again"


def money_view(value: Any) -> Any:
    """Stored amounts are integer fen (`deposit_fen`); the API shows decimal strings (`deposit`)."""
    if isinstance(value, dict):
        return {(k.removesuffix("_fen") if k.endswith("_fen") else k): (fen_to_text(v) if k.endswith("_fen")
                                                                          else money_view(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [money_view(v) for v in value]
    return value


def _details(request: ProcedureCreate) -> dict[str, Any]:
    for kind, field in DETAILS_FIELD.items():
        given = getattr(request, field) is not None
        if given and kind != request.kind:
            raise InvalidInput(f"'{field}' belongs to a {kind} case, not a {request.kind}", field=field)
        if not given and kind == request.kind:
            raise InvalidInput(f"a {kind} case needs its '{field}'", field=field)
    if request.kind in NEEDS_RESIDENT and request.resident_id is None:
        raise InvalidInput(f"a {request.kind} case names its resident", field="resident_id")
    field = DETAILS_FIELD.get(request.kind)
    return getattr(request, field).model_dump(mode="json") if field else {}


async def open_procedure(
    database: Database, principal: Principal, *, request: ProcedureCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    rules.check_role(request.kind, "open", roles=principal.roles)
    estate = await intake.find_estate_in_scope(database, principal, estate_id=request.estate_id)
    details = _details(request)
    now = utcnow()
    day = local_day(now, estate["time_zone"])

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        sequence = await next_value(uow, f"procedure:{estate['_id']}:{day:%Y%m%d}")
        case = {
            "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
            "number": rules.procedure_number(day, sequence), "kind": request.kind, "status": "draft",
            "unit_id": request.unit_id, "resident_id": request.resident_id, "applicant_name": request.applicant_name,
            "note": request.note, "details": details, "checklist": rules.new_checklist(request.kind),
            "opened_at": now, "opened_by": principal.user_id, "flagged": False, "version": 1,
            "history": [{"at": now, "by": principal.user_id, "action": "open", "from": None, "to": "draft"}],
        }
        await store.insert(uow, store.PROCEDURES, document=case)
        uow.emit(ProcedureOpened(**actions.facts(case, principal), opened_at=now), **about(case))
        return present(case)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def act(
    database: Database, principal: Principal, *, procedure_id: str, action: str, request: BaseModel | None,
    if_match: int | None = None,
) -> dict[str, Any]:
    """Take one action on a case: check the caller, the life cycle and the action's own rules, then commit.

    With `if_match`, only if the case is still at that version (409 otherwise)."""
    tickets: list[str | None] = []
    if action == "inspections" and any(f.open_ticket for f in request.findings):
        case = await _checked(database, principal, procedure_id=procedure_id, action=action, request=request)
        tickets = await _open_finding_tickets(database, principal, case=case, request=request)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        case = await _checked(uow, principal, procedure_id=procedure_id, action=action, request=request)
        if if_match is not None and if_match != case["version"]:
            raise VersionConflict(f"you have version {if_match}; the case is at version {case['version']}")
        target = rules.next_status(case["kind"], case["status"], action=action, passed=getattr(request, "passed", True))
        context = actions.Context(uow=uow, case=case, principal=principal, request=request, now=utcnow(),
                                  time_zone=await estate_time_zone(uow, case["estate_id"]), tickets=tickets)
        fields, detail = await actions.HANDLERS[action](context)
        fields["status"] = target
        entry = {"at": context.now, "by": principal.user_id, "action": action, "from": case["status"], "to": target,
                 **({"detail": detail} if detail else {})}
        if not await store.update_procedure(uow, case, fields=fields, entry=entry):
            raise VersionConflict("the case changed at the same moment; read it again")
        changed = {**case, **fields, "version": case["version"] + 1, "history": [*case["history"], entry]}
        actions.emit_status_events(context, changed)
        return changed

    try:
        return await database.transaction(work)
    except DuplicateKeyError as duplicate:  # a card number that is already active
        raise Conflict("one of these cards is already active in this estate", field="cards") from duplicate


def caller_check(action: str):
    """Approving or rejecting needs the approver of the case's kind: checked before the body is read
    (and again when acting). Every other action's roles are the route's own."""

    async def check(request: Any, principal: Principal) -> None:
        if action not in ("approve", "reject"):
            return
        case = found(await store.find_procedure(request.app.state.runtime.database, request.path_params["procedure_id"],
                                          scope=principal.estate_filter()), "procedure")
        rules.check_role(case["kind"], action, roles=principal.roles)

    return check


async def _checked(
    database: Database | UnitOfWork, principal: Principal, *, procedure_id: str, action: str, request: Any
) -> dict[str, Any]:
    case = found(await store.find_procedure(database, procedure_id, scope=principal.estate_filter()), "procedure")
    rules.check_role(case["kind"], action, roles=principal.roles)
    rules.next_status(case["kind"], case["status"], action=action, passed=getattr(request, "passed", True))
    return case


async def _open_finding_tickets(
    database: Database, principal: Principal, *, case: dict[str, Any], request: Any
) -> list[str | None]:
    """A ticket for each finding that asks for one, logged as a patrol contact on the unit."""
    inspection_key = new_id()
    tickets: list[str | None] = []
    for n, finding in enumerate(request.findings):
        if not finding.open_ticket:
            tickets.append(None)
            continue
        contact = ContactCreate(
            estate_id=case["estate_id"], channel="patrol", unit_id=case["unit_id"],
            summary=f"装修巡查 {case['number']}：{finding.description}",
            ticket=TicketRequest(category=finding.ticket_category,
                                 subcategory=FINDING_SUBCATEGORY[finding.ticket_category], scope="in_unit",
                                 description=finding.description),
        )
        logged = await intake.log_contact(database, principal, request=contact,
                                          idempotency_key=f"procedure-{inspection_key}-{n}",
                                          present=intake.ticket_reference)
        tickets.append(logged["ticket"]["id"])
    return tickets
