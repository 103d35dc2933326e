"""Reporting: the event archive, the numbers managers run the service centre by, and the dashboards."""

from services.reporting import store
from services.reporting.api import dashboard, dashboard_pages, events, figures, rebuilds, reports
from services.reporting.commands.daily_report import DAILY_REPORTS
from services.reporting.handlers import HANDLERS
from services.reporting.settings import ReportingSettings
from services.reporting.store import dashboard_board
from shared.db import Database
from shared.service import ServiceDefinition, serve


async def ensure_indexes(database: Database) -> None:
    await store.ensure_indexes(database)
    await dashboard_board.ensure_indexes(database)


DEFINITION = ServiceDefinition(
    name="reporting",
    title="EstateDesk reporting",
    routers=[figures.router, events.router, reports.router, rebuilds.router, dashboard.router, dashboard_pages.router],
    consumers={"reporting.all-events": HANDLERS},
    ensure_indexes=ensure_indexes,
    background=(DAILY_REPORTS,),
)


def main() -> None:
    serve(DEFINITION, ReportingSettings())
