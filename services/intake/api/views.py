"""What intake's API shows of its stored documents: each document as its public model.

Commands return documents; routes answer with these (and give them as presenters to the commands
that run once per Idempotency-Key, so that a retry gets the same answer).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.intake.api.contacts_schemas import ContactPublic, EstatePublic, TicketPublic
from services.intake.api.directory_schemas import (
    CallerPublic,
    OwnershipTransferred,
    ResidentPublic,
    UnitPublic,
)
from services.intake.api.patrols_schemas import PatrolRoundPublic
from services.intake.api.procedures_schemas import ProcedurePublic
from services.intake.api.quality_schemas import AgentMonthScore, AgentMonthScores
from services.intake.api.surveys_schemas import SurveyResults, SurveyScores
from services.intake.api.tickets_schemas import FollowUpPublic, TicketSettingsPublic
from services.intake.commands.estates import ESTATE_DETAILS
from services.intake.commands.procedures import money_view
from services.intake.domain import patrols as patrol_rules
from services.intake.domain import surveys as survey_rules
from services.intake.domain import ticket_settings as catalog
from services.intake.domain.priority import DEFAULT_PRIORITY_RULES
from shared.documents import to_public
from shared.envelope import utcnow

# --- the desk: estates, contacts, tickets, follow-ups ---------------------------------------------


def estate_public(document: dict[str, Any]) -> EstatePublic:
    return EstatePublic(**{k: document[k] for k in ("estate_id", "name", "time_zone", "registered_at")},
                        **{k: document.get(k) for k in ESTATE_DETAILS})


def ticket_public(document: dict[str, Any]) -> TicketPublic:
    ticket = to_public(TicketPublic, document)
    if ticket.work_order_id:  # filled asynchronously, from dispatch's event, once the order exists
        ticket.work_order_path = f"/v1/work-orders/{ticket.work_order_id}"
    return ticket


def contact_public(contact: dict[str, Any], ticket: dict[str, Any] | None = None) -> ContactPublic:
    return ContactPublic(
        id=contact["_id"], ticket=ticket_public(ticket) if ticket else None,
        **{k: contact[k] for k in ("estate_id", "channel", "summary", "outcome", "answered_within_15s", "logged_at")},
        **{k: contact.get(k) for k in ("resident_id", "unit_id", "caller_phone", "caller_name", "rang_at",
                                       "answered_at", "agent_id", "agent_name", "ticket_id", "ticket_number")},
    )


def logged_contact(logged: dict[str, Any]) -> dict[str, Any]:
    """The presenter of a logged contact (`{**contact, "ticket": ticket or None}`)."""
    return contact_public(logged, logged.get("ticket")).model_dump(mode="json")


def follow_up_public(document: dict[str, Any]) -> FollowUpPublic:
    overdue = document["state"] == "due" and document["due_by"] < utcnow()
    return to_public(FollowUpPublic, {**document, "overdue": overdue})


def settings_public(estate_id: str, document: dict[str, Any] | None) -> TicketSettingsPublic:
    settings = catalog.settings_from_document(document)
    document = document or {}
    categories = sorted({*catalog.DEFAULT_SUBCATEGORIES, *settings.subcategories})
    return TicketSettingsPublic(
        estate_id=estate_id, subcategories=document.get("subcategories", {}), fields=document.get("fields", []),
        priority_rules=document.get("priority_rules", []),
        follow_up_within_hours=document.get("follow_up_within_hours", 24),
        effective_subcategories={category: list(settings.subcategories_of(category)) for category in categories},
        default_priority_rules=[asdict(rule) for rule in DEFAULT_PRIORITY_RULES],
    )


# --- the directory --------------------------------------------------------------------------------


def caller_public(caller: dict[str, Any]) -> CallerPublic:
    return CallerPublic(phone=caller["phone"], resident=to_public(ResidentPublic, caller["resident"]),
                        units=[to_public(UnitPublic, u) for u in caller["units"]])


def transfer_public(transfer: dict[str, Any]) -> OwnershipTransferred:
    return OwnershipTransferred(
        unit=to_public(UnitPublic, transfer["unit"]), new_owner=to_public(ResidentPublic, transfer["new_owner"]),
        previous_owners=[to_public(ResidentPublic, p) for p in transfer["previous"]],
    )


# --- the service desk: incidents, patrols, procedures, quality, surveys ---------------------------


def round_public(document: dict[str, Any]) -> PatrolRoundPublic:
    results, codes = document["results"], [c["code"] for c in document["checkpoints"]]
    checkpoints = [
        {"code": c["code"], "name": c["name"], "location": c.get("location"),
         "state": patrol_rules.checkpoint_state(c["code"], results, round_status=document["status"]),
         **{k: results.get(c["code"], {}).get(k) for k in ("findings", "recorded_at", "ticket_id")}}
        for c in document["checkpoints"]
    ]
    missed = patrol_rules.missed(codes, results) if document["status"] == "completed" else []
    ticket_ids = [r["ticket_id"] for r in results.values() if r.get("ticket_id")]
    return to_public(PatrolRoundPublic, {**document, "checkpoints": checkpoints, "missed": missed,
                                         "defects": patrol_rules.defects(results), "ticket_ids": ticket_ids})


def procedure_public(case: dict[str, Any]) -> ProcedurePublic:
    return to_public(ProcedurePublic, {**case, "fees": money_view(case.get("fees")),
                                       "deposit_settlement": money_view(case.get("deposit_settlement"))})


def agent_month_scores(documents: list[dict[str, Any]], *, estate_id: str, month: str) -> AgentMonthScores:
    return AgentMonthScores(estate_id=estate_id, month=month, items=[
        AgentMonthScore(agent_id=d["agent_id"], month=d["month"], checks=d["checks"],
                        average_score=round(d["score_total"] / d["checks"], 1), failed=d.get("failed", {}))
        for d in documents
    ])


def _scores(survey: dict[str, Any], areas: list[str]) -> SurveyScores:
    results = {area: asdict(result) for area, result in survey_rules.results(survey["tally"], areas).items()}
    return SurveyScores(survey_id=survey["_id"], title=survey["title"], status=survey["status"],
                        respondents=survey["respondents"], areas=results)



def survey_results_public(result: dict[str, Any]) -> SurveyResults:
    previous = result["previous"]
    return SurveyResults(**_scores(result["survey"], result["areas"]).model_dump(),
                         previous=_scores(previous, result["areas"]) if previous else None, changes=result["changes"])
