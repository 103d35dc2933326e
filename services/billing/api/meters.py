"""Meter readings (抄表), each after the first billing its consumption; the clerks' daily close (日结)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request

from services.billing import store
from services.billing.api.deps import Clerks, Readers
from services.billing.api.meters_schemas import (
    DayCloseCreate,
    DayClosePublic,
    MeterReadingCreate,
    MeterReadingPublic,
    ReadingsImported,
)
from services.billing.commands import day_close, meter_import, meters
from services.billing.commands.fee_items import find_estate
from services.billing.commands.ledger import find_unit
from shared.lookup import found
from shared.service import DatabaseDep
from shared.spreadsheets import XLSX_MEDIA_TYPE

router = APIRouter(prefix="/v1", tags=["meters"])


@router.post("/meter-readings", status_code=201, response_model=MeterReadingPublic)
async def record_reading(body: MeterReadingCreate, principal: Clerks, *, database: DatabaseDep) -> dict:
    """One reading per unit, meter and period; 409 for a second one (the period's line exists)."""
    return await meters.record_reading(database, principal, request=meters.ReadingInput(**body.model_dump()))


COLUMNS_TEXT = "building,unit,meter,reading,read_on[,period,replacement]"


@router.post("/estates/{estate_id}/meter-readings/import", status_code=201, response_model=ReadingsImported,
             openapi_extra={"requestBody": {"required": True, "content": {
                 meter_import.CSV_MEDIA_TYPE: {"schema": {"type": "string", "description": COLUMNS_TEXT}},
                 XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary",
                                              "description": f"the first sheet: {COLUMNS_TEXT}"}}}}},
             responses={415: {}, 422: {}})
async def import_readings(estate_id: str, request: Request, *, principal: Clerks, database: DatabaseDep) -> dict:
    """A month's readings from CSV or XLSX (by `Content-Type`), all or nothing: a file with bad lines answers
    422 naming each line and field."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return await meter_import.import_readings(database, principal, estate_id=estate_id, content=await request.body(),
                                              media_type=media_type)


@router.get("/units/{unit_id}/meter-readings", response_model=list[MeterReadingPublic])
async def unit_readings(unit_id: str, principal: Readers, *, database: DatabaseDep) -> list[dict]:
    await find_unit(database, principal, unit_id=unit_id)
    readings = await store.find_all(database, store.METER_READINGS, query={"unit_id": unit_id},
                                    sort=[("meter", 1), ("period", 1)])
    return [meters.reading_public(r) for r in readings]


@router.post("/day-closes", status_code=201, response_model=DayClosePublic)
async def close_day(body: DayCloseCreate, principal: Clerks, *, database: DatabaseDep) -> dict:
    """日结: the caller closes their own day; it is locked, and later payments count in the next day."""
    return await day_close.close_day(database, principal, request=day_close.DayCloseInput(**body.model_dump()))


@router.get("/day-closes/{day_close_id}", response_model=DayClosePublic)
async def get_day_close(day_close_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    close = found(await store.find_one(database, store.DAY_CLOSES,
                                       query={"_id": day_close_id, **principal.estate_filter()}), "day close")
    return day_close.close_public(close)


@router.get("/day-closes", response_model=list[DayClosePublic])
async def list_day_closes(estate_id: str, day: date, *, principal: Readers, database: DatabaseDep) -> list[dict]:
    await find_estate(database, principal, estate_id=estate_id)
    closes = await store.find_all(database, store.DAY_CLOSES,
                                  query={**principal.estate_filter(), "estate_id": estate_id,
                                         "day": day.isoformat()}, sort=[("clerk_id", 1)])
    return [day_close.close_public(close) for close in closes]
