"""Follow-ups (回访): an agent (or the resident in the app) records each attempt; the ticket follows."""

from __future__ import annotations

from typing import Any

from services.intake import store
from services.intake.commands.inputs.tickets import AttemptCreate
from services.intake.commands.tickets import apply_command, is_resident, ticket_scope
from services.intake.domain import follow_ups as rules
from services.intake.store import tickets as ticket_store
from shared import events
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import about
from shared.envelope import utcnow
from shared.errors import Conflict, Forbidden
from shared.lookup import found


async def record_attempt(
    database: Database, principal: Principal, *, follow_up_id: str, request: AttemptCreate
) -> dict[str, Any]:
    """One attempt: reached (with a score) or not; the outcome moves the follow-up and its ticket together."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        follow_up = found(await ticket_store.find_follow_up(uow, follow_up_id, scope=ticket_scope(principal)),
                          "follow-up")
        if is_resident(principal) and not request.reached:
            raise Forbidden("a resident answers their own follow-up; only agents record failed calls")
        failed_before = sum(1 for attempt in follow_up["attempts"] if not attempt["reached"])
        outcome = rules.outcome_of_attempt(state=follow_up["state"], failed_before=failed_before,
                                           reached=request.reached, score=request.score)
        now = utcnow()
        attempt = {"at": now, "by": principal.user_id, "reached": request.reached, "score": request.score,
                   "comment": request.comment, "by_resident": is_resident(principal)}
        fields = {"state": outcome.follow_up_state, "result": outcome.result,
                  "attempt_count": follow_up["attempt_count"] + 1}
        if not await ticket_store.update_follow_up(uow, follow_up, fields=fields, attempt=attempt):
            raise Conflict("the follow-up changed at the same moment; read it again")
        changed = {**follow_up, **fields, "attempts": [*follow_up["attempts"], attempt]}
        if outcome.ticket_command is not None:
            await _conclude(uow, changed, outcome=outcome, request=request, by=principal.user_id)
        return changed

    return await database.transaction(work)


async def _conclude(uow: UnitOfWork, follow_up: dict[str, Any], *, outcome: rules.AttemptOutcome,
                    request: AttemptCreate, by: str) -> None:
    """The follow-up is over: its ticket is followed up, reopened, or closed as unreachable."""
    ticket = await store.find_ticket(uow, follow_up["ticket_id"], scope={"estate_id": follow_up["estate_id"]})
    summary = {"id": follow_up["_id"], "state": follow_up["state"], "result": outcome.result,
               "score": request.score, "due_by": follow_up["due_by"]}
    scope = about(follow_up)
    uow.emit(events.FollowUpCompleted(
        follow_up_id=follow_up["_id"], ticket_id=follow_up["ticket_id"], ticket_number=follow_up["ticket_number"],
        result=outcome.result, score=request.score, comment=request.comment, attempts=follow_up["attempt_count"],
        by=by,
    ), **scope)
    if ticket is None or ticket["status"] not in ("resolved", "followed_up"):
        return  # the ticket moved on meanwhile (reopened by hand): the follow-up is recorded, nothing more
    ticket = {**ticket, "follow_up": summary}
    event_fields = {"score": request.score} if outcome.ticket_command in ("follow_up", "reopen") else {}
    reason = {"reopen": "not satisfied at follow-up", "close": "unreachable at follow-up"}.get(outcome.ticket_command)
    await apply_command(uow, ticket, command=outcome.ticket_command, by=by, reason=request.comment or reason,
                        fields={"follow_up": summary}, event_fields=event_fields)
