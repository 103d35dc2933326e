"""Events of notification's webhooks for integrators: a delivery made, given up, a subscription disabled."""

from __future__ import annotations

from shared.events.registry import Payload, event


@event("notification.webhook.delivered")
class WebhookDelivered(Payload):
    """An integrator's endpoint accepted a delivery (a 2xx answer)."""

    subscription_id: str
    delivery_id: str
    event_id: str
    event_type: str
    attempt: int
    status_code: int


@event("notification.webhook.failed")
class WebhookFailed(Payload):
    """A delivery was given up: every attempt of the schedule failed, or its subscription was disabled."""

    subscription_id: str
    delivery_id: str
    event_id: str
    event_type: str
    attempts: int
    last_status_code: int | None = None
    reason: str


@event("notification.webhook.disabled")
class WebhookDisabled(Payload):
    """A subscription was disabled (its endpoint answered 410, or failed for days on end); its owner is told."""

    subscription_id: str
    owner_id: str
    url: str
    reason: str
    failing_since: str | None = None
