"""The dashboards' API: the live board right with events late, twice and out of order; tiles by
threshold; scope; and a stream that sees what another replica consumed."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from tests.e2e import dashboard_events as events
from tests.helpers import Api, eventually, setup_estate


def ops(stack, estates="*") -> Api:
    return Api(stack, user_id="ops-1", roles=["ops_viewer"], estates=estates)


def board(api: Api, estate_id: str) -> dict:
    response = api.get("reporting", f"/v1/dashboards/estates/{estate_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_board_is_right_with_events_late_twice_and_out_of_order(stack):
    estate_id = setup_estate(stack, engineers=0)
    api, t0 = ops(stack), events.now() - timedelta(minutes=10)
    late, done = events.work_order_id(), events.work_order_id()
    created = events.created(estate_id, late, t0, priority="P1")
    published = [
        events.accepted(estate_id, late, t0 + timedelta(minutes=3)),  # before its creation
        events.sla(estate_id, late, t0 + timedelta(minutes=4), milestone="arrive", breached=False),
        created, created,  # twice
        events.completed(estate_id, done, t0 + timedelta(minutes=5)),
        events.created(estate_id, done, t0),
        events.sla(estate_id, done, t0 + timedelta(minutes=2), milestone="accept", breached=True),
        events.consultation(estate_id, t0, priority="P1"), events.consultation(estate_id, t0),
        events.call(estate_id, t0, answered_within_15s=True), events.call(estate_id, t0, answered_within_15s=False),
        events.call(estate_id, t0, answered_within_15s=None),
    ]
    events.publish(stack, published)
    events.publish(stack, [published[0]])  # redelivered
    seen = eventually(lambda: (b := board(api, estate_id))["calls_today"] == 3 and len(b["timeline"]) == 7 and b,
                      what=lambda: f"the board of {estate_id}: {board(api, estate_id)}")
    (order,) = seen["open_work_orders"]
    assert (order["work_order_id"], order["status"], order["priority"]) == (late, "accepted", "P1")
    assert order["sla_state"] == "at_risk" and order["next_milestone"] == "arrive"
    assert [o["work_order_id"] for o in seen["about_to_breach"]] == [late] and seen["breached"] == []
    assert seen["open_by_status"] == {"accepted": 1}
    assert (seen["open_tickets"], seen["open_p1"], seen["breaches_today"]) == (2, 1, 1)
    assert (seen["answered_15s_today"], seen["calls_timed_today"], seen["answer_rate"]) == (1, 2, 0.5)
    kinds = sorted(entry["kind"] for entry in seen["timeline"])
    assert kinds == ["sla_breached", "sla_warning", "ticket_opened", "ticket_opened", "work_order_completed",
                     "work_order_created", "work_order_created"]
    # Not recorded is not zero: no billing figures for this estate yet.
    assert seen["collection_rate"] is None and seen["billed_month"] is None
    assert seen["levels"]["answer_rate"] == "red" and seen["levels"]["breaches_today"] == "amber"
    assert seen["level"] == "red"
    tiles = {t["estate_id"]: t for t in ops(stack).get("reporting", "/v1/dashboards/overview").json()["estates"]}
    assert {k: tiles[estate_id][k] for k in ("calls_today", "open_p1", "breaches_today", "answer_rate")} == {
        "calls_today": 3, "open_p1": 1, "breaches_today": 1, "answer_rate": 0.5}
    charts = api.get("reporting", f"/v1/dashboards/estates/{estate_id}/charts").json()
    assert len(charts["days"]) == 30 and charts["days"][-1] == seen["day"]
    assert charts["calls"][-1] == 3 and charts["tickets_by_category"]["consultation"][-1] == 2
    assert charts["collection_rate"][-1] is None  # not recorded: shown as —, never 0


def test_a_caller_sees_only_the_estates_of_its_scope(stack):
    mine, other = setup_estate(stack, engineers=0), setup_estate(stack, engineers=0)
    scoped = ops(stack, estates=[mine])
    listed = [t["estate_id"] for t in scoped.get("reporting", "/v1/dashboards/overview").json()["estates"]]
    assert listed == [mine]
    for path in (f"/v1/dashboards/estates/{other}", f"/v1/dashboards/estates/{other}/charts",
                 f"/v1/dashboards/stream?estate_id={other}"):
        response = scoped.get("reporting", path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    elsewhere = Api(stack, user_id="ops-9", company_id="another-company", roles=["ops_viewer"], estates="*")
    assert elsewhere.get("reporting", "/v1/dashboards/overview").json()["estates"] == []
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[mine])
    assert agent.get("reporting", f"/v1/dashboards/estates/{mine}").status_code == 403


def versions_seen(lines, estate_id: str, wanted: int) -> int:
    """Read `versions` events from the stream until the estate's version reaches `wanted`."""
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "versions":
            version = json.loads(line.split(":", 1)[1])[estate_id]
            if version >= wanted:
                return version
    raise AssertionError("the stream ended")


def test_a_browser_on_one_replica_hears_of_events_the_other_replica_consumed(stack):
    estate_id = setup_estate(stack, engineers=0)
    replica = stack.start_service("reporting")
    try:
        headers = {"Authorization": f"Bearer {stack.token(user_id='ops-1', roles=['ops_viewer'], estates='*')}",
                   "Accept": "text/event-stream"}
        replica_url = f"http://127.0.0.1:{replica.port}"
        consumed = {url: _consumed(url) for url in (stack.url("reporting"), replica_url)}
        start = board(ops(stack), estate_id)["version"]
        # Without asking for a stream: the versions now, once.
        now = httpx.get(f"{replica_url}/v1/dashboards/stream?estate_id={estate_id}", headers=headers | {"Accept": "*/*"})
        assert now.status_code == 200 and now.json()["versions"][estate_id] >= start
        with httpx.stream("GET", f"{replica_url}/v1/dashboards/stream?estate_id={estate_id}", headers=headers,
                          timeout=30) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            seen = versions_seen(lines, estate_id, start)
            for _ in range(6):
                events.publish(stack, [events.call(estate_id, events.now(), answered_within_15s=True)])
                seen = versions_seen(lines, estate_id, seen + 1)
        # Both replicas took some of them: the stream on one heard of the other's.
        assert all(_consumed(url) > before for url, before in consumed.items()), consumed
    finally:
        replica.terminate()
        replica.wait_stopped()


def _consumed(base_url: str) -> float:
    metrics = httpx.get(f"{base_url}/metrics", timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("events_consumed_total{") and 'outcome="applied"' in line)
