"""Every event type of the platform, registered on import.

The registry machinery is in `registry`; payload models live in one module per service or
area (`intake`, `dispatch`, …). Import models from here: `from shared.events import TicketOpened`.
"""

from shared.events.billing import *  # noqa: F401,F403
from shared.events.dispatch import *  # noqa: F401,F403
from shared.events.duty import *  # noqa: F401,F403
from shared.events.intake import *  # noqa: F401,F403
from shared.events.intake_desk import *  # noqa: F401,F403
from shared.events.intake_directory import *  # noqa: F401,F403
from shared.events.intake_procedures import *  # noqa: F401,F403
from shared.events.ledger import *  # noqa: F401,F403
from shared.events.notification import *  # noqa: F401,F403
from shared.events.registry import *  # noqa: F401,F403
from shared.events.reporting import *  # noqa: F401,F403
from shared.events.registry import (  # noqa: F401
    REGISTRY, EventType, Parts, Payload, carriers_of, envelope_for, event, parse_payload, parts_of,
)
from shared.events.tickets import *  # noqa: F401,F403
from shared.events.webhooks import *  # noqa: F401,F403
