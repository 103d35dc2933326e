"""Notification: telling the right person, once, on the right channel."""

from services.notification import store
from services.notification.api import amqp_subscriptions as amqp_api
from services.notification.api import webhooks as webhook_api
from services.notification.api.announcements import router as announcements_router
from services.notification.api.messages import router as messages_router
from services.notification.api.receipts import router as receipts_router
from services.notification.api.recipients import router as recipients_router
from services.notification.api.settings import router as settings_router
from services.notification.commands.announcements import run_announcer
from services.notification.commands.deliver import run_deliverer
from services.notification.commands.webhook_delivery import run_webhook_dispatcher
from services.notification.handlers import HANDLERS, WEBHOOK_HANDLERS
from services.notification.settings import NotificationSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="notification",
    title="EstateDesk notification",
    routers=[messages_router, recipients_router, settings_router, announcements_router, webhook_api.router,
             amqp_api.router, receipts_router],
    consumers={"notification.events": HANDLERS, "notification.webhooks": WEBHOOK_HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(run_deliverer, run_announcer, run_webhook_dispatcher),
)


def main() -> None:
    serve(DEFINITION, NotificationSettings())
