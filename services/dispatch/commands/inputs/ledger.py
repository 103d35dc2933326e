"""The inputs of dispatch's duty ledger commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from pydantic import Field

from shared.schemas import Strict, estate_id_field


class LedgerNoteCreate(Strict):
    estate_id: str = estate_id_field()
    text: str = Field(min_length=1, max_length=4000)
    corrects: str | None = Field(default=None, max_length=80, description="The id of the entry this one corrects")
