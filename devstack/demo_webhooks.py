"""Demo data of integrators: a webhook subscription of the demo estate to a local receiver this process
starts (an integrator's endpoint), with its delivery log, and an AMQP subscription with its own queue.

Loaded before the other areas, so that their events are delivered. On a later run the subscription is
found again and pointed at this run's receiver, and what failed meanwhile (the old receiver was gone) is
recovered, so the log shows deliveries of this run too.
"""

from __future__ import annotations

import time

import httpx

from devstack.stack import Stack
from devstack.webhook_receiver import WebhookReceiver

ESTATE = "demo-estate"
DESCRIPTION = "演示：ERP 对接（本机接收端）"
PATTERNS = ["intake.ticket.*", "dispatch.workorder.*", "intake.incident.*"]
_receiver: WebhookReceiver | None = None
_webhook_id: str | None = None


def receiver() -> WebhookReceiver:
    """This process's demo endpoint, started once."""
    global _receiver
    if _receiver is None:
        _receiver = WebhookReceiver().start()
    return _receiver


def _integrator(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token(user_id='erp-demo', roles=['integrator'], estates=[ESTATE])}"}


def _webhook(client: httpx.Client, stack: Stack, headers: dict[str, str], url: str) -> tuple[dict, str | None]:
    """The demo subscription (its secret when created now), pointed at `url`."""
    base = f"{stack.url('notification')}/v1/webhooks"
    existing = [w for w in client.get(base, headers=headers, params={"limit": 100}).raise_for_status().json()["items"]
                if w["description"] == DESCRIPTION]
    if not existing:
        created = client.post(base, headers=headers, json={"url": url, "event_types": PATTERNS,
                                                           "estate_ids": [ESTATE], "description": DESCRIPTION})
        body = created.raise_for_status().json()
        return body, body["secret"]
    webhook = existing[0]
    changed = client.patch(f"{base}/{webhook['id']}", headers=headers, json={"url": url, "enabled": True})
    webhook = changed.raise_for_status().json()
    client.post(f"{base}/{webhook['id']}/recoveries", headers=headers, json={"since": "2000-01-01T00:00:00Z"})
    return webhook, None


def _amqp(client: httpx.Client, stack: Stack, headers: dict[str, str]) -> list[str]:
    base = f"{stack.url('notification')}/v1/amqp-subscriptions"
    listed = client.get(base, headers=headers, params={"limit": 1})
    if listed.status_code == 200 and listed.json()["items"]:
        mine = listed.json()["items"][0]
        return [f"AMQP: queue {mine['queue']} for user {mine['username']} (its password was shown when created)"]
    created = client.post(base, headers=headers, json={"event_types": PATTERNS, "estate_ids": [ESTATE]})
    if created.status_code != 201:  # no management API where the broker is not ours: the webhook still shows
        return [f"AMQP subscriptions unavailable here: {created.json().get('detail', created.status_code)}"]
    mine = created.json()
    return [f"AMQP: queue {mine['queue']} at {mine['broker']}, user {mine['username']} / {mine['password']}",
            "  (reads its own queue only: the events of demo-estate, CloudEvents JSON, in order per subject)"]


def load(client: httpx.Client, stack: Stack, admin: dict) -> list[str]:
    headers = _integrator(stack)
    endpoint = receiver()
    webhook, secret = _webhook(client, stack, headers, endpoint.url("/erp/estatedesk"))
    global _webhook_id
    _webhook_id = webhook["id"]
    lines = [f"webhook {webhook['id']} → {endpoint.url('/erp/estatedesk')} (a receiver started by this demo)",
             f"  wants {', '.join(PATTERNS)} of {ESTATE}; signed per Standard Webhooks"
             + (f" with {secret}" if secret else " (its secret was shown when created)")]
    lines += _amqp(client, stack, headers)
    return lines


def summary(client: httpx.Client, stack: Stack, timeout: float = 20) -> list[str]:
    """What the receiver got and where the log is, once the deliveries of the demo's events have come."""
    headers = _integrator(stack)
    log = f"{stack.url('notification')}/v1/webhooks/{_webhook_id}/attempts"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not receiver().requests():
        time.sleep(0.2)
    attempts = client.get(log, headers=headers, params={"limit": 100}).raise_for_status().json()["items"]
    return [f"the receiver got {len(receiver().requests())} signed deliveries; the delivery log "
            f"({len(attempts)} attempts so far, status, duration and answer of each):",
            f"  GET {log}   (as an integrator: make -s token ROLES=integrator)"]
