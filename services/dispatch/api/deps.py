"""Who may call what in dispatch: every role alias of its routes, named once."""

from typing import Annotated

from shared.auth import Principal, require_roles
from shared.roles import SUPERVISORS

# Dispatchers and supervisors run the queues, the rosters and the estate's settings.
Managers = Annotated[Principal, require_roles(*SUPERVISORS, "dispatcher")]
# Swaps, leave, cover and overtime (值班管理规定), spot checks, watched posts and the estate's
# emergency contacts are decided by a supervisor or the estate manager.
Supervisors = Annotated[Principal, require_roles(*SUPERVISORS)]
# Field staff work their own orders; managers may do it for them.
Workers = Annotated[Principal, require_roles(*SUPERVISORS, "dispatcher", "technician")]
Readers = Annotated[Principal, require_roles(*SUPERVISORS, "dispatcher", "technician", "agent", "ops_viewer")]
# Staff who may be given work (`/v1/my/work-orders`), hold a post (handovers), ask for roster changes.
Staff = Annotated[Principal, require_roles(*SUPERVISORS, "dispatcher", "technician", "agent")]
# The duty ledger (客服工作台帐) is the service centre's: its people on duty note the shift, the
# supervisor (客服主任) checks it (小区客服组值班管理规定 5.5, 8.5). Field staff keep their own records.
LedgerWriters = Annotated[Principal, require_roles(*SUPERVISORS, "dispatcher", "agent")]
