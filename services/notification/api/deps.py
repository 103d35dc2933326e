"""Who may call what in notification: every role alias of its routes, named once."""

from typing import Annotated

from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.roles import SUPERVISORS

# Staff read messages: supervisors and managers every message of their estates, others their own only.
Readers = Annotated[Principal, require_roles(*SUPERVISORS, "agent", "dispatcher", "technician")]
ESTATE_READERS = SUPERVISORS
# Rules, templates and staff contacts are the service centre's settings: supervisors and above.
Managers = Annotated[Principal, require_roles(*SUPERVISORS)]
# A channel's provider holds the estate's vendor accounts: its manager or the company's admins.
ProviderAdmins = Annotated[Principal, require_roles("estate_manager", "company_admin")]
# Everyone has an inbox and preferences of their own: residents and staff.
Anyone = CurrentPrincipal
