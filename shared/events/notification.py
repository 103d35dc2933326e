"""Events of notification."""

from __future__ import annotations

from shared.events.registry import Payload, event


@event("notification.message.sent")
class MessageSent(Payload):
    """A message was handed to its channel's provider and accepted."""

    message_id: str
    recipient_id: str
    channel: str
    template: str
    source_event_id: str
