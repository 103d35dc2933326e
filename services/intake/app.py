"""Intake: the front desk and the hotline."""

from services.intake import store
from services.intake.api import directory, keys, procedures, tickets
from services.intake.api.routes import router
from services.intake.handlers import HANDLERS
from services.intake.settings import IntakeSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="intake",
    title="EstateDesk intake",
    routers=[router, tickets.router, procedures.router, keys.router, directory.router],
    consumers={"intake.work-orders": HANDLERS},
    ensure_indexes=store.ensure_indexes,
    upload_paths=(r"^/v1/estates/[^/]+/directory/import$",),
)


def main() -> None:
    serve(DEFINITION, IntakeSettings())
