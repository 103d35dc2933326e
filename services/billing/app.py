"""Billing: fee items, billing runs, payments and receipts, prepaid balances, arrears."""

from services.billing import store
from services.billing.api import bills, dunning, fee_items, late_fees, meters, online, payments
from services.billing.commands.bill_events import run_issue_announcer, run_overdue_watch
from services.billing.commands.dunning import run_dunning_scheduler
from services.billing.commands.run_worker import run_billing_worker
from services.billing.handlers import HANDLERS
from services.billing.settings import BillingSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="billing",
    title="EstateDesk billing",
    routers=[fee_items.router, bills.router, meters.router, payments.router, dunning.router, late_fees.router,
             online.router],
    consumers={"billing.directory": HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(run_billing_worker, run_dunning_scheduler, run_issue_announcer, run_overdue_watch),
    upload_paths=(r"^/v1/estates/[^/]+/meter-readings/import$",),
)


def main() -> None:
    serve(DEFINITION, BillingSettings())
