"""Who may call what in intake: every role alias of its routes, named once."""

from typing import Annotated

from services.intake.domain import directory as directory_rules
from services.intake.domain import procedures as procedure_rules
from shared.auth import Principal, require_roles
from shared.roles import FRONT_DESK, SUPERVISORS

# The service centre's desk: agents and those above them (the directory's files, keys, cards).
FrontDesk = Annotated[Principal, require_roles(*FRONT_DESK)]
# Approvals, settings, surveys, patrol routes, quality checks and imports: supervisors and those above them.
Supervisors = Annotated[Principal, require_roles(*SUPERVISORS)]
CompanyAdmins = Annotated[Principal, require_roles("company_admin")]
# Staff who read the desk's registers (tickets, incidents, keys); the shift handover reads them too.
DeskReaders = Annotated[Principal, require_roles(*FRONT_DESK, "dispatcher", "ops_viewer")]
# Residents read (and create) the tickets of their own units only: see `commands.ticket_scope`.
TicketReaders = Annotated[Principal, require_roles(*FRONT_DESK, "dispatcher", "ops_viewer", "resident")]
# A resident reports or answers in the app; an agent records what was said on the phone.
Reporters = Annotated[Principal, require_roles(*FRONT_DESK, "resident")]
SurveyReaders = Annotated[Principal, require_roles(*FRONT_DESK, "ops_viewer", "resident")]
# Survey results and quality checks (agents read the checks of their own contacts: the comments are for them).
Analysts = Annotated[Principal, require_roles(*FRONT_DESK, "ops_viewer")]
QualityReaders = Annotated[Principal, require_roles(*SUPERVISORS, "ops_viewer")]
Patrollers = Annotated[Principal, require_roles(*FRONT_DESK, "technician")]
PatrolReaders = Annotated[Principal, require_roles(*FRONT_DESK, "technician", "dispatcher", "ops_viewer")]
# The front desk keeps the directory; dispatchers and billing clerks read it; residents read their own.
DirectoryReaders = Annotated[Principal, require_roles(*directory_rules.READERS)]
DirectoryReadersAndResidents = Annotated[Principal, require_roles(*directory_rules.READERS, "resident")]
# Each procedure action checks its own roles (approvals: engineering or a supervisor, by kind); these admit the caller.
ProcedureOpeners = Annotated[Principal, require_roles(*procedure_rules.roles_for("open"))]
ProcedureReaders = Annotated[Principal, require_roles(*procedure_rules.READERS)]


def procedure_actors(action: str) -> object:
    """The alias of the roles that may take `action` on a procedure."""
    return Annotated[Principal, require_roles(*procedure_rules.roles_for(action))]
