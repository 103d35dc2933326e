"""Who may do what in billing, and the query pieces its routes share."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from shared.auth import Principal, require_roles
from shared.envelope import utcnow
from shared.estates import local_day
from shared.etags import if_match

# Clerks bill and take payments; managers and the company's admins may do what they do.
Clerks = Annotated[Principal, require_roles("billing_clerk", "estate_manager", "company_admin")]
# Bills are read at the desk (a resident asking why) and by those who report on them.
Readers = Annotated[Principal, require_roles("billing_clerk", "estate_manager", "company_admin", "agent",
                                             "supervisor", "ops_viewer")]
# A waiver (减免) needs an approver: the estate manager or the company.
Approvers = Annotated[Principal, require_roles("estate_manager", "company_admin")]


def as_of_day(as_of: Annotated[date | None, Query(description="the day seen from (default: today, UTC)")] = None
              ) -> date:
    return as_of or local_day(utcnow())


AsOf = Annotated[date, Depends(as_of_day)]


IfMatch = if_match("fee item")
