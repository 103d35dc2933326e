"""Webhooks for integrators: the rules, without I/O.

Signatures follow the Standard Webhooks convention: `webhook-signature` is `v1,<base64 HMAC-SHA256>`
over `<webhook-id>.<webhook-timestamp>.<body>` with the secret's bytes (`whsec_<base64>`); several
signatures are separated by spaces (during a secret's rotation both are sent). Retries follow the
schedule integrators know from the common webhook services.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from shared.consumer import topic_matches
from shared.errors import InvalidInput

SECRET_PREFIX = "whsec_"
# After attempt n (1-based) fails, the next waits RETRY_DELAYS[n - 1]; eight attempts in all.
RETRY_DELAYS = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A subscription whose endpoint has failed this long without one success is disabled.
DISABLE_AFTER = timedelta(days=5)
# A Retry-After beyond this is taken as this (an endpoint cannot park its deliveries for weeks).
RETRY_AFTER_CAP = timedelta(hours=24)
EXCERPT_CHARS = 500
# Events about webhooks are not delivered to webhooks: a failing endpoint would be sent its own failures.
NOT_DELIVERED = "notification.webhook.#"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, *, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_force: Iterable[str], message_id: str, *, timestamp: int, body: str) -> str:
    return " ".join(sign(secret, message_id, timestamp=timestamp, body=body) for secret in secrets_in_force)


def secrets_in_force(stored: list[dict[str, Any]], now: datetime) -> list[str]:
    """The newest secret first, then any older one still inside its overlap."""
    return [s["secret"] for s in stored if s.get("expires_at") is None or s["expires_at"] > now]


def rotated(stored: list[dict[str, Any]], new: str, *, now: datetime, overlap: timedelta) -> list[dict[str, Any]]:
    """The secrets after a rotation: the new one, and every one it replaces valid for `overlap` more at most.

    An older secret still inside an earlier rotation's overlap is replaced too: it keeps the sooner of its
    own end and this overlap's, so a rotation with no overlap leaves the new secret alone at once (the way
    to retire a leaked secret), and no rotation lengthens an older secret's life.
    """
    until = now + overlap
    kept = []
    for old in stored:
        ends = until if old.get("expires_at") is None else min(old["expires_at"], until)
        if ends > now:
            kept.append({**old, "expires_at": ends})
    return [{"secret": new, "created_at": now, "expires_at": None}, *kept]


# --- SSRF ---------------------------------------------------------------------------

class PrivateTarget(InvalidInput):
    """A webhook URL that resolves to an address inside the platform's network."""

    code, title = "webhook_target_private", "The webhook URL points at a private or local address"

def check_url_form(url: str) -> str:
    """The URL's host; 422 for anything but http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("a webhook URL must be http or https", field="url")
    if not parts.hostname:
        raise InvalidInput("a webhook URL needs a host", field="url")
    if parts.username or parts.password:
        raise InvalidInput("a webhook URL may not carry credentials; sign with the secret instead", field="url")
    return parts.hostname


def forbidden_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def check_addresses(host: str, addresses: list[str], *, allow_private: bool) -> None:
    if not addresses:
        raise InvalidInput(f"the webhook host {host} does not resolve", field="url")
    if allow_private:
        return
    refused = [a for a in addresses if forbidden_address(a)]
    if refused:
        raise PrivateTarget(f"the webhook host {host} resolves to a private or local address ({refused[0]})",
                            field="url")


# --- matching and ordering -------------------------------------------------------------

def check_patterns(patterns: list[str]) -> None:
    for index, pattern in enumerate(patterns):
        words = pattern.split(".")
        if not pattern or any(not w or (("*" in w or "#" in w) and w not in ("*", "#")) for w in words):
            raise InvalidInput(f"{pattern!r} is not an event pattern like dispatch.workorder.*",
                               field=f"event_types.{index}")


def wants(subscription: dict[str, Any], routing_key: str, *, company_id: str, estate_id: str) -> bool:
    return (subscription["company_id"] == company_id and estate_id in subscription["estate_ids"]
            and not topic_matches(NOT_DELIVERED, routing_key)
            and any(topic_matches(p, routing_key) for p in subscription["event_types"]))


def lane_of(subscription_id: str, subject: str | None, *, event_id: str) -> str:
    """Deliveries of one lane reach the endpoint one at a time, in the order the events happened.
    An event without a subject has a lane of its own."""
    return f"{subscription_id}|{subject or 'event:' + event_id}"


def event_order(time: datetime, event_id: str) -> str:
    """When the event happened, to the microsecond (stored times keep only milliseconds, and two events of
    one subject are often written in the same millisecond), then its id: sorts as text."""
    return f"{time.astimezone(UTC):%Y%m%dT%H%M%S.%f}|{event_id}"


def order_key(delivery: dict[str, Any]) -> str:
    return delivery["event_order"]


def heads_of_lanes(pending: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The first pending delivery of each lane, by the time its event happened."""
    heads: dict[str, dict[str, Any]] = {}
    for delivery in pending:
        head = heads.get(delivery["lane"])
        if head is None or order_key(delivery) < order_key(head):
            heads[delivery["lane"]] = delivery
    return heads


# --- outcomes -------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What one attempt means: delivered, retry at `retry_in`, give up, or disable the subscription."""

    delivered: bool = False
    retry_in: timedelta | None = None
    give_up: bool = False
    disable: bool = False


def retry_after(value: str | None) -> timedelta | None:
    if not value:
        return None
    try:
        seconds = int(value.strip())
    except ValueError:
        return None  # an HTTP date: rare from webhook receivers; the schedule applies
    return min(timedelta(seconds=max(seconds, 0)), RETRY_AFTER_CAP)


def outcome(attempt: int, status_code: int | None, *, retry_after_header: str | None = None) -> Outcome:
    """`status_code` None: no answer (refused, timed out, connection failed)."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome(delivered=True)
    if status_code == 410:
        return Outcome(give_up=True, disable=True)
    if attempt >= MAX_ATTEMPTS:
        return Outcome(give_up=True)
    delay = RETRY_DELAYS[attempt - 1]
    if status_code in (429, 503) and (asked := retry_after(retry_after_header)) is not None:
        delay = max(delay, asked)
    return Outcome(retry_in=delay)


def failing_too_long(failing_since: datetime | None, now: datetime, *, scale: float) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER * scale


def excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
