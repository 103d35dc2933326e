"""Billing: fees, bills, payments and arrears."""

from services.billing import store
from services.billing.api.routes import router
from services.billing.handlers import HANDLERS
from services.billing.settings import BillingSettings
from shared.service import ServiceDefinition, create_app, serve

DEFINITION = ServiceDefinition(
    name="billing",
    title="EstateDesk billing",
    routers=[router],
    consumers={"billing.directory": HANDLERS},
    ensure_indexes=store.ensure_indexes,
)


def build_app(settings: BillingSettings | None = None):
    return create_app(DEFINITION, settings or BillingSettings())


def main() -> None:
    serve(DEFINITION, BillingSettings())
