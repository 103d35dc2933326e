"""Response models of the duty ledger (客服工作台帐), named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class LedgerEntryPublic(BaseModel):
    id: str
    estate_id: str
    sequence: int
    kind: str
    content: dict[str, Any]
    previous_hash: str
    hash: str
    recorded_at: datetime


class ChainHead(BaseModel):
    estate_id: str
    sequence: int
    hash: str


class BrokenLinkPublic(BaseModel):
    sequence: int
    entry_id: str
    reason: Literal["content_altered", "link_broken", "entry_missing"]
    detail: str


class LedgerVerification(BaseModel):
    estate_id: str
    from_seq: int
    to_seq: int
    checked: int
    valid: bool
    first_broken: BrokenLinkPublic | None
    last_hash: str | None
    head: ChainHead
