"""Meter readings (抄表): each one after the first bills its consumption as a metered line."""

from __future__ import annotations

from fastapi import APIRouter

from services.billing import store
from services.billing.api.deps import Clerks, Readers
from services.billing.api.schemas import MeterReadingCreate, MeterReadingPublic
from services.billing.commands import meters
from services.billing.commands.ledger import find_unit
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["meters"])


@router.post("/meter-readings", status_code=201, response_model=MeterReadingPublic)
async def record_reading(body: MeterReadingCreate, principal: Clerks, database: DatabaseDep) -> dict:
    """One reading per unit, meter and period; 409 for a second one (the period's line exists)."""
    return await meters.record_reading(database, principal, meters.ReadingInput(**body.model_dump()))


@router.get("/units/{unit_id}/meter-readings", response_model=list[MeterReadingPublic])
async def unit_readings(unit_id: str, principal: Readers, database: DatabaseDep) -> list[dict]:
    await find_unit(database, principal, unit_id)
    readings = await store.find_all(database, store.METER_READINGS, {"unit_id": unit_id},
                                    sort=[("meter", 1), ("period", 1)])
    return [meters.reading_public(r) for r in readings]
