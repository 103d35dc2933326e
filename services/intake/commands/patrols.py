"""Patrols: routes of checkpoints, rounds walked by staff, defects that become patrol tickets."""

from __future__ import annotations

from typing import Any

from services.intake.commands import log_contact, ticket_reference
from services.intake.commands.desk import estate_in_scope
from services.intake.commands.inputs.contacts import ContactCreate, TicketRequest
from services.intake.commands.inputs.patrols import CheckpointRecord, PatrolRoundStart, PatrolRouteCreate
from services.intake.domain import patrols as rules
from services.intake.domain import ticket_settings as catalog
from services.intake.store import patrols as patrol_store
from services.intake.store import tickets as ticket_store
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden
from shared.events import PatrolCompleted
from shared.idempotency import create_once
from shared.lookup import found
from shared.roles import SUPERVISORS


async def create_route(
    database: Database, principal: Principal, *, estate_id: str, request: PatrolRouteCreate,
    idempotency_key: str | None, present: Presenter,
) -> dict[str, Any]:
    estate = await estate_in_scope(database, principal, estate_id=estate_id)
    rules.check_unique_codes([c.code for c in request.checkpoints])
    document = {"_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], "name": request.name,
                "checkpoints": [c.model_dump() for c in request.checkpoints], "created_at": utcnow(),
                "created_by": principal.user_id}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await patrol_store.insert(uow, patrol_store.ROUTES, document=document)
        return present(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work,
                             already_exists=Conflict(f"the estate has a route named {request.name}", field="name"))


async def start_round(
    database: Database, principal: Principal, *, request: PatrolRoundStart, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    route = found(
        await patrol_store.find(database, patrol_store.ROUTES, document_id=request.route_id,
                                scope=principal.estate_filter()),
        "patrol route",
    )
    document = {"_id": new_id(), "estate_id": route["estate_id"], "company_id": route["company_id"],
                "route_id": route["_id"], "route_name": route["name"], "checkpoints": route["checkpoints"],
                "status": "in_progress", "patrolled_by": principal.user_id, "started_at": utcnow(),
                "completed_at": None, "results": {}, "order": []}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await patrol_store.insert(uow, patrol_store.ROUNDS, document=document)
        return present(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def find_round(database: Database | UnitOfWork, principal: Principal, *, round_id: str) -> dict[str, Any]:
    return found(
        await patrol_store.find(database, patrol_store.ROUNDS, document_id=round_id, scope=principal.estate_filter()),
        "patrol round"
    )


def _check_patroller(principal: Principal, patrol_round: dict[str, Any]) -> None:
    if principal.user_id != patrol_round["patrolled_by"] and not SUPERVISORS.intersection(principal.roles):
        raise Forbidden("only the patroller of this round or a supervisor may record it")


async def patroller_check(request: Any, principal: Principal) -> None:
    """The round's patroller or a supervisor, checked before the checkpoint's body is read (and again after)."""
    if SUPERVISORS.intersection(principal.roles):
        return
    database = request.app.state.runtime.database
    _check_patroller(principal, await find_round(database, principal, round_id=request.path_params["patrol_round_id"]))


async def record_checkpoint(
    database: Database, principal: Principal, *, round_id: str, request: CheckpointRecord
) -> dict[str, Any]:
    """Record a checkpoint; a defect first becomes a patrol ticket (a retry finds the same ticket)."""
    patrol_round = await find_round(database, principal, round_id=round_id)
    _check_patroller(principal, patrol_round)
    code, codes = request.code, [c["code"] for c in patrol_round["checkpoints"]]
    rules.check_recordable(codes, patrol_round["results"], status=patrol_round["status"], code=code)
    rules.check_defect_details(request.result, request.defect is not None)
    checkpoint = next(c for c in patrol_round["checkpoints"] if c["code"] == code)
    ticket_id = None
    if request.defect is not None:
        settings = await ticket_store.ticket_settings(database, patrol_round["estate_id"])
        catalog.check_subcategory(settings, request.defect.category, subcategory=request.defect.subcategory,
                                  field_name="defect.subcategory")
        ticket_id = await _open_patrol_ticket(database, principal, patrol_round=patrol_round, checkpoint=checkpoint,
                                              request=request)
    result = {"result": request.result, "findings": request.findings, "recorded_at": utcnow(),
              "recorded_by": principal.user_id, "ticket_id": ticket_id}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if not await patrol_store.record_checkpoint(uow, round_id, code=code, result=result):
            raise Conflict(f"checkpoint {code} was recorded at the same moment, or the round ended", field="code")
        return await find_round(uow, principal, round_id=round_id)

    return await database.transaction(work)


async def _open_patrol_ticket(
    database: Database, principal: Principal, *, patrol_round: dict, checkpoint: dict, request: CheckpointRecord
) -> str:
    defect = request.defect
    place = checkpoint.get("location") or checkpoint["name"]
    contact = ContactCreate(
        estate_id=patrol_round["estate_id"], channel="patrol",
        summary=f"巡检发现（{patrol_round['route_name']} · {checkpoint['name']}）：{request.findings or defect.description}",
        ticket=TicketRequest(category=defect.category, subcategory=defect.subcategory, scope="public_area",
                             location=place, description=defect.description, priority=defect.priority),
    )
    key = f"patrol:{patrol_round['_id']}:{checkpoint['code']}"  # the same checkpoint never opens two tickets
    logged = await log_contact(database, principal, request=contact, idempotency_key=key, present=ticket_reference)
    return logged["ticket"]["id"]


async def complete_round(database: Database, principal: Principal, *, round_id: str) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        patrol_round = await find_round(uow, principal, round_id=round_id)
        _check_patroller(principal, patrol_round)
        rules.check_completable(patrol_round["status"])
        now = utcnow()
        if not await patrol_store.complete_round(uow, round_id, fields={"completed_at": now}):
            raise Conflict("the round changed at the same moment; read it again")
        done = {**patrol_round, "status": "completed", "completed_at": now}
        codes = [c["code"] for c in done["checkpoints"]]
        ticket_ids = [r["ticket_id"] for r in done["results"].values() if r.get("ticket_id")]
        uow.emit(PatrolCompleted(
            round_id=round_id, route_id=done["route_id"], route_name=done["route_name"],
            patrolled_by=done["patrolled_by"], started_at=done["started_at"], completed_at=now,
            passed=rules.passed(codes, done["results"]), missed=rules.missed(codes, done["results"]),
            defects=rules.defects(done["results"]), ticket_ids=ticket_ids,
        ), **about(done))
        return done

    return await database.transaction(work)
