"""Reporting: the event archive and the numbers managers run the service centre by."""

from services.reporting import store
from services.reporting.api import rebuilds, reports
from services.reporting.api.routes import router
from services.reporting.commands.daily_report import DAILY_REPORTS
from services.reporting.handlers import HANDLERS
from services.reporting.settings import ReportingSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="reporting",
    title="EstateDesk reporting",
    routers=[router, reports.router, rebuilds.router],
    consumers={"reporting.all-events": HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(DAILY_REPORTS,),
)


def main() -> None:
    serve(DEFINITION, ReportingSettings())
