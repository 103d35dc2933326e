"""Dunning (催缴): runs by hand, and each unit's dunning log (催缴记录)."""

from __future__ import annotations

from fastapi import APIRouter

from services.billing import store
from services.billing.api.deps import Clerks, Readers
from services.billing.api.dunning_schemas import (
    BalancePolicy,
    DunningLogCreate,
    DunningLogEntry,
    DunningPolicy,
    DunningRunCreate,
    DunningRunPublic,
)
from services.billing.commands import dunning
from services.billing.commands.fee_items import find_estate
from services.billing.commands.ledger import find_unit
from shared.lookup import found
from shared.money import fen_to_text, text_to_fen
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["dunning"])


@router.post("/dunning-runs", status_code=201, response_model=DunningRunPublic)
async def start_dunning_run(body: DunningRunCreate, principal: Clerks, *, database: DatabaseDep) -> dict:
    """Notices to the units owing at least the threshold on overdue lines, one per unit, none too soon."""
    return await dunning.start_dunning_run(database, principal, request=dunning.DunningRunInput(**body.model_dump()))


@router.get("/dunning-runs", response_model=list[DunningRunPublic])
async def list_dunning_runs(estate_id: str, principal: Readers, *, database: DatabaseDep) -> list[dict]:
    await find_estate(database, principal, estate_id=estate_id)
    runs = await store.find_all(database, store.DUNNING_RUNS,
                                query={**principal.estate_filter(), "estate_id": estate_id},
                                sort=[("_id", -1)])
    return [dunning.dunning_run_public(run) for run in runs[:100]]


@router.get("/dunning-runs/{dunning_run_id}", response_model=DunningRunPublic)
async def get_dunning_run(dunning_run_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    run = found(await store.find_one(database, store.DUNNING_RUNS,
                                     query={"_id": dunning_run_id, **principal.estate_filter()}), "dunning run")
    return dunning.dunning_run_public(run)


@router.post("/units/{unit_id}/dunning-log", status_code=201, response_model=DunningLogEntry)
async def log_dunning(unit_id: str, body: DunningLogCreate, *, principal: Clerks, database: DatabaseDep) -> dict:
    """A call, visit or letter, and its outcome (a promise to pay names its date)."""
    return await dunning.log_entry(database, principal, unit_id=unit_id,
                                   request=dunning.LogEntryInput(**body.model_dump()))


@router.get("/units/{unit_id}/dunning-log", response_model=list[DunningLogEntry])
async def dunning_log(unit_id: str, principal: Readers, *, database: DatabaseDep) -> list[dict]:
    await find_unit(database, principal, unit_id=unit_id)
    entries = await store.find_all(database, store.DUNNING_LOG, query={"unit_id": unit_id}, sort=[("at", 1)])
    return [dunning.entry_public(entry) for entry in entries]


@router.put("/estates/{estate_id}/dunning-policy", response_model=DunningPolicy)
async def set_dunning_policy(estate_id: str, body: DunningPolicy, *, principal: Clerks, database: DatabaseDep) -> dict:
    """How much arrears a unit is chased for, and how often at most."""
    await find_estate(database, principal, estate_id=estate_id)
    policy = {"threshold_fen": text_to_fen(body.threshold), "min_interval_days": body.min_interval_days,
              "day_of_month": body.day_of_month}
    await database.db[store.DUNNING_POLICIES].update_one({"_id": estate_id}, {"$set": policy}, upsert=True)
    return body.model_dump()


@router.get("/estates/{estate_id}/dunning-policy", response_model=DunningPolicy)
async def get_dunning_policy(estate_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    await find_estate(database, principal, estate_id=estate_id)
    policy = {**dunning.DEFAULT_POLICY,
              **(await store.find_one(database, store.DUNNING_POLICIES, query={"_id": estate_id})
                 or {})}
    return {"threshold": fen_to_text(policy["threshold_fen"]), "min_interval_days": policy["min_interval_days"],
            "day_of_month": policy.get("day_of_month")}


@router.put("/estates/{estate_id}/balance-policy", response_model=BalancePolicy)
async def set_balance_policy(estate_id: str, body: BalancePolicy, *, principal: Clerks, database: DatabaseDep) -> dict:
    """Below which prepaid balance the residents are warned (billing.balance.low, once per crossing)."""
    await find_estate(database, principal, estate_id=estate_id)
    await database.db[store.BALANCE_POLICIES].update_one(
        {"_id": estate_id}, {"$set": {"low_balance_fen": text_to_fen(body.low_balance)}}, upsert=True)
    return body.model_dump()
