"""Directory rules (一户一档): phone numbers, areas and the residents' history (import rows: `directory_import`).

Pure functions over plain values and documents: no I/O. A change to a resident is computed
here as the fields to set plus one history entry; nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

import phonenumbers

from shared.errors import InvalidInput, InvalidTransition
from shared.roles import FRONT_DESK

UnitKind = Literal["residential", "commercial", "parking_space", "storage"]
ResidentRole = Literal["owner", "tenant", "family_member"]
ContactChannel = Literal["sms", "wechat", "app_push", "email", "voice"]
Language = Literal["zh", "en"]
ResidentStatus = Literal["active", "moved_out"]
UNIT_KINDS: tuple[str, ...] = ("residential", "commercial", "parking_space", "storage")
RESIDENT_ROLES: tuple[str, ...] = ("owner", "tenant", "family_member")
DEFAULT_REGION = "CN"
MAX_AREA_M2 = Decimal("100000")
# Who reads any file of the directory: the front desk, dispatchers and billing clerks (residents: their own).
READERS: frozenset[str] = FRONT_DESK | {"dispatcher", "billing_clerk"}
# Who is recognised first when several people of an estate share one number (a family landline).
RECOGNITION_ORDER = {"owner": 0, "tenant": 1, "family_member": 2}


# --- values ------------------------------------------------------------------------------


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Any way people write a number (`138 1234 5678`, `+86-138…`, `021-1234 5678`) → E.164.

    ValueError for anything that is not a valid number of its region.
    """
    text = str(raw).strip()
    if region == "CN" and len(text) == 11 and text.isdigit() and text[0] == "1":
        # The common case, a plain mainland mobile: its validity depends on its leading digits only
        # (the carriers' number ranges), so one full check per prefix serves an import of thousands.
        if _mobile_prefix_is_valid(text[:7]):
            return f"+86{text}"
        raise ValueError(f"{text!r} is not a valid phone number")
    return _parse_phone(text, region)


@lru_cache(maxsize=8192)
def _mobile_prefix_is_valid(prefix: str) -> bool:
    try:
        _parse_phone(prefix + "0000", "CN")
    except ValueError:
        return False
    return True


def _parse_phone(text: str, region: str) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"{text!r} is not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_area(raw: str | int | float | Decimal) -> str:
    """An area in m² as a decimal string with two places (`89.5` → `"89.50"`); floats via their text."""
    try:
        area = Decimal(str(raw).strip())
    except InvalidOperation as error:
        raise ValueError(f"{raw!r} is not a number of square metres") from error
    if not area.is_finite() or area <= 0 or area > MAX_AREA_M2:
        raise ValueError(f"an area must be more than 0 and at most {MAX_AREA_M2} m²")
    if area != area.quantize(Decimal("0.01")):
        raise ValueError("an area has at most two decimal places")
    return str(area.quantize(Decimal("0.01")))


# --- the residents' history ------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentChange:
    """What a change does to a resident document: fields to set and the history entry it leaves."""

    fields: dict[str, Any]
    entry: dict[str, Any]
    moved_out: bool = False  # the resident no longer lives in any unit of the estate


def _entry(change: str, on: date | None, *, by: str, at: datetime, **details: Any) -> dict[str, Any]:
    return {"change": change, "on": on.isoformat() if on else None, "by": by, "at": at, **details}


def _require_active(resident: dict[str, Any]) -> None:
    if resident["status"] != "active":
        raise InvalidTransition("the resident has moved out; register the move-in first", field="status")


def change_phones(resident: dict[str, Any], phones: Sequence[str], *, by: str, at: datetime) -> ResidentChange:
    old = list(resident["phones"])
    new = list(dict.fromkeys(phones))
    if new == old:
        raise InvalidInput("these are already the resident's phones", field="phones")
    return ResidentChange({"phones": new}, _entry("phones_changed", at.date(), by=by, at=at, old=old, new=new))


def move_in(resident: dict[str, Any], unit_id: str, *, on: date, by: str, at: datetime) -> ResidentChange:
    """Into one more unit (or back, after moving out): the resident becomes active again."""
    return join_units(resident, [unit_id], on=on, by=by, at=at)


def join_units(
    resident: dict[str, Any], unit_ids: Sequence[str], *, on: date, by: str, at: datetime, **details: Any
) -> ResidentChange:
    if any(unit_id in resident["unit_ids"] for unit_id in unit_ids):
        raise InvalidTransition("the resident already belongs to this unit", field="unit_id")
    fields: dict[str, Any] = {"unit_ids": [*resident["unit_ids"], *unit_ids], "status": "active", "moved_out_on": None}
    if resident["status"] != "active":
        fields["move_in_date"] = on.isoformat()
    where = {"unit_id": unit_ids[0]} if len(unit_ids) == 1 else {"unit_ids": list(unit_ids)}
    return ResidentChange(fields, _entry("moved_in", on, by=by, at=at, **where, **details))


def same_person(known: Iterable[dict[str, Any]], name: str, *, phones: Sequence[str]) -> dict[str, Any] | None:
    """The resident already in the directory that an imported line stands for: same name, a shared phone."""
    return next((r for r in known if r["name"] == name and set(r["phones"]) & set(phones)), None)


def move_out(
    resident: dict[str, Any], unit_ids: Sequence[str] | None, *, on: date, by: str, at: datetime,
    reason: str = "moved_out",
) -> ResidentChange:
    """Out of some units (all by default); out of the last one, the resident has moved out."""
    _require_active(resident)
    leaving = list(unit_ids) if unit_ids else list(resident["unit_ids"])
    strangers = [unit_id for unit_id in leaving if unit_id not in resident["unit_ids"]]
    if strangers:
        raise InvalidInput(f"the resident does not belong to unit {strangers[0]}", field="unit_ids")
    moved_in = resident.get("move_in_date")
    if moved_in and on < date.fromisoformat(moved_in):
        raise InvalidInput("a move-out cannot come before the move-in", field="moved_out_on")
    remaining = [unit_id for unit_id in resident["unit_ids"] if unit_id not in leaving]
    fields: dict[str, Any] = {"unit_ids": remaining}
    if not remaining:
        fields.update(status="moved_out", moved_out_on=on.isoformat())
    entry = _entry(reason, on, by=by, at=at, unit_ids=leaving)
    return ResidentChange(fields, entry, moved_out=not remaining)


def transfer_ownership(
    owners: Sequence[dict[str, Any]], new_owner: dict[str, Any], *, unit_id: str, on: date, by: str, at: datetime,
) -> tuple[list[tuple[dict[str, Any], ResidentChange]], ResidentChange]:
    """过户: the unit's owners leave it (kept in their history), the new owner joins it."""
    if any(owner["_id"] == new_owner["_id"] for owner in owners):
        raise InvalidTransition("the new owner already owns this unit", field="new_owner_id")
    if new_owner["role"] != "owner":
        raise InvalidInput("the new owner must be registered with the role owner", field="new_owner_id")
    if unit_id in new_owner["unit_ids"]:
        raise InvalidTransition("the new owner already belongs to this unit", field="new_owner_id")
    leaving = [
        (owner, move_out(owner, [unit_id], on=on, by=by, at=at, reason="ownership_transferred_out")) for owner in owners
    ]
    joining = move_in(new_owner, unit_id, on=on, by=by, at=at)
    previous = [owner["_id"] for owner in owners]
    entry = {**joining.entry, "change": "ownership_transferred_in", "previous_owner_ids": previous}
    return leaving, ResidentChange(joining.fields, entry)


def pick_caller(candidates: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The one resident a number stands for: active ones only; owners before tenants before family."""
    active = [c for c in candidates if c.get("status") == "active"]
    if not active:
        return None
    return min(active, key=lambda c: (RECOGNITION_ORDER.get(c["role"], 9), c["_id"]))
