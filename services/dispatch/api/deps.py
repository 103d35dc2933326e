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
# Staff who may be given work: their own orders (`/v1/my/work-orders`).
Staff = Annotated[
    Principal, require_roles("agent", "technician", "dispatcher", "supervisor", "estate_manager", "company_admin")
]
# The duty ledger (客服工作台帐) is the service centre's: its people on duty note the shift, the
# supervisor (客服主任) checks it (小区客服组值班管理规定 5.5, 8.5). Field staff keep their own records.
LedgerWriters = Annotated[Principal, require_roles("agent", "dispatcher", "supervisor", "estate_manager", "company_admin")]
