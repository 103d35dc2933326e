"""Security test 8 (quality.md): integrators' webhooks.

Every delivery to a local receiver verifies with an independent implementation of the Standard Webhooks
algorithm (the `standardwebhooks` package), and fails with another secret, an altered body, timestamp or
id; after a secret's rotation each of the two signatures verifies with its own secret during the overlap,
and after a rotation with no overlap only the newest secret signs. A webhook URL that is not http(s) is
refused (422), and one on loopback, a private network or link-local is refused unless the operator allows
such targets — at subscription, when the URL is changed, and again at every delivery; redirects are never
followed.

The session's stack allows private targets (its receivers are local), so the refusals are tried against a
notification started with `WEBHOOK_ALLOW_PRIVATE_TARGETS=false` and, at delivery, through the deliverer's own
HTTP transport built with that setting: real requests to a real receiver, nothing faked.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from services.notification.commands.webhook_delivery import HttpTransport
from services.notification.domain.webhooks import new_secret
from services.notification.settings import NotificationSettings
from tests.e2e import test_webhooks as webhooks
from tests.e2e.test_webhooks import integrator, new_order, subscribe
from tests.helpers import all_pages, eventually

# The webhooks' tests' local receiver and estate, as this module's fixtures too.
receiver, estate = webhooks.receiver, webhooks.estate

PRIVATE_TARGETS = (
    "http://localhost:9/x", "http://127.0.0.1:9/x", "http://127.1/x", "http://2130706433/x",  # 127.0.0.1 spelt short
    "http://0.0.0.0/x", "http://10.1.2.3/x", "http://172.16.0.1/x", "http://192.168.1.10/x",
    "http://100.64.0.1/x",  # carrier-grade NAT: not public either
    "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
    "http://[::1]:8080/x", "http://[::ffff:127.0.0.1]/x", "http://[fe80::1]/x", "http://[fd00::1]/x",
)


def test_private_targets_are_refused_unless_the_operator_allows_them(stack, estate, receiver):
    allowed = subscribe(integrator(stack, estate), receiver.url("/security-moved"), estate,
                        ["dispatch.workorder.created"])  # the session's notification allows local targets
    strict = stack.start_service("notification", WEBHOOK_ALLOW_PRIVATE_TARGETS="false")
    try:
        base = f"http://127.0.0.1:{strict.port}/v1/webhooks"
        headers = integrator(stack, estate).headers
        for target in (receiver.url(), *PRIVATE_TARGETS):
            refused = httpx.post(base, headers=headers, json={"url": target, "event_types": ["#"],
                                                              "estate_ids": [estate]})
            assert refused.status_code == 422, (target, refused.text)
            assert (refused.json()["code"], refused.json()["field"]) == ("webhook_target_private", "url"), target
        moved = httpx.patch(f"{base}/{allowed['id']}", headers=headers, json={"url": "http://10.0.0.5/hook"})
        assert moved.status_code == 422 and moved.json()["code"] == "webhook_target_private", moved.text
    finally:
        strict.stop()
        stack.services["notification"].remove(strict)


def test_a_webhook_url_that_is_not_http_or_https_is_refused(stack, estate, receiver):
    api = integrator(stack, estate)
    for url in ("ftp://erp.example.com/hook", "file:///etc/passwd", "gopher://127.0.0.1:25/x",
                "javascript:alert(1)", "http:///no-host", "https://user:secret@erp.example.com/hook"):
        refused = api.post("notification", "/v1/webhooks",
                           json={"url": url, "event_types": ["#"], "estate_ids": [estate]})
        assert refused.status_code == 422 and refused.json()["field"] == "url", (url, refused.text)
    webhook = subscribe(api, receiver.url("/security-scheme"), estate, ["dispatch.workorder.created"])
    changed = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"url": "file:///etc/shadow"})
    assert changed.status_code == 422 and changed.json()["field"] == "url", changed.text


def test_a_private_target_is_refused_again_at_delivery_and_redirects_are_not_followed(receiver):
    """A name that resolved to a public address when subscribed may point inside later: checked per attempt."""

    async def attempt(path: str, allow: bool):
        transport = HttpTransport(NotificationSettings(webhook_allow_private_targets=allow))
        subscription = {"url": receiver.url(path), "secrets": [{"secret": new_secret(), "expires_at": None}]}
        try:
            return await transport.send(subscription, {"_id": "01TEST", "body": '{"id":"e1"}'})
        finally:
            await transport.close()

    status, text, _ = asyncio.run(attempt("/inside", False))
    assert status is None and text.startswith("refused:") and "private or local address" in text
    assert not receiver.requests("/inside")
    assert asyncio.run(attempt("/inside", True))[0] == 200 and len(receiver.requests("/inside")) == 1

    # An endpoint cannot send the deliverer elsewhere (past the address check) with a redirect.
    previous = receiver.respond
    receiver.respond = lambda r: ((307, {"Location": receiver.url("/redirected")}, "moved") if r.path == "/redirect"
                                  else previous(r))
    try:
        assert asyncio.run(attempt("/redirect", True))[0] == 307
    finally:
        receiver.respond = previous
    assert len(receiver.requests("/redirect")) == 1 and not receiver.requests("/redirected")


def test_every_delivery_verifies_with_standardwebhooks_and_nothing_altered_does(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/security-signed"), estate)
    order = new_order(stack, estate)
    # A bound for a loaded machine (the order's two events cross dispatch's outbox, the broker, notification's
    # consumer and its deliverer); what is checked is the signatures, not how soon they come.
    got = eventually(lambda: len(r := receiver.requests("/security-signed")) >= 2 and r, timeout=60,
                     what="the work order's created and assigned events")
    verifier, stranger = Webhook(webhook["secret"]), Webhook(new_secret())
    for request in got:
        headers = request.headers
        event = verifier.verify(request.body, headers)  # raises unless signed as the convention says
        assert event["subject"] == order["id"] and event["estateid"] == estate
        with pytest.raises(WebhookVerificationError):
            stranger.verify(request.body, headers)
        later = str(int(headers["webhook-timestamp"]) + 1)
        for body, altered in (
            (request.body.replace(estate.encode(), b"estate-elsewhere"), headers),  # another estate's event
            (request.body + b" ", headers),
            (request.body, {**headers, "webhook-timestamp": later}),
            (request.body, {**headers, "webhook-id": headers["webhook-id"] + "0"}),
            (request.body, {k: v for k, v in headers.items() if k != "webhook-signature"}),
        ):
            with pytest.raises(WebhookVerificationError):
                verifier.verify(body, altered)
    # The secret is shown once, when subscribing: never read back.
    assert all("secret" not in w and "secrets" not in w for w in all_pages(api, "notification", "/v1/webhooks", {}))
    assert "secrets" not in api.get("notification", f"/v1/webhooks/{webhook['id']}").json()


def test_after_a_rotation_both_secrets_verify_during_the_overlap_and_none_without_one(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/security-rotated"), estate, ["dispatch.workorder.created"])
    old_secret = webhook["secret"]
    rotated = api.post("notification", f"/v1/webhooks/{webhook['id']}/secret-rotations", json={})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old_secret and rotated.json()["secret_rotation_overlap_until"]
    new_order(stack, estate)
    [request] = eventually(lambda: receiver.requests("/security-rotated"), timeout=60,
                           what="a delivery during the overlap")
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    # Each signature is its own secret's: the new one first, then the old one's.
    for signature, secret, other in ((signatures[0], new, old_secret), (signatures[1], old_secret, new)):
        alone = {**request.headers, "webhook-signature": signature}
        Webhook(secret).verify(request.body, alone)
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(request.body, alone)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)

    again = api.post("notification", f"/v1/webhooks/{webhook['id']}/secret-rotations", json={"overlap_hours": 0})
    assert again.status_code == 200, again.text
    newest = again.json()["secret"]
    new_order(stack, estate)
    later = eventually(lambda: len(r := receiver.requests("/security-rotated")) == 2 and r[1], timeout=60,
                       what="after the overlap")
    Webhook(newest).verify(later.body, later.headers)
    # Replaced with no overlap: neither older secret signs any more, not even the first within the overlap its
    # own rotation gave it (a rotation ends every older secret's overlap by its own; tests/unit/test_webhook_rules.py).
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    for replaced in (new, old_secret):
        with pytest.raises(WebhookVerificationError):
            Webhook(replaced).verify(later.body, later.headers)
