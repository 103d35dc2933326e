"""Webhook rules without I/O: signatures, secrets and their rotation, SSRF addresses, the schedule,
matching and lanes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from services.notification.domain import webhooks as rules
from shared.errors import InvalidInput

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_signature_verifies_with_the_independent_implementation():
    secret = rules.new_secret()
    body = '{"specversion":"1.0","id":"01J","type":"estatedesk.x.y.z.v1"}'
    timestamp = int(time.time())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(timestamp),
               "webhook-signature": rules.signature_header([secret], "msg_1", timestamp=timestamp, body=body)}
    assert Webhook(secret).verify(body, headers)["id"] == "01J"
    assert rules.sign(secret, "msg_1", timestamp=timestamp, body=body) == Webhook(secret).sign(
        "msg_1", datetime.fromtimestamp(timestamp, UTC), body)


def test_rotation_keeps_the_previous_secret_for_the_overlap_only():
    first = [{"secret": "whsec_AAAA", "created_at": NOW, "expires_at": None}]
    after = rules.rotated(first, "whsec_BBBB", now=NOW, overlap=timedelta(hours=24))
    assert rules.secrets_in_force(after, NOW) == ["whsec_BBBB", "whsec_AAAA"]
    assert rules.secrets_in_force(after, NOW + timedelta(hours=25)) == ["whsec_BBBB"]
    again = rules.rotated(after, "whsec_CCCC", now=NOW + timedelta(hours=1), overlap=timedelta(0))
    assert rules.secrets_in_force(again, NOW + timedelta(hours=1)) == ["whsec_CCCC"]


def test_a_rotation_with_no_overlap_stops_every_replaced_secret_at_once():
    first = [{"secret": "whsec_AAAA", "created_at": NOW, "expires_at": None}]
    after = rules.rotated(first, "whsec_BBBB", now=NOW, overlap=timedelta(hours=24))
    again = rules.rotated(after, "whsec_CCCC", now=NOW + timedelta(hours=1), overlap=timedelta(0))
    assert [s["secret"] for s in again] == ["whsec_CCCC"]  # nothing replaced is kept, or could sign
    assert rules.secrets_in_force(again, NOW + timedelta(hours=1)) == ["whsec_CCCC"]


def test_a_rotation_never_lengthens_an_older_secrets_overlap():
    first = [{"secret": "whsec_AAAA", "created_at": NOW, "expires_at": None}]
    after = rules.rotated(first, "whsec_BBBB", now=NOW, overlap=timedelta(hours=2))
    again = rules.rotated(after, "whsec_CCCC", now=NOW + timedelta(hours=1), overlap=timedelta(hours=24))
    assert rules.secrets_in_force(again, NOW + timedelta(hours=1)) == ["whsec_CCCC", "whsec_BBBB", "whsec_AAAA"]
    assert rules.secrets_in_force(again, NOW + timedelta(hours=3)) == ["whsec_CCCC", "whsec_BBBB"]
    shorter = rules.rotated(again, "whsec_DDDD", now=NOW + timedelta(hours=1, minutes=30), overlap=timedelta(minutes=10))
    assert rules.secrets_in_force(shorter, NOW + timedelta(hours=1, minutes=45)) == ["whsec_DDDD"]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "172.16.3.4", "192.168.0.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::1", "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1"])
def test_local_and_private_addresses_are_refused(address):
    with pytest.raises(rules.PrivateTarget):
        rules.check_addresses("h", [address], allow_private=False)
    rules.check_addresses("h", [address], allow_private=True)


def test_a_public_address_passes_and_one_private_among_them_does_not():
    rules.check_addresses("h", ["93.184.216.34"], allow_private=False)
    with pytest.raises(rules.PrivateTarget):
        rules.check_addresses("h", ["93.184.216.34", "10.0.0.1"], allow_private=False)


@pytest.mark.parametrize("url", ["ftp://x.example/a", "javascript:alert(1)", "file:///etc/passwd", "http://",
                                 "https://user:pw@x.example/"])
def test_only_http_and_https_urls_with_a_host(url):
    with pytest.raises(InvalidInput) as refused:
        rules.check_url_form(url)
    assert refused.value.field == "url"


def test_the_schedule_retry_after_410_and_giving_up():
    assert [rules.outcome(n, 500).retry_in for n in range(1, 8)] == list(rules.RETRY_DELAYS)
    assert rules.outcome(8, 500).give_up and not rules.outcome(8, 500).disable
    assert rules.outcome(3, 204).delivered
    assert rules.outcome(1, 410).disable
    assert rules.outcome(1, 429, retry_after_header="3600").retry_in == timedelta(hours=1)
    assert rules.outcome(4, 503,
                         retry_after_header="60").retry_in == timedelta(hours=2)  # the schedule's wait is longer
    assert rules.outcome(1, 503, retry_after_header="999999999").retry_in == rules.RETRY_AFTER_CAP
    assert rules.outcome(1, 500, retry_after_header="3600").retry_in == timedelta(seconds=5)  # only 429 and 503 ask
    assert rules.outcome(2, None).retry_in == timedelta(minutes=5)


def test_failing_for_five_days_straight():
    assert rules.failing_too_long(NOW - timedelta(days=5), NOW, scale=1.0)
    assert not rules.failing_too_long(NOW - timedelta(days=4, hours=23), NOW, scale=1.0)
    assert not rules.failing_too_long(None, NOW, scale=1.0)


def test_a_subscription_wants_its_patterns_in_its_estates_and_never_webhook_events():
    subscription = {"company_id": "c", "estate_ids": ["e1"], "event_types": ["dispatch.workorder.*", "#"]}
    assert rules.wants(subscription, "dispatch.workorder.created", company_id="c", estate_id="e1")
    assert not rules.wants(subscription, "dispatch.workorder.created", company_id="c", estate_id="e2")
    assert not rules.wants(subscription, "dispatch.workorder.created", company_id="other", estate_id="e1")
    assert not rules.wants(subscription, "notification.webhook.failed", company_id="c", estate_id="e1")
    with pytest.raises(InvalidInput):
        rules.check_patterns(["dispatch.work*"])


def test_the_head_of_each_lane_is_its_earliest_event():
    pending = [
        {"_id": "d2", "lane": "s|w1", "event_order": rules.event_order(NOW, "e2")},
        {"_id": "d1", "lane": "s|w1", "event_order": rules.event_order(NOW - timedelta(microseconds=1), "e9")},
        {"_id": "d3", "lane": "s|w2", "event_order": rules.event_order(NOW, "e3")},
    ]
    assert {lane: head["_id"] for lane, head in rules.heads_of_lanes(pending).items()} == {"s|w1": "d1", "s|w2": "d3"}
    assert rules.lane_of("s", None, event_id="e1") != rules.lane_of("s", None, event_id="e2")


def test_the_asyncapi_document_describes_both_ways_in_for_integrators():
    from shared.asyncapi import asyncapi_document

    document = asyncapi_document()
    webhook = document["channels"]["integrator-webhook"]
    headers = webhook["bindings"]["http"]["headers"]
    assert set(headers["required"]) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert "HMAC-SHA256" in webhook["description"] and "whsec_" in webhook["description"]
    assert "dispatch_workorder_created_v1" in webhook["messages"]
    assert not any(name.startswith("notification_webhook_") for name in webhook["messages"])
    queue = document["channels"]["integrator-queue"]
    assert queue["bindings"]["amqp"]["is"] == "queue" and queue["address"] == "integrator.{subscription_id}"
    assert {"deliver_webhook", "fill_integrator_queue"} <= set(document["operations"])
