"""Import rows of the directory (一户一档): a file's columns in English or Chinese, each line checked and
every problem named, and the plan of buildings, units and residents the file makes.

Pure functions over plain values: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.intake.domain.directory import (
    RESIDENT_ROLES,
    UNIT_KINDS,
    normalise_area,
    normalise_phone,
)

# Column names, in English or as a Chinese property company's sheet has them.
COLUMN_ALIASES: dict[str, str] = {
    "building": "building", "楼栋": "building", "楼号": "building",
    "unit": "unit", "number": "unit", "房号": "unit", "房屋": "unit", "单元房号": "unit",
    "floor": "floor", "楼层": "floor",
    "area": "area", "area_m2": "area", "面积": "area", "建筑面积": "area",
    "kind": "kind", "类型": "kind", "房屋类型": "kind",
    "name": "name", "姓名": "name",
    "phone": "phone", "phones": "phone", "电话": "phone", "手机": "phone", "联系电话": "phone",
    "role": "role", "身份": "role", "住户类型": "role",
    "move_in_date": "move_in_date", "入住日期": "move_in_date", "入伙日期": "move_in_date",
    "language": "language", "语言": "language",
}
REQUIRED_COLUMNS = ("building", "unit")
KIND_ALIASES = {"住宅": "residential", "商铺": "commercial", "商业": "commercial", "车位": "parking_space",
                "储藏室": "storage", "储物间": "storage", **{kind: kind for kind in UNIT_KINDS}}
ROLE_ALIASES = {"业主": "owner", "租户": "tenant", "家属": "family_member", "家庭成员": "family_member",
                **{role: role for role in RESIDENT_ROLES}}
PHONE_SEPARATORS = (";", "；", "/", "、", ",", "，")
MAX_TEXT = {"building": 40, "unit": 20, "name": 60}
MAX_ERRORS_REPORTED = 1000
HEADER_SEARCH_LINES = 5


@dataclass
class ImportedUnit:
    line: int
    building: str
    number: str
    floor: int | None
    area_m2: str | None
    kind: str


@dataclass
class ImportedResident:
    line: int
    name: str
    phones: list[str]
    role: str
    move_in_date: str | None
    language: str
    units: list[tuple[str, str]] = field(default_factory=list)  # (building, number)


@dataclass
class ImportPlan:
    """A whole file, checked: its buildings, units and residents, or the errors of its lines."""

    buildings: list[str] = field(default_factory=list)
    units: list[ImportedUnit] = field(default_factory=list)
    residents: list[ImportedResident] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    def refuse(self, line: int, field_name: str | None, *, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append({"line": line, "field": field_name, "message": message})


def _text(value: Any) -> str:
    """A cell as text: spreadsheets give numbers (502, 13812345678.0) where people typed digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day).isoformat()
    except ValueError as error:
        raise ValueError(f"{text!r} is not a date (use 2024-05-01)") from error


def column_map(header: Sequence[Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Which column holds what; errors (line 1) for unknown, repeated or missing columns."""
    columns: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        name = _text(cell).lower().replace(" ", "_")
        if not name:
            continue
        known = COLUMN_ALIASES.get(name)
        if known is None:
            errors.append({"line": 1, "field": _text(cell), "message": "unknown column"})
        elif known in columns:
            errors.append({"line": 1, "field": _text(cell), "message": f"a second {known} column"})
        else:
            columns[known] = index
    errors += [{"line": 1, "field": name, "message": "missing column"} for name in REQUIRED_COLUMNS
               if name not in columns]
    return columns, errors


class _RowReader:
    """One line's cells by column name, remembering the first problem of each field."""

    def __init__(self, plan: ImportPlan, line: int, *, row: Sequence[Any], columns: dict[str, int]) -> None:
        self.plan, self.line, self.row, self.columns = plan, line, row, columns
        self.ok = True

    def raw(self, name: str) -> Any:
        index = self.columns.get(name)
        return self.row[index] if index is not None and index < len(self.row) else None

    def text(self, name: str, *, required: bool = False) -> str:
        value = _text(self.raw(name))
        if required and not value:
            return self.fail(name, "required", default="")
        if name in MAX_TEXT and len(value) > MAX_TEXT[name]:
            return self.fail(name, f"at most {MAX_TEXT[name]} characters", default="")
        return value

    def parsed(self, name: str, parse, *, default=None):
        if not _text(self.raw(name)):
            return default
        try:
            return parse(self.raw(name))
        except (ValueError, TypeError) as error:
            return self.fail(name, str(error), default=default)

    def fail(self, name: str, message: str, *, default):
        self.ok = False
        self.plan.refuse(self.line, name, message=message)
        return default


def _floor(value: Any) -> int:
    text = _text(value)
    if not text.lstrip("-").isdigit() or not -10 <= int(text) <= 200:
        raise ValueError("a floor is a whole number from -10 to 200")
    return int(text)


def _alias(aliases: dict[str, str], what: str):
    def parse(value: Any) -> str:
        text = _text(value)
        if text.lower() in aliases:
            return aliases[text.lower()]
        if text in aliases:
            return aliases[text]
        raise ValueError(f"{text!r} is not a {what}; use one of {', '.join(sorted(set(aliases.values())))}")
    return parse


def _phones(value: Any) -> list[str]:
    text = _text(value)
    for separator in PHONE_SEPARATORS:
        text = text.replace(separator, ";")
    return list(dict.fromkeys(normalise_phone(part) for part in text.split(";") if part.strip()))


def _language(value: Any) -> str:
    text = _text(value).lower()
    if text not in ("zh", "en", "中文", "english"):
        raise ValueError("a language is zh or en")
    return "en" if text in ("en", "english") else "zh"


def _check_same_unit(reader: _RowReader, unit: ImportedUnit, *, floor, area, kind) -> None:
    """Several residents of one unit repeat its columns; they must not contradict each other."""
    for name, first, again in (("floor", unit.floor, floor), ("area", unit.area_m2, area), ("kind", unit.kind, kind)):
        if again is not None and first is not None and first != again:
            reader.fail(name, f"line {unit.line} gives this unit's {name} as {first}", default=None)
    unit.floor = unit.floor if unit.floor is not None else floor
    unit.area_m2 = unit.area_m2 if unit.area_m2 is not None else area


def plan_import(rows: Iterable[Sequence[Any]]) -> ImportPlan:
    """Check a whole file (one row per resident; a unit without residents is a row without a name).

    Lines are numbered as a spreadsheet shows them, from 1. The header is the first line, or the
    first of the first few lines that names the required columns (sheets often open with a title
    line). One person (same name and phone) on several lines belongs to each of their units.
    """
    plan = ImportPlan()
    numbered = enumerate(rows, start=1)
    found = _header(numbered)
    if found is None:
        plan.refuse(1, None, message="the file is empty")
        return plan
    header_line, columns, header_errors = found
    for error in header_errors:
        plan.refuse(header_line, error["field"], message=error["message"])
    if header_errors:
        return plan
    units: dict[tuple[str, str], ImportedUnit] = {}
    people: dict[tuple[str, str], ImportedResident] = {}
    for line, row in numbered:
        if not any(_text(cell) for cell in row):
            continue  # spreadsheets end with empty rows
        _plan_row(plan, _RowReader(plan, line, row=row, columns=columns), units=units, people=people)
    plan.units = list(units.values())
    plan.buildings = list(dict.fromkeys(unit.building for unit in plan.units))
    return plan


def _header(numbered) -> tuple[int, dict[str, int], list[dict[str, Any]]] | None:
    """The header line among the first HEADER_SEARCH_LINES: the first naming the required columns,
    else the first non-empty line (whose problems are then reported)."""
    first = None
    for line, row in numbered:
        if not any(_text(cell) for cell in row):
            continue
        columns, errors = column_map(row)
        if all(name in columns for name in REQUIRED_COLUMNS):
            return line, columns, errors
        first = first or (line, columns, errors)
        if line >= HEADER_SEARCH_LINES:
            break
    return first


def _plan_row(plan: ImportPlan, reader: _RowReader, *, units: dict, people: dict) -> None:
    building, number = reader.text("building", required=True), reader.text("unit", required=True)
    floor = reader.parsed("floor", _floor)
    area = reader.parsed("area", normalise_area)
    kind = reader.parsed("kind", _alias(KIND_ALIASES, "unit kind"))
    name = reader.text("name")
    phones = reader.parsed("phone", _phones, default=[])
    role = reader.parsed("role", _alias(ROLE_ALIASES, "resident role"))
    move_in_date = reader.parsed("move_in_date", _date)
    language = reader.parsed("language", _language, default="zh")
    if not name and (phones or role or move_in_date):
        reader.fail("name", "a resident needs a name", default=None)
    if name and role is None and not _text(reader.raw("role")):
        reader.fail("role", "required for a resident (owner, tenant or family_member)", default=None)
    if not reader.ok:
        return
    key = (building, number)
    unit = units.get(key)
    if unit is None:
        units[key] = ImportedUnit(reader.line, building, number, floor, area, kind or "residential")
    else:
        _check_same_unit(reader, unit, floor=floor, area=area, kind=kind)
    if not name or not reader.ok:
        return
    person_key = (name, phones[0]) if phones else None
    person = people.get(person_key) if person_key else None
    if person is None:
        person = ImportedResident(reader.line, name, phones, role, move_in_date, language)
        plan.residents.append(person)
        if person_key:
            people[person_key] = person
    elif key in person.units:
        reader.fail("name", f"line {person.line} already puts this resident in this unit", default=None)
        return
    person.units.append(key)
