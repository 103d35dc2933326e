"""A rebuild of the read models from the archive, and how far it has come."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RebuildCreate(BaseModel):
    model_config = {"extra": "forbid"}
    swap_when_ready: bool = Field(
        default=True, description="Swap the rebuilt figures in at once; false keeps both current until a swap")


class RebuildPublic(BaseModel):
    rebuild_id: str
    state: str = Field(description="building, ready (both kept current), done or failed")
    swap_when_ready: bool
    started_at: datetime
    finished_at: datetime | None = None
    applied: int = Field(default=0, description="Archived events the rebuild applied itself (the rest came live)")
    applied_so_far: int = 0
    live: str = Field(default="", description="The suffix of the read-model collections answering reads "
                                              "(\"\" or \"__rebuild\"); a swap changes it, a rebuild fills the other set")
