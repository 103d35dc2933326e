"""Integrators' webhooks against a real local HTTP receiver: subscriptions, signatures verified by the
independent `standardwebhooks` package, the retry schedule, 410, disabling and the owner told, the delivery
log, resending, recovery, order per subject and two replicas. Secret rotation and the refusal of private
targets are security test 8, in `tests/security/test_webhook_signatures.py` (which uses the helpers here).

The session's stack runs notification with `WEBHOOK_SCHEDULE_SCALE=0.00002` (tests/conftest.py): every
webhook wait is that fraction of the real one (5 min → 6 ms, 10 h → 0.72 s, 5 days → 8.6 s), so the whole
schedule is walked in seconds; the tests compare the recorded waits, never measured times.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from devstack.webhook_receiver import WebhookReceiver
from services.notification.domain.webhooks import RETRY_DELAYS
from shared.envelope import utcnow
from tests.helpers import Api, add_staff, all_pages, archived, eventually, setup_estate

SCALE = 0.00002
MANUAL_ORDER = {"kind": "repair", "department": "engineering", "priority": "P3", "location": "地下车库",
                "description": "车库照明检修"}


@pytest.fixture(scope="module")
def receiver():
    with WebhookReceiver() as receiving:
        yield receiving


@pytest.fixture(scope="module")
def estate(stack):
    return setup_estate(stack)


def integrator(stack, *estates: str, user_id: str = "erp-1") -> Api:
    return Api(stack, user_id=user_id, roles=["integrator"], estates=list(estates))


def subscribe(api: Api, url: str, estate_id: str, patterns: list[str] | None = None) -> dict:
    body = {"url": url, "event_types": patterns or ["dispatch.workorder.*"], "estate_ids": [estate_id]}
    response = api.post("notification", "/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def new_order(stack, estate_id: str) -> dict:
    api = Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate_id])
    response = api.post("dispatch", "/v1/work-orders", json={"estate_id": estate_id, **MANUAL_ORDER})
    assert response.status_code == 201, response.text
    return response.json()


def arrivals(receiver: WebhookReceiver, path: str) -> list:
    return receiver.requests(path)


def waits_of(log: list[dict]) -> list[float]:
    """The wait each attempt set before the next, in seconds (stored times keep milliseconds)."""
    return [(datetime.fromisoformat(a["next_attempt_at"]) - datetime.fromisoformat(a["finished_at"])).total_seconds()
            for a in log]


def same_waits(measured: list[float], schedule: list[timedelta]) -> bool:
    return len(measured) == len(schedule) and all(
        abs(m - s.total_seconds() * SCALE) <= 0.0011 for m, s in zip(measured, schedule, strict=True))


def attempts(api: Api, webhook_id: str, **params) -> list[dict]:
    return list(reversed(all_pages(api, "notification", f"/v1/webhooks/{webhook_id}/attempts", params)))


def deliveries(api: Api, webhook_id: str, **params) -> list[dict]:
    return all_pages(api, "notification", f"/v1/webhooks/{webhook_id}/deliveries", params)


def owner_told(api: Api, estate_id: str, url: str) -> dict:
    """The message in the subscription owner's own inbox saying that the subscription to `url` was disabled."""
    def found():
        inbox = all_pages(api, "notification", f"/v1/estates/{estate_id}/inbox", {})
        return [m for m in inbox if m["template"] == "webhook.disabled" and url in m["body"]]

    [message] = eventually(found, what=f"the owner told that {url} was disabled")
    return message


def test_subscriptions_are_kept_with_etags_and_seen_only_in_their_estates(stack, estate, receiver):
    api = integrator(stack, estate)
    for url, field in (("ftp://erp.example.com/hook", "url"), ("file:///etc/passwd", "url")):
        refused = api.post("notification", "/v1/webhooks",
                           json={"url": url, "event_types": ["dispatch.*.*"], "estate_ids": [estate]})
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.text
    bad_pattern = api.post("notification", "/v1/webhooks",
                           json={"url": receiver.url(), "event_types": ["dispatch.work*"], "estate_ids": [estate]})
    assert bad_pattern.status_code == 422 and bad_pattern.json()["field"] == "event_types.0"
    not_mine = api.post("notification", "/v1/webhooks",
                        json={"url": receiver.url(), "event_types": ["#"], "estate_ids": [estate, "estate-elsewhere"]})
    assert not_mine.status_code == 422 and not_mine.json()["field"] == "estate_ids.1", not_mine.text

    created = api.post("notification", "/v1/webhooks",
                       json={"url": receiver.url("/crud"), "event_types": ["dispatch.workorder.*"],
                             "estate_ids": [estate]})
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_") and webhook["status"] == "active"
    read = api.get("notification", f"/v1/webhooks/{webhook['id']}")
    assert read.status_code == 200 and "secret" not in read.json() and read.headers["ETag"] == '"1"'
    assert webhook["id"] in [w["id"] for w in all_pages(api, "notification", "/v1/webhooks", {})]

    changed = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"description": "ERP"},
                       headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"', changed.text
    stale = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"description": "x"},
                     headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    mass = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"company_id": "evil"})
    assert mass.status_code == 422 and mass.json()["field"] == "company_id"

    outsider = integrator(stack, "estate-elsewhere", user_id="other-erp")
    assert outsider.get("notification", f"/v1/webhooks/{webhook['id']}").status_code == 404
    assert webhook["id"] not in [w["id"] for w in all_pages(outsider, "notification", "/v1/webhooks", {})]
    assert outsider.get("notification", f"/v1/webhooks/{webhook['id']}/attempts").status_code == 404
    other_company = Api(stack, user_id="x", company_id="evil-company", roles=["integrator"], estates="*")
    assert other_company.get("notification", f"/v1/webhooks/{webhook['id']}").status_code == 404

    deleted = api.call("DELETE", "notification", f"/v1/webhooks/{webhook['id']}", headers={"If-Match": '"2"'})
    assert deleted.status_code == 204
    assert api.get("notification", f"/v1/webhooks/{webhook['id']}").status_code == 404


def test_deliveries_are_the_cloudevents_signed_per_standard_webhooks_for_the_estates_subscribed(stack, estate,
                                                                                                  receiver):
    other_estate = setup_estate(stack)
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/signed"), estate)
    mine, theirs = new_order(stack, estate), new_order(stack, other_estate)
    got = eventually(lambda: len(arrivals(receiver, "/signed")) >= 2 and arrivals(receiver, "/signed"),
                     timeout=60, what="the work order's created and assigned events")
    verifier = Webhook(webhook["secret"])
    for request in got:
        event = verifier.verify(request.body, request.headers)  # raises unless signed as the convention says
        assert event["specversion"] == "1.0" and event["estateid"] == estate
        assert event["type"].startswith("estatedesk.dispatch.workorder.")
        assert request.headers["content-type"] == "application/cloudevents+json"
    assert {r.event["subject"] for r in got} == {mine["id"]}
    assert theirs["id"] not in {r.event["subject"] for r in arrivals(receiver, "/signed")}
    forged = dict(got[0].headers, **{"webhook-signature": "v1,AAAA" + got[0].headers["webhook-signature"][7:]})
    with pytest.raises(WebhookVerificationError):
        verifier.verify(got[0].body, forged)
    log = eventually(lambda: len(a := attempts(api, webhook["id"])) >= 2 and a, what="the delivery log")
    assert {a["outcome"] for a in log} == {"delivered"} and all(a["status_code"] == 200 for a in log)
    assert all(a["response_excerpt"] == "ok" and a["duration_ms"] >= 0 for a in log)
    delivered = eventually(lambda: archived(api, estate, "notification.webhook.delivered"), what="delivered events")
    assert delivered[0]["data"]["subscription_id"] == webhook["id"]


def test_retries_follow_the_schedule_and_honour_retry_after(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/flaky"), estate, ["dispatch.workorder.created"])
    answers = iter([(500, {}, "down"), (503, {"Retry-After": "36000"}, "busy"), (502, {}, "bad gateway"),
                    (429, {"Retry-After": "60"}, "slow down")])
    previous = receiver.respond
    receiver.respond = lambda r: next(answers, (200, {}, "ok")) if r.path == "/flaky" else previous(r)
    try:
        order = new_order(stack, estate)
        log = eventually(lambda: (a := attempts(api, webhook["id"])) and a[-1]["outcome"] == "delivered" and a,
                         what="delivery after four failures")
    finally:
        receiver.respond = previous
    assert [a["status_code"] for a in log] == [500, 503, 502, 429, 200]
    assert [a["outcome"] for a in log] == ["retrying"] * 4 + ["delivered"]
    assert {a["subject"] for a in log} == {order["id"]}
    # 5 s, then Retry-After 10 h over the schedule's 5 min, then 30 min, then 2 h over a Retry-After of 60 s.
    expected = [RETRY_DELAYS[0], timedelta(hours=10), RETRY_DELAYS[2], RETRY_DELAYS[3]]
    assert same_waits(waits_of(log[:4]), expected), waits_of(log[:4])
    assert len({r.headers["webhook-id"] for r in arrivals(receiver, "/flaky")}) == 1  # one message, retried


def test_a_failing_endpoint_walks_the_schedule_is_given_up_and_is_disabled_after_five_days(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/down"), estate, ["dispatch.workorder.created"])
    previous = receiver.respond
    receiver.respond = lambda r: (500, {}, "x" * 2000) if r.path == "/down" else previous(r)
    try:
        new_order(stack, estate)
        log = eventually(lambda: (a := attempts(api, webhook["id"])) and a[-1]["outcome"] == "failed" and a,
                         what="the delivery given up")
        assert len(log) == 8 and [a["outcome"] for a in log] == ["retrying"] * 7 + ["failed"]
        assert len(log[0]["response_excerpt"]) == 501  # an excerpt, not the whole answer
        assert same_waits(waits_of(log[:7]), list(RETRY_DELAYS)), waits_of(log[:7])
        assert deliveries(api, webhook["id"])[0]["status"] == "failed"
        assert eventually(lambda: archived(api, estate, "notification.webhook.failed"), what="the failed event")
        disabled = eventually(lambda: (w := api.get("notification", f"/v1/webhooks/{webhook['id']}").json())
                              ["status"] == "disabled" and w, timeout=90, what="disabled after 5 (scaled) days")
        assert "5 days" in disabled["disabled_reason"]
        told = eventually(lambda: [e for e in archived(api, estate, "notification.webhook.disabled")
                                   if e["data"]["subscription_id"] == webhook["id"]], what="the owner told")
        assert told[0]["data"]["owner_id"] == "erp-1"
        message = owner_told(api, estate, receiver.url("/down"))
        assert "failed for 5 days without one success" in message["body"] and "起投递失败" in message["body"]
    finally:
        receiver.respond = previous


def test_410_disables_the_subscription_at_once(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/gone"), estate, ["dispatch.workorder.created"])
    previous = receiver.respond
    receiver.respond = lambda r: (410, {}, "gone") if r.path == "/gone" else previous(r)
    try:
        new_order(stack, estate)
        disabled = eventually(lambda: (w := api.get("notification", f"/v1/webhooks/{webhook['id']}").json())
                              ["status"] == "disabled" and w, what="disabled by 410")
        assert "410" in disabled["disabled_reason"]
        assert [a["outcome"] for a in attempts(api, webhook["id"])] == ["disabled"]
        assert eventually(lambda: [e for e in archived(api, estate, "notification.webhook.disabled")
                                   if e["data"]["subscription_id"] == webhook["id"]], what="the event")
        message = owner_told(api, estate, receiver.url("/gone"))
        assert message["body"].startswith(f"【Webhook 已停用】发往 {receiver.url('/gone')} 的订阅已停用")
        assert "the endpoint answered 410 Gone" in message["body"] and message["subject"] == "Webhook 已停用"
        new_order(stack, estate)  # nothing more is delivered to a disabled subscription
        enabled = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"enabled": True})
        assert enabled.status_code == 200 and enabled.json()["status"] == "active"
    finally:
        receiver.respond = previous
    assert len(arrivals(receiver, "/gone")) == 1


def test_resend_one_and_recover_everything_failed_since(stack, estate, receiver):
    api = integrator(stack, estate)
    webhook = subscribe(api, receiver.url("/recover"), estate, ["dispatch.workorder.created"])
    previous = receiver.respond
    receiver.respond = lambda r: (500, {}, "down") if r.path == "/recover" else previous(r)
    since = utcnow()
    try:
        for _ in range(2):
            new_order(stack, estate)
        failed = eventually(lambda: len(d := deliveries(api, webhook["id"], status="failed")) == 2 and d,
                            what="two deliveries given up")
    finally:
        receiver.respond = previous
    # The endpoint is fixed: enabled again (a loaded machine may have taken the scaled 5 days to fail), recovered.
    enabled = api.call("PATCH", "notification", f"/v1/webhooks/{webhook['id']}", json={"enabled": True})
    assert enabled.status_code == 200 and enabled.json()["status"] == "active"
    recovered = api.post("notification", f"/v1/webhooks/{webhook['id']}/recoveries",
                         json={"since": since.isoformat()})
    assert recovered.status_code == 200 and recovered.json() == {"requeued": 2}, recovered.text
    eventually(lambda: len(deliveries(api, webhook["id"], status="delivered")) == 2, timeout=40, what="both recovered")

    one = failed[0]["id"]
    resent = api.post("notification", f"/v1/webhooks/{webhook['id']}/deliveries/{one}/resend")
    assert resent.status_code == 200, resent.text
    eventually(lambda: [r for r in arrivals(receiver, "/recover") if r.headers["webhook-id"] == one
                        ][-1:] and len(attempts(api, webhook["id"], delivery_id=one)) == 10,
               what="the resend: 8 failed attempts, the recovery and the resend")
    assert api.post("notification", f"/v1/webhooks/{webhook['id']}/deliveries/nope/resend").status_code == 404


def test_one_stalled_subject_keeps_its_order_and_holds_up_no_other(stack, estate, receiver):
    add_staff(stack, estate, f"{estate}-eng-1")
    api = integrator(stack, estate)
    subscribe(api, receiver.url("/ordered"), estate)
    gate, held = threading.Event(), []

    def hold(request):
        if request.path != "/ordered":
            return None
        subject = request.event["subject"]
        if not held:
            held.append(subject)
        return gate if subject == held[0] else None

    receiver.hold_if = hold
    try:
        first = new_order(stack, estate)
        eventually(lambda: receiver.held, what="the first order's delivery held by the receiver")
        dispatcher = Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate])
        assigned = eventually(lambda: (o := dispatcher.get("dispatch", f"/v1/work-orders/{first['id']}").json())
                              .get("assignee_id") and o, what="the first order assigned")
        engineer = Api(stack, user_id=assigned["assignee_id"], roles=["technician"], estates=[estate])
        for name in ("accept", "arrive"):  # more events of the held subject, queued behind it
            assert engineer.post("dispatch", f"/v1/work-orders/{first['id']}/{name}").status_code == 200
        others = [new_order(stack, estate) for _ in range(3)]
        eventually(lambda: {o["id"] for o in others} <= {r.event["subject"] for r in arrivals(receiver, "/ordered")},
                   what="the other orders delivered while the first is held")
        # Of the held subject only its first event has come (held, or sent again after a timeout): the rest wait.
        assert {r.event["type"] for r in arrivals(receiver, "/ordered") if r.event["subject"] == first["id"]} == {
            "estatedesk.dispatch.workorder.created.v1"}
    finally:
        gate.set()
        receiver.hold_if = lambda _request: None
    eventually(lambda: len({r.headers["webhook-id"] for r in arrivals(receiver, "/ordered")
                            if r.event["subject"] == first["id"]}) >= 4,
               what="the first order's events after the stall")
    by_subject: dict[str, list[dict]] = {}
    seen = set()
    for request in arrivals(receiver, "/ordered"):  # a held request timed out and was sent again: its first arrival
        if request.headers["webhook-id"] not in seen:
            seen.add(request.headers["webhook-id"])
            by_subject.setdefault(request.event["subject"], []).append(request.event)
    for subject, events in by_subject.items():
        assert events == sorted(events, key=lambda e: (datetime.fromisoformat(e["time"]), e["id"])), subject
    assert [e["type"].split(".")[3] for e in by_subject[first["id"]]] == ["created", "assigned", "accepted", "arrived"]


def test_two_replicas_deliver_each_message_once(stack, estate, receiver):
    second = stack.start_service("notification")
    try:
        api = integrator(stack, estate)
        webhook = subscribe(api, receiver.url("/replicas"), estate)
        orders = [new_order(stack, estate) for _ in range(8)]
        eventually(lambda: {o["id"] for o in orders} <= {r.event["subject"] for r in arrivals(receiver, "/replicas")}
                   and len(deliveries(api, webhook["id"], status="delivered")) == len(deliveries(api, webhook["id"])),
                   timeout=120, what="every order's events delivered")
        ids = [r.headers["webhook-id"] for r in arrivals(receiver, "/replicas")]
        assert len(ids) == len(set(ids)) == len(deliveries(api, webhook["id"]))
    finally:
        second.stop()
        stack.services["notification"].remove(second)
