"""Billing: fees, bills, payments and arrears."""

from services.billing import store
from services.billing.api.routes import router
from services.billing.handlers import HANDLERS
from services.billing.settings import BillingSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="billing",
    title="EstateDesk billing",
    routers=[router],
    consumers={"billing.directory": HANDLERS},
    ensure_indexes=store.ensure_indexes,
)


def main() -> None:
    serve(DEFINITION, BillingSettings())
