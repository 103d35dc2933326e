"""What every service's request models share: strictness, and the shape of an estate id."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

ESTATE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,39}$"


def estate_id_field():
    return Field(pattern=ESTATE_ID_PATTERN)


class Strict(BaseModel):
    """A request model: unknown fields are refused (no mass assignment), text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# A wall-clock time in the estate's own time zone ("08:30"): no offset of its own, unlike
# JSON Schema's `time` format, so it is described (and checked) as a plain pattern.
def _without_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local wall-clock time has no offset: write 08:30, not 08:30Z")
    return value


LocalTime = Annotated[
    time,
    AfterValidator(_without_offset),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                    "description": "local wall-clock time, HH:MM or HH:MM:SS"}),
]
