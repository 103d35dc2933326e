"""The inputs of intake's keys commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from services.intake.commands.inputs.procedures import DIRECTORY_ID
from services.intake.domain.keys import KeyKind
from shared.schemas import Strict, estate_id_field

Person = Field(min_length=1, max_length=60)


class KeyCreate(Strict):
    estate_id: str = estate_id_field()
    label: str = Field(min_length=1, max_length=60, description="The tag on the key, e.g. 3-1-502 or 水泵房")
    kind: KeyKind
    unit_id: str | None = Field(default=None, pattern=DIRECTORY_ID, description="For a unit's key")
    holder: str = Field(min_length=1, max_length=100, description="Who keeps it, e.g. 服务中心钥匙柜 A-12")
    copies: int = Field(default=1, ge=1, le=50)
    left_by: str | None = Field(default=None, max_length=60, description="The owner who left it (unit keys)")
    note: str | None = Field(default=None, max_length=500)


class KeyLoanCreate(Strict):
    borrower: str = Person
    purpose: str = Field(min_length=1, max_length=500, description="Why it is lent, e.g. 漏水紧急入户")
    witnessed_by: str = Person
    due_back_at: AwareDatetime | None = None


class KeyReturnCreate(Strict):
    returned_by: str = Person
    witnessed_by: str = Person
    note: str | None = Field(default=None, max_length=500)


class LostItemCreate(Strict):
    estate_id: str = estate_id_field()
    description: str = Field(min_length=1, max_length=1000)
    category: Literal["documents", "keys", "electronics", "wallet", "clothing", "jewellery", "other"] = "other"
    found_where: str = Field(min_length=1, max_length=200)
    found_at: AwareDatetime
    found_by: str = Person
    stored_at: str | None = Field(default=None, max_length=200, description="Where it is kept")


class LostItemClaim(Strict):
    claimant_name: str = Person
    claimant_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{3,20}$")
    id_document_type: Literal["resident_id_card", "passport", "hk_macau_permit", "driving_licence", "other"]
    id_document_number: str = Field(pattern=r"^[A-Za-z0-9]{4,30}$", description="Checked; kept masked")
    identity_checked: Literal[True] = Field(description="The desk saw the document and it matches the claimant")
    note: str | None = Field(default=None, max_length=500)


class LostItemDisposal(Strict):
    method: Literal["donated", "discarded", "handed_to_police", "sold_for_charity"]
    note: str | None = Field(default=None, max_length=500)


class LostPropertySettings(Strict):
    keep_days: int = Field(ge=1, le=3650, description="Days an unclaimed item is kept before disposal")
