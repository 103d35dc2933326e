"""The inputs of intake's directory commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from services.intake.domain.directory import (
    ContactChannel,
    Language,
    ResidentRole,
    UnitKind,
    normalise_area,
    normalise_phone,
)
from shared.schemas import Strict

# A phone number as people write it, stored and answered in E.164 (default region CN).
PhoneNumber = Annotated[str, Field(min_length=3, max_length=30), AfterValidator(normalise_phone)]


# Square metres as a decimal string ("89.50") or a number; kept as a string with two places.
AreaM2 = Annotated[str, BeforeValidator(lambda v: normalise_area(v) if isinstance(v, (str, int, float, Decimal)) else v)]


Id = Annotated[str, Field(min_length=1, max_length=40)]


class BusinessHours(Strict):
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHours:
        if self.opens >= self.closes:
            raise ValueError("business hours must open before they close")
        return self


class BuildingCreate(Strict):
    name: str = Field(min_length=1, max_length=40, description="As the estate names it: 3栋, A座")
    floors: int | None = Field(default=None, ge=1, le=200)


class UnitCreate(Strict):
    building_id: Id
    number: str = Field(min_length=1, max_length=20, description="Within the building: 1-502")
    floor: int | None = Field(default=None, ge=-10, le=200)
    area_m2: AreaM2 | None = None
    kind: UnitKind = "residential"


class UnitUpdate(Strict):
    floor: int | None = Field(default=None, ge=-10, le=200)
    area_m2: AreaM2 | None = None
    kind: UnitKind | None = None


class ResidentCreate(Strict):
    name: str = Field(min_length=1, max_length=60)
    phones: list[PhoneNumber] = Field(default_factory=list, max_length=5)
    role: ResidentRole
    unit_ids: list[Id] = Field(min_length=1, max_length=20)
    move_in_date: date | None = None
    preferred_channels: list[ContactChannel] = Field(default_factory=list, max_length=5)
    language: Language = "zh"


class ResidentUpdate(Strict):
    """Details that change without a history rule of their own (phones and units have theirs)."""

    name: str | None = Field(default=None, min_length=1, max_length=60)
    role: ResidentRole | None = None
    preferred_channels: list[ContactChannel] | None = Field(default=None, max_length=5)
    language: Language | None = None


class PhonesChange(Strict):
    phones: list[PhoneNumber] = Field(max_length=5)


class MoveIn(Strict):
    unit_id: Id
    moved_in_on: date


class MoveOut(Strict):
    moved_out_on: date
    unit_ids: list[Id] | None = Field(default=None, max_length=20, description="Default: every unit of the resident")


class NewOwner(Strict):
    """A new owner not yet in the directory: registered as owner of the unit from the transfer date."""

    name: str = Field(min_length=1, max_length=60)
    phones: list[PhoneNumber] = Field(default_factory=list, max_length=5)
    preferred_channels: list[ContactChannel] = Field(default_factory=list, max_length=5)
    language: Language = "zh"


class OwnershipTransfer(Strict):
    """过户: name an existing resident (role owner) as the new owner, or register one."""

    transferred_on: date
    new_owner_id: Id | None = None
    new_owner: NewOwner | None = None


class ResidentLink(Strict):
    resident_id: Id
    unit_id: Id | None = Field(default=None, description="Default: the resident's only unit, if they have one")
