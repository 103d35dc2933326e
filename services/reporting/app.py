"""Reporting: the event archive and the numbers managers run the service centre by."""

from services.reporting import store
from services.reporting.store import dashboard_board
from services.reporting.api.routes import router
from services.reporting.handlers import HANDLERS
from services.reporting.settings import ReportingSettings
from shared.db import Database
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="reporting",
    title="EstateDesk reporting",
    routers=[router],
    consumers={"reporting.all-events": HANDLERS},
    ensure_indexes=ensure_indexes,
)


async def ensure_indexes(database: Database) -> None:
    await store.ensure_indexes(database)
    await dashboard_board.ensure_indexes(database)


def main() -> None:
    serve(DEFINITION, ReportingSettings())
