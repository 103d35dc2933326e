"""A month's meter readings from one CSV file, all or nothing: every bad line is named, and a file
with any bad line records none of them."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from services.billing import store
from services.billing.commands import meters
from services.billing.commands.fee_items import find_estate
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.errors import DomainError

COLUMNS = ("building", "unit", "meter", "reading", "read_on")
OPTIONAL = ("period", "replacement")


class ReadingsRejected(DomainError):
    status, code, title = 422, "readings_rejected", "The readings file has bad lines; nothing was recorded"


def _rows(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadingsRejected("the file is not UTF-8 text", field="body", errors_by_line=[]) from error
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReadingsRejected(f"the header lacks {', '.join(missing)}", field="body", errors_by_line=[])
    return list(reader)


def _input(row: dict[str, str], unit_id: str) -> meters.ReadingInput:
    return meters.ReadingInput(
        unit_id=unit_id, meter=(row.get("meter") or "").strip(), reading=(row.get("reading") or "").strip(),
        read_on=date.fromisoformat((row.get("read_on") or "").strip()), period=(row.get("period") or "").strip() or None,
        replacement=(row.get("replacement") or "").strip().lower() in ("1", "true", "yes", "是"))


async def import_readings(database: Database, principal: Principal, estate_id: str, content: bytes) -> dict:
    await find_estate(database, principal, estate_id)
    rows = _rows(content)
    units = {(u.get("building_name"), u.get("number")): u for u in await store.find_all(
        database, store.UNITS, {"estate_id": estate_id})}
    errors: list[dict[str, Any]] = []
    checked = []
    for line, row in enumerate(rows, start=2):
        unit = units.get(((row.get("building") or "").strip(), (row.get("unit") or "").strip()))
        if unit is None:
            errors.append({"line": line, "field": "unit", "message": "no such unit in this estate"})
            continue
        try:
            request = _input(row, unit["_id"])
            checked.append((line, unit, request, await meters.prepare(database, unit, request)))
        except ValueError:
            errors.append({"line": line, "field": "read_on", "message": "a date is YYYY-MM-DD"})
        except DomainError as error:
            errors.append({"line": line, "field": error.field, "message": error.detail})
    if errors:
        raise ReadingsRejected(f"{len(errors)} bad lines", errors_by_line=errors, error_count=len(errors))
    # Oldest period first, so that a file holding two months of one meter reads them in order.
    checked.sort(key=lambda entry: (entry[1]["_id"], entry[2].meter, entry[3].period.code))

    async def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        found, recorded = [], []
        for line, unit, request, prepared in checked:
            try:
                recorded.append(await meters.record(uow, principal, unit, request, prepared))
            except DomainError as error:
                found.append({"line": line, "field": error.field, "message": error.detail})
        if found:  # raising aborts the transaction: nothing of the file is kept
            raise ReadingsRejected(f"{len(found)} bad lines", errors_by_line=sorted(found, key=lambda e: e["line"]),
                                   error_count=len(found))
        return recorded

    recorded = await database.transaction(work)
    return {"recorded": len(recorded), "lines_billed": sum(1 for r in recorded if r["line_id"])}
