"""Who may do what in dispatch: the role aliases every route of this service uses."""

from typing import Annotated

from shared.auth import Principal, require_roles

# Dispatchers and supervisors run the queues, the rosters and the estate's settings.
Managers = Annotated[Principal, require_roles("dispatcher", "supervisor", "estate_manager", "company_admin")]
# Field staff work their own orders; managers may do it for them.
Workers = Annotated[
    Principal, require_roles("technician", "dispatcher", "supervisor", "estate_manager", "company_admin")
]
Readers = Annotated[
    Principal,
    require_roles("agent", "supervisor", "dispatcher", "technician", "estate_manager", "company_admin", "ops_viewer"),
]
