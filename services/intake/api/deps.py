"""Who may call what, named once for intake's routes."""

from typing import Annotated

from shared.auth import Principal, require_roles

# The service centre's desk: agents and those above them.
FrontDesk = Annotated[Principal, require_roles("agent", "supervisor", "estate_manager", "company_admin")]
# Approvals and settings: supervisors and those above them.
Supervisors = Annotated[Principal, require_roles("supervisor", "estate_manager", "company_admin")]
