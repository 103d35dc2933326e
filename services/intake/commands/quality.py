"""Quality checks: reproducible samples of a period's contacts, checklist reviews, scores per agent and month."""

from __future__ import annotations

import secrets
from typing import Any

from services.intake import store
from services.intake.commands.desk import estate_in_scope
from services.intake.commands.inputs.quality import QualityCheckCreate, SampleCreate
from services.intake.domain import quality as rules
from services.intake.store import quality as quality_store
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict
from shared.events import QualityCheckRecorded
from shared.idempotency import create_once
from shared.lookup import found


async def draw_sample(
    database: Database, principal: Principal, *, request: SampleCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """The period's contacts that fit the target, `size` of them drawn with the (kept) seed."""
    estate = await estate_in_scope(database, principal, estate_id=request.estate_id)
    start, end = rules.period_bounds(request.from_day, request.to_day, time_zone=estate["time_zone"])
    contacts = await quality_store.contacts_between(database, estate["_id"], start=start, end=end)
    ticket_ids = [c["ticket_id"] for c in contacts if c.get("ticket_id")]
    categories = await quality_store.ticket_categories(database, ticket_ids)
    eligible = [c["_id"] for c in contacts if rules.eligible(c, categories.get(c.get("ticket_id")),
                                                             target=request.target)]
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    document = {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
        "from_day": request.from_day.isoformat(), "to_day": request.to_day.isoformat(), "target": request.target,
        "size": request.size, "seed": seed, "eligible": len(eligible),
        "contact_ids": rules.draw(eligible, request.size, seed=seed), "created_at": utcnow(),
        "created_by": principal.user_id,
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await quality_store.insert(uow, quality_store.SAMPLES, document=document)
        return present(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def find_sample(database: Database, principal: Principal, *, sample_id: str) -> dict[str, Any]:
    sample = found(
        await quality_store.find(database, quality_store.SAMPLES, document_id=sample_id,
                                 scope=principal.estate_filter()),
        "quality sample",
    )
    return sample


async def record_check(
    database: Database, principal: Principal, *, request: QualityCheckCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """Review one contact against the checklist; the score counts in its agent's month."""
    contact = found(await store.find_contact(database, request.contact_id, scope=principal.estate_filter()), "contact")
    estate = await estate_in_scope(database, principal, estate_id=contact["estate_id"])
    checklist = rules.with_logged_facts(request.checklist.model_dump(exclude_unset=True),
                                        contact.get("answered_within_15s"))
    document = {
        "_id": new_id(), "estate_id": contact["estate_id"], "company_id": contact["company_id"],
        "contact_id": contact["_id"], "agent_id": contact.get("agent_id"), "reviewer_id": principal.user_id,
        "checklist": checklist, "score": rules.score(checklist), "failed_items": rules.failed_items(checklist),
        "comments": request.comments, "recording_ref": request.recording_ref, "sample_id": request.sample_id,
        "month": rules.month_of(contact["logged_at"], estate["time_zone"]), "checked_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await quality_store.insert(uow, quality_store.CHECKS, document=document)
        if document["agent_id"]:
            key = {"estate_id": document["estate_id"], "company_id": document["company_id"],
                   "month": document["month"], "agent_id": document["agent_id"]}
            await quality_store.add_to_agent_month(uow, key, score=document["score"], failed=document["failed_items"])
        uow.emit(QualityCheckRecorded(
            check_id=document["_id"], contact_id=document["contact_id"], agent_id=document["agent_id"],
            reviewer_id=principal.user_id, score=document["score"], month=document["month"],
            failed_items=document["failed_items"],
        ), **about(document))
        return present(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work,
                             already_exists=Conflict("this contact has been checked already", field="contact_id"))


async def agent_month_scores(database: Database, estate_id: str, *, month: str) -> list[dict[str, Any]]:
    """Each agent's checks of the month, by agent."""
    query = {"estate_id": estate_id, "month": month}
    documents = await database.db[quality_store.AGENT_MONTHS].find(query).sort("agent_id", 1).to_list(None)
    return documents
