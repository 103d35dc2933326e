"""Who may call what in reporting: every role alias of its routes, named once."""

from typing import Annotated

from shared.auth import Principal, require_roles
from shared.roles import SUPERVISORS

Readers = Annotated[Principal, require_roles(*SUPERVISORS, "ops_viewer", "integrator")]
# Rebuilding the read models is an operator's act (the figures are derived; nothing is lost by it).
Operators = Annotated[Principal, require_roles("company_admin")]
# The dashboards: people who run the estates (not integrators, who read events and reports).
DashboardReaders = Annotated[Principal, require_roles(*SUPERVISORS, "ops_viewer")]
