"""Response models of the key register and lost property, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from services.intake.commands.inputs.keys import (
    LostPropertySettings,
)


class KeyPublic(BaseModel):
    id: str
    estate_id: str
    label: str
    kind: str
    unit_id: str | None
    holder: str
    copies: int
    left_by: str | None = None
    note: str | None = None
    status: Literal["in", "out"]
    current_loan_id: str | None = None
    lent_at: datetime | None = None
    registered_at: datetime


class KeyLoanPublic(BaseModel):
    id: str
    estate_id: str
    key_id: str
    label: str
    key_kind: str
    unit_id: str | None
    borrower: str
    purpose: str
    witnessed_by: str
    lent_by: str
    lent_at: datetime
    due_back_at: datetime | None = None
    returned_at: datetime | None = None
    returned_by: str | None = None
    return_witnessed_by: str | None = None
    received_by: str | None = None
    note: str | None = None


class LostItemPublic(BaseModel):
    id: str
    estate_id: str
    description: str
    category: str
    found_where: str
    found_at: datetime
    found_by: str
    stored_at: str | None = None
    registered_by: str
    keep_until: datetime
    status: Literal["held", "claimed", "disposed"]
    claim: dict | None = None
    disposal: dict | None = None


class LostPropertySettingsPublic(LostPropertySettings):
    estate_id: str
