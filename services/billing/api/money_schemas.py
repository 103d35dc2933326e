"""What billing's request models share: strictness, and the shape of money (a decimal string with two
places, "1234.50")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

AMOUNT = r"^-?\d{1,12}(\.\d{1,2})?$"
PRICE = r"^\d{1,9}(\.\d{1,2})?$"


# Billing's own, not shared.schemas.Strict: that one also trims text, and billing's requests have never
# been trimmed, so moving to it would change what is stored.
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
