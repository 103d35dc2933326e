"""Dispatch: work orders to the right person on duty, and the clock that never forgets."""

from services.dispatch import store
from services.dispatch.api import rosters, staff, work_orders
from services.dispatch.handlers import HANDLERS
from services.dispatch.scheduler import run_sla_scheduler
from services.dispatch.settings import DispatchSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="dispatch",
    title="EstateDesk dispatch",
    routers=[staff.router, work_orders.router, rosters.router],
    consumers={"dispatch.intake-events": HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(run_sla_scheduler,),
)


def main() -> None:
    serve(DEFINITION, DispatchSettings())
