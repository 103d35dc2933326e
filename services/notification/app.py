"""Notification: telling the right person, once, on the right channel."""

from services.notification import store
from services.notification.api import amqp_subscriptions as amqp_api
from services.notification.api import webhooks as webhook_api
from services.notification.api.routes import router
from services.notification.commands.webhook_delivery import run_webhook_dispatcher
from services.notification.handlers import HANDLERS, WEBHOOK_HANDLERS
from services.notification.settings import NotificationSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="notification",
    title="EstateDesk notification",
    routers=[router, webhook_api.router, amqp_api.router],
    consumers={"notification.events": HANDLERS, "notification.webhooks": WEBHOOK_HANDLERS},
    ensure_indexes=store.ensure_indexes,
    background=(run_webhook_dispatcher,),
)


def main() -> None:
    serve(DEFINITION, NotificationSettings())
