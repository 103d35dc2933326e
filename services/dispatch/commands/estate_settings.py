"""An estate's own settings of dispatch: its clock (the SLA policy)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from services.dispatch.domain import sla
from services.dispatch.store import work_orders as order_store
from shared.auth import Principal
from shared.db import Database, UnitOfWork


async def set_sla_policy(database: Database, principal: Principal, *, estate_id: str,
                         policy: dict[str, Any]) -> dict[str, Any]:
    """The estate's clock (`policy` as JSON: limits in seconds, times as HH:MM), checked and stored;
    it applies to work orders created from now on (each order keeps the deadlines it was given)."""
    await principal.require_estate(estate_id)
    sla.check_policy(
        priorities={priority: sla.Policy(**{m: timedelta(seconds=s) for m, s in limits.items()})
                    for priority, limits in policy["priorities"].items()},
        clock=policy["clock"], opens=time.fromisoformat(policy["opens"]), closes=time.fromisoformat(policy["closes"]),
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await order_store.set_sla_policy(uow, estate_id, policy=policy)

    return await database.transaction(work)
