"""What every service's request models share: strictness, and the shape of an estate id."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ESTATE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,39}$"


def estate_id_field():
    return Field(pattern=ESTATE_ID_PATTERN)


class Strict(BaseModel):
    """A request model: unknown fields are refused (no mass assignment), text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
