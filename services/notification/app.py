"""Notification: telling the right person, once, on the right channel."""

from services.notification import store
from services.notification.api.routes import router
from services.notification.handlers import HANDLERS
from services.notification.settings import NotificationSettings
from shared.service import ServiceDefinition, serve

DEFINITION = ServiceDefinition(
    name="notification",
    title="EstateDesk notification",
    routers=[router],
    consumers={"notification.events": HANDLERS},
    ensure_indexes=store.ensure_indexes,
)


def main() -> None:
    serve(DEFINITION, NotificationSettings())
