"""Dispatch: work orders to the right person on duty, and the clock that never forgets."""

from services.dispatch import store
from services.dispatch.api import handover, ledger, positions, rosters, staff, work_orders
from services.dispatch.commands.handover import run_handover_watch
from services.dispatch.commands.ledger import run_head_publisher
from services.dispatch.handlers import DUTY_HANDLERS, HANDLERS
from services.dispatch.scheduler import run_sla_scheduler
from services.dispatch.settings import DispatchSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="dispatch",
    title="EstateDesk dispatch",
    routers=[staff.router, positions.router, work_orders.router, rosters.router, handover.router, ledger.router],
    # The duty ledger has its own queue: its appends never hold up work orders being made.
    consumers={"dispatch.intake-events": HANDLERS, "dispatch.duty-ledger": DUTY_HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(run_sla_scheduler, run_handover_watch, run_head_publisher),
)


def main() -> None:
    serve(DEFINITION, DispatchSettings())
