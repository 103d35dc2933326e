"""Who may call what in notification: every role alias of its routes, named once."""

from typing import Annotated

from shared.auth import Principal, require_roles
from shared.roles import SUPERVISORS

# Staff read messages: supervisors and managers every message of their estates, others their own only.
Readers = Annotated[Principal, require_roles(*SUPERVISORS, "agent", "dispatcher", "technician")]
ESTATE_READERS = SUPERVISORS
