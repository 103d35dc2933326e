"""Intake's HTTP API for procedures (手续办理) and the card register: translate, call the command, answer."""

# No `from __future__ import annotations` here: the action routes are built in a loop, and
# FastAPI must see their annotations as objects, not as names to look up later.

from typing import Literal

from fastapi import APIRouter, Response

from services.intake.api import views
from services.intake.api.deps import FrontDesk, ProcedureOpeners, ProcedureReaders, procedure_actors
from services.intake.api.procedures_schemas import CardPublic, ProcedurePublic
from services.intake.commands import cards as card_commands
from services.intake.commands import procedures as commands
from services.intake.commands.inputs.procedures import (
    AcceptanceRecorded,
    ApprovalRequest,
    CardCreate,
    CardsIssued,
    ChecklistTick,
    CompletionRequest,
    DepositSettlementRequest,
    DocumentNoted,
    InspectionRecorded,
    KeysCounted,
    MeterReadingsTaken,
    NoteRequest,
    PassesIssued,
    ProcedureCreate,
    ReasonRequest,
    RejectionRequest,
    WorksReported,
)
from services.intake.domain.procedures import Kind, Status
from services.intake.store import procedures as store
from shared.auth import estate_query
from shared.documents import presenter, to_public
from shared.etags import if_match, with_etag
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["procedures"])


IfMatch = if_match("case")


@router.post("/procedures", status_code=201, response_model=ProcedurePublic)
async def open_procedure(
    body: ProcedureCreate, principal: ProcedureOpeners, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    """Open a case (move-in, decoration, move-out, ownership transfer, tenant registration, utility transfer)."""
    return await commands.open_procedure(database, principal, request=body, idempotency_key=idempotency_key,
                                         present=presenter(views.procedure_public))


@router.get("/procedures/{procedure_id}", response_model=ProcedurePublic)
async def get_procedure(procedure_id: str, principal: ProcedureReaders, *, database: DatabaseDep,
                        response: Response) -> dict:
    case = found(await store.find_procedure(database, procedure_id, scope=principal.estate_filter()), "procedure")
    return with_etag(response, views.procedure_public(case).model_dump(mode="json"))


@router.get("/procedures", response_model=Page[ProcedurePublic])
async def list_procedures(
    estate_id: str, principal: ProcedureReaders, *, database: DatabaseDep, page: PageQuery, kind: Kind | None = None,
    status: Status | None = None, unit_id: str | None = None, flagged: bool | None = None,
) -> Page[ProcedurePublic]:
    """Newest first; `flagged=true` lists decorations with works seen outside their approved dates or hours."""
    query = await estate_query(principal, estate_id, kind=kind, status=status, unit_id=unit_id, flagged=flagged)
    return await page_of(database.db[store.PROCEDURES], query, page=page, view=views.procedure_public)


def _action_route(action: str, body_model: type | None, *, summary: str) -> None:
    who = procedure_actors(action)
    if body_model is None:
        async def endpoint(procedure_id: str, principal: who, *, database: DatabaseDep, response: Response,
                           if_match: IfMatch) -> dict:
            case = await commands.act(database, principal, procedure_id=procedure_id, action=action, request=None,
                                      if_match=if_match)
            return with_etag(response, views.procedure_public(case).model_dump(mode="json"))
    else:
        async def endpoint(procedure_id: str, body: body_model, *, principal: who,  # type: ignore[valid-type]
                           database: DatabaseDep, response: Response, if_match: IfMatch) -> dict:
            case = await commands.act(database, principal, procedure_id=procedure_id, action=action, request=body,
                                      if_match=if_match)
            return with_etag(response, views.procedure_public(case).model_dump(mode="json"))
    endpoint.__name__ = f"procedure_{action.replace('-', '_')}"
    endpoint.before_body = commands.caller_check(action)  # the approver of the case's kind, before the body is read
    router.add_api_route(f"/procedures/{{procedure_id}}/{action}", endpoint, methods=["POST"],
                         response_model=ProcedurePublic, summary=summary)


for _action, _body, _summary in [
    ("submit", None, "Hand the application in: to review where the kind needs approval, else to work"),
    ("approve", ApprovalRequest, "Approve (decoration: engineering, with its deposit and service fee)"),
    ("reject", RejectionRequest, "Reject with reasons"),
    ("start", None, "Start the approved work (decoration: the works begin)"),
    ("complete", CompletionRequest, "Complete; the checklist must be done (move-in: billing starts)"),
    ("cancel", ReasonRequest, "Withdraw the case, with a reason"),
    ("checklist", ChecklistTick, "Tick (or untick) a checklist item"),
    ("documents", DocumentNoted, "Note a document seen, signed or copied"),
    ("keys", KeysCounted, "Keys handed over (move-in) or returned (move-out), counted"),
    ("meter-readings", MeterReadingsTaken, "Water, electricity and gas readings at hand-over"),
    ("cards", CardsIssued, "Issue access and parking cards (move-in)"),
    ("passes", PassesIssued, "Temporary passes for the decoration workers, within the approved dates"),
    ("inspections", InspectionRecorded, "An inspection during the works; findings may open tickets"),
    ("works", WorksReported, "Works seen or reported at a time (flagged outside the approved dates or hours)"),
    ("acceptance", AcceptanceRecorded, "Final acceptance (验收): passed, or failed with what to put right"),
    ("deposit-settlement", DepositSettlementRequest, "Refund the deposit, less what is withheld and why"),
]:
    _action_route(_action, _body, summary=_summary)


@router.post("/cards", status_code=201, response_model=CardPublic)
async def issue_card(body: CardCreate, principal: FrontDesk, *, database: DatabaseDep) -> dict:
    """Issue an access or parking card for a unit (a number is active once per estate and kind)."""
    return to_public(CardPublic, await card_commands.issue_card(database, principal, request=body))


@router.get("/cards", response_model=Page[CardPublic])
async def list_cards(
    estate_id: str, principal: ProcedureReaders, *, database: DatabaseDep, page: PageQuery, unit_id: str | None = None,
    status: Literal["active", "lost", "cancelled"] | None = None,
) -> Page[CardPublic]:
    query = await estate_query(principal, estate_id, unit_id=unit_id or None, status=status)
    return await page_of(database.db[store.CARDS], query, page=page, view=CardPublic)


@router.get("/cards/{card_id}", response_model=CardPublic)
async def get_card(card_id: str, principal: ProcedureReaders, *, database: DatabaseDep) -> CardPublic:
    card = found(await store.find_card(database, card_id, scope=principal.estate_filter()), "card")
    return to_public(CardPublic, card)


@router.post("/cards/{card_id}/report-lost", response_model=CardPublic)
async def report_card_lost(card_id: str, principal: FrontDesk, *, database: DatabaseDep,
                           body: NoteRequest | None = None) -> dict:
    changed = await card_commands.change_card(database, principal, card_id=card_id, command="report-lost",
                                              reason=body and body.note)
    return to_public(CardPublic, changed)


@router.post("/cards/{card_id}/cancel", response_model=CardPublic)
async def cancel_card(card_id: str, principal: FrontDesk, *, database: DatabaseDep,
                      body: NoteRequest | None = None) -> dict:
    changed = await card_commands.change_card(database, principal, card_id=card_id, command="cancel",
                                              reason=body and body.note)
    return to_public(CardPublic, changed)
