"""The inputs of dispatch's positions commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from shared.schemas import Strict


class CompanyRosterEntry(Strict):
    staff_id: str = Field(min_length=1, max_length=40, description="A company duty leader (registered without estate)")
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CompanyRosterUpdate(Strict):
    """Who holds the company's duty leader position when; entries may not overlap."""

    entries: list[CompanyRosterEntry] = Field(max_length=1000)
