"""A month's meter readings from one file, CSV or XLSX, all or nothing: every bad line is named (by its
line in the file, the header being line 1), and a file with any bad line records none of them."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import numbers
from datetime import date, datetime
from typing import Any

from services.billing import store
from services.billing.commands import meters
from services.billing.commands.fee_items import find_estate
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.errors import DomainError, UnsupportedMediaType
from shared.spreadsheets import XLSX_MEDIA_TYPE, NotAWorkbook, workbook_rows

CSV_MEDIA_TYPE = "text/csv"
COLUMNS = ("building", "unit", "meter", "reading", "read_on")
OPTIONAL = ("period", "replacement")
MAX_COLUMNS = 20


class ReadingsRejected(DomainError):
    status, code, title = 422, "readings_rejected", "The readings file has bad lines; nothing was recorded"


def _checked_header(fieldnames: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        raise ReadingsRejected(f"the header lacks {', '.join(missing)}", field="body", errors_by_line=[])


def _csv_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadingsRejected("the file is not UTF-8 text", field="body", errors_by_line=[]) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        _checked_header(reader.fieldnames or [])
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise ReadingsRejected(f"the CSV file cannot be read: {error}", field="body", errors_by_line=[]) from error


def _text(value: Any) -> str:
    """A cell as the text a CSV file would hold: dates as YYYY-MM-DD, numbers as typed (130.5, 100)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, numbers.Integral):
        return str(value)
    if isinstance(value, numbers.Real):  # the shortest text that reads back as the cell's number
        return repr(value).removesuffix(".0")
    return str(value).strip()


def _month(value: Any) -> str:
    """Excel turns a typed 2025-02 into the date 2025-02-01: the period is its month."""
    return f"{value:%Y-%m}" if isinstance(value, date) else _text(value)


def _xlsx_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The first sheet, values only; a row's line is its row number. Empty rows are skipped."""
    with contextlib.closing(workbook_rows(content, MAX_COLUMNS)) as cells:
        try:
            header = [_text(value) for value in next(cells, ())]
        except NotAWorkbook as error:
            raise ReadingsRejected(str(error), field="body", errors_by_line=[]) from error
        _checked_header(header)
        rows = []
        for line, values in enumerate(cells, start=2):
            row = {name: _month(value) if name == "period" else _text(value)
                   for name, value in zip(header, values, strict=False) if name}
            if any(row.values()):
                rows.append((line, row))
        return rows


READERS = {CSV_MEDIA_TYPE: _csv_rows, XLSX_MEDIA_TYPE: _xlsx_rows}


async def _rows(content: bytes, media_type: str) -> list[tuple[int, dict[str, str]]]:
    reader = READERS.get(media_type)
    if reader is None:
        raise UnsupportedMediaType(f"send the readings as {CSV_MEDIA_TYPE} or {XLSX_MEDIA_TYPE}",
                                   field="Content-Type")
    return await asyncio.to_thread(reader, content)


def _input(row: dict[str, str], unit_id: str) -> meters.ReadingInput:
    return meters.ReadingInput(
        unit_id=unit_id, meter=(row.get("meter") or "").strip(), reading=(row.get("reading") or "").strip(),
        read_on=date.fromisoformat((row.get("read_on") or "").strip()), period=(row.get("period") or "").strip() or None,
        replacement=(row.get("replacement") or "").strip().lower() in ("1", "true", "yes", "是"))


async def import_readings(database: Database, principal: Principal, *, estate_id: str, content: bytes,
                          media_type: str = CSV_MEDIA_TYPE) -> dict:
    await find_estate(database, principal, estate_id=estate_id)
    rows = await _rows(content, media_type)
    units = {(u.get("building_name"), u.get("number")): u for u in await store.find_all(
        database, store.UNITS, query={"estate_id": estate_id})}
    errors: list[dict[str, Any]] = []
    checked = []
    for line, row in rows:
        unit = units.get(((row.get("building") or "").strip(), (row.get("unit") or "").strip()))
        if unit is None:
            errors.append({"line": line, "field": "unit", "message": "no such unit in this estate"})
            continue
        try:
            request = _input(row, unit["_id"])
            checked.append((line, unit, request, await meters.prepare(database, unit, request=request)))
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
                recorded.append(await meters.record(uow, principal, unit=unit, request=request, prepared=prepared))
            except DomainError as error:
                found.append({"line": line, "field": error.field, "message": error.detail})
        if found:  # raising aborts the transaction: nothing of the file is kept
            raise ReadingsRejected(f"{len(found)} bad lines", errors_by_line=sorted(found, key=lambda e: e["line"]),
                                   error_count=len(found))
        return recorded

    recorded = await database.transaction(work)
    return {"recorded": len(recorded), "lines_billed": sum(1 for r in recorded if r["line_id"])}
