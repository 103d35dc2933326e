"""Intake: the front desk and the hotline."""

from services.intake import store
from services.intake.api import directory, incidents, keys, patrols, procedures, quality, surveys, tickets
from services.intake.api.contacts import router
from services.intake.handlers import HANDLERS
from services.intake.settings import IntakeSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="intake",
    title="EstateDesk intake",
    routers=[router, directory.router, tickets.router, incidents.router, patrols.router, procedures.router, keys.router,
             surveys.router, quality.router],
    consumers={"intake.work-orders": HANDLERS},
    ensure_indexes=store.ensure_indexes,
    upload_paths=(r"^/v1/estates/[^/]+/directory/import$",),
)


def main() -> None:
    serve(DEFINITION, IntakeSettings())
