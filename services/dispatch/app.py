"""Dispatch: work orders to the right person on duty."""

from services.dispatch import store
from services.dispatch.api.routes import router
from services.dispatch.handlers import HANDLERS
from services.dispatch.settings import DispatchSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="dispatch",
    title="EstateDesk dispatch",
    routers=[router],
    consumers={"dispatch.intake-events": HANDLERS},
    ensure_indexes=store.ensure_indexes,
)


def main() -> None:
    serve(DEFINITION, DispatchSettings())
