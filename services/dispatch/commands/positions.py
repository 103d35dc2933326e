"""The company's positions: their roster, checked against who holds them."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from services.dispatch.commands.inputs.positions import CompanyRosterUpdate
from services.dispatch.commands.staff import require_company_wide
from services.dispatch.store import positions as store
from shared.auth import Principal
from shared.db import Database
from shared.errors import InvalidInput


async def set_roster(database: Database, principal: Principal, *, position: str, request: CompanyRosterUpdate) -> dict:
    require_company_wide(principal)
    holders = {p["_id"]: p for p in await store.holding_position(
        database, estate_id=None, company_id=principal.company_id, position=position)}
    entries = sorted(enumerate(request.entries), key=lambda pair: pair[1].starts_at)
    for n, entry in entries:
        if entry.staff_id not in holders:
            raise InvalidInput(f"{entry.staff_id} is not a company {position}; register them without an estate first",
                               field=f"entries.{n}.staff_id")
        if entry.ends_at <= entry.starts_at:
            raise InvalidInput("an entry ends after it starts", field=f"entries.{n}.ends_at")
    for (_, earlier), (n, later) in pairwise(entries):
        if later.starts_at < earlier.ends_at:
            raise InvalidInput(f"starts before the entry of {earlier.staff_id} before it ends",
                               field=f"entries.{n}.starts_at")
    documents = [entry.model_dump() for _, entry in entries]
    await database.transaction(lambda uow: store.set_company_roster(uow, principal.company_id, position=position,
                                                                    entries=documents))
    return await roster_public(database, principal.company_id, position=position)


async def roster_public(database: Database, company_id: str, *, position: str) -> dict[str, Any]:
    roster = await store.company_roster(database, company_id, position=position) or {"entries": []}
    holders = {p["_id"]: p for p in await store.holding_position(
        database, estate_id=None, company_id=company_id, position=position)}
    entries = [{**e, "name": holders.get(e["staff_id"], {}).get("name", e["staff_id"]),
                "phone": holders.get(e["staff_id"], {}).get("phone")} for e in roster["entries"]]
    now, via = await store.reach(database, estate_id="", company_id=company_id, position=position)
    holder = now and {"id": now["_id"], "name": now["name"], "phone": now.get("phone"), "reached_via": via}
    return {"company_id": company_id, "position": position, "entries": entries, "now": holder}
