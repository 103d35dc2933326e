"""Who may do what in billing, and the query pieces its routes share."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Query

from shared.auth import Principal, require_roles
from shared.envelope import utcnow
from shared.errors import InvalidInput
from shared.estates import local_day
from shared.pagination import PageRequest, page_request

# Clerks bill and take payments; managers and the company's admins may do what they do.
Clerks = Annotated[Principal, require_roles("billing_clerk", "estate_manager", "company_admin")]
# Bills are read at the desk (a resident asking why) and by those who report on them.
Readers = Annotated[Principal, require_roles("billing_clerk", "estate_manager", "company_admin", "agent",
                                             "supervisor", "ops_viewer")]
# A waiver (减免) needs an approver: the estate manager or the company.
Approvers = Annotated[Principal, require_roles("estate_manager", "company_admin")]
PageQuery = Annotated[PageRequest, Depends(page_request)]


def as_of_day(as_of: Annotated[date | None, Query(description="the day seen from (default: today, UTC)")] = None
              ) -> date:
    return as_of or local_day(utcnow())


AsOf = Annotated[date, Depends(as_of_day)]


def if_match_version(if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None) -> int | None:
    """`If-Match: "3"` (the version of a read) makes a change conditional on version 3."""
    if if_match is None:
        return None
    value = if_match.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput("If-Match is the version of the fee item, e.g. \"3\"", field="If-Match")
    return int(value)


IfMatch = Annotated[int | None, Depends(if_match_version)]
