"""Events of intake's directory (一户一档): units and residents.

Other services keep their own copies from these: billing bills units by area and kind,
notification reaches residents on their channels, dispatch shows who lives where.
"""

from __future__ import annotations

from datetime import date

from shared.events.registry import Payload, event


@event("intake.unit.registered")
class UnitRegistered(Payload):
    """A unit (flat, shop, parking space or storage room) joined an estate's directory."""

    unit_id: str
    building_id: str
    building_name: str
    number: str
    floor: int | None = None
    area_m2: str | None = None  # decimal string, two places
    kind: str


@event("intake.unit.updated")
class UnitUpdated(UnitRegistered):
    """A unit's details changed, or its owners did (`change`: details_changed | ownership_transferred)."""

    change: str = "details_changed"
    owner_resident_ids: list[str] | None = None  # after an ownership transfer: who owns it now


@event("intake.resident.registered")
class ResidentRegistered(Payload):
    """A person was registered as living in (or owning) units of the estate."""

    resident_id: str
    name: str
    phones: list[str]  # E.164
    role: str
    unit_ids: list[str]
    move_in_date: date | None = None
    preferred_channels: list[str] = []
    language: str = "zh"


@event("intake.resident.updated")
class ResidentUpdated(Payload):
    """A resident's file changed (`change`: details_changed | phones_changed | moved_in | ownership_transferred_in | ownership_transferred_out)."""

    resident_id: str
    change: str
    name: str
    phones: list[str]
    role: str
    unit_ids: list[str]
    status: str
    preferred_channels: list[str] = []
    language: str = "zh"


@event("intake.resident.moved_out")
class ResidentMovedOut(Payload):
    """A resident left their last unit of the estate (their file is kept, marked moved out)."""

    resident_id: str
    unit_ids: list[str]  # the units they left with this change
    moved_out_on: date
    reason: str  # moved_out | ownership_transferred_out


@event("intake.directory.imported")
class DirectoryImported(Payload):
    """A bulk import committed. It comes in parts (`part` of `parts`, all committed together), each
    carrying up to a few hundred units or residents exactly as their `registered` events would:
    a consumer applies a part as it would apply each of those events. An estate of 15,000 records
    is 30 events instead of 15,000."""

    import_id: str
    part: int  # 1-based
    parts: int
    buildings_registered: int  # totals of the whole import
    units_registered: int
    residents_registered: int
    residents_joined: int = 0  # already in the directory: each has its own intake.resident.updated (moved_in)
    units: list[UnitRegistered] = []
    residents: list[ResidentRegistered] = []
