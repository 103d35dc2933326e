"""Idempotency-Key on every POST (the kit's, not each route's): read from every service's OpenAPI
document, each POST declares the header, a retry with the same key is answered from the first time
(`Idempotent-Replayed`), and the same key with another request is refused naming the header."""

from __future__ import annotations

import httpx
import pytest
from ulid import ULID

from devstack.stack import SERVICES
from shared.auth import Role
from tests.helpers import Api, eventually, setup_estate


# Rebuilding reporting's read models walks the whole archive of the shared stack (large, late in the
# suite), which keeps reporting's database busy for longer than a request waits. The rebuild's own test
# runs it on a platform of its own.
HEAVY_OPERATIONS = ("/v1/admin/read-model-rebuilds",)


def post_operations(stack, service: str):
    document = httpx.get(f"{stack.url(service)}/openapi.json").json()
    for path, methods in document["paths"].items():
        if "post" in methods and not path.startswith(HEAVY_OPERATIONS):
            yield path, methods["post"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_post_takes_an_idempotency_key_and_a_retry_is_answered_once(stack, service):
    headers = {"Authorization": "Bearer " + stack.token(user_id=f"retrier-{ULID()}", roles=list(Role.__args__),
                                                        estates="*")}
    problems, operations = [], list(post_operations(stack, service))
    for path, operation in operations:
        if not any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
            problems.append(f"POST {path}: Idempotency-Key is not declared")
        url = f"{stack.url(service)}{path.replace('{', '').replace('}', '')}"
        key = {"Idempotency-Key": f"retry-{ULID()}", **headers}
        first = httpx.post(url, json={}, headers=key)
        again = httpx.post(url, json={}, headers=key)
        if first.status_code >= 500 or (again.status_code, again.content) != (first.status_code, first.content) \
                or again.headers.get("idempotent-replayed") != "true":
            problems.append(f"POST {path}: {first.status_code} then {again.status_code} "
                            f"(replayed: {again.headers.get('idempotent-replayed')})")
        other = httpx.post(url, json={"another": "request"}, headers=key)
        if (other.status_code, other.json().get("code"), other.json().get("field")) != (
                409, "idempotency_key_reused", "Idempotency-Key"):
            problems.append(f"POST {path}: the same key with another body → {other.status_code}")
    assert not problems, problems
    if service in ("intake", "dispatch"):
        assert len(operations) >= 10


def test_accepting_an_order_and_filing_a_handover_twice_with_one_key_happen_once(stack):
    estate_id = setup_estate(stack)
    boss = Api(stack, user_id="sup-1", name="张主管", roles=["supervisor"], estates=[estate_id])
    order = boss.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "description": "楼道灯不亮"}).json()
    engineer = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate_id])
    accepted = [engineer.post("dispatch", f"/v1/work-orders/{order['id']}/accept",
                              headers={"Idempotency-Key": "accept-1"}) for _ in range(2)]
    assert [a.status_code for a in accepted] == [200, 200] and accepted[0].json() == accepted[1].json()
    assert accepted[1].headers["idempotent-replayed"] == "true"
    assert engineer.post("dispatch", f"/v1/work-orders/{order['id']}/accept").status_code == 409  # no key: done already
    history = boss.get("dispatch", f"/v1/work-orders/{order['id']}").json()
    assert history["version"] == order["version"] + 1

    body = {"estate_id": estate_id, "post": "eng-duty", "department": "engineering", "shift_date": "2026-11-26",
            "shift": {"code": "early"},
            "inspection": {a: {"status": "ok"} for a in ("security", "water", "power", "equipment", "environment")}}
    filed = [boss.post("dispatch", "/v1/handovers", json=body, headers={"Idempotency-Key": "handover-1"})
             for _ in range(2)]
    assert [f.status_code for f in filed] == [201, 201] and filed[0].json()["id"] == filed[1].json()["id"]
    assert boss.post("dispatch", "/v1/handovers", json=body).status_code == 409  # without the key: it exists


@pytest.mark.parametrize("key", [b"two words", "caf\u00e9".encode("latin-1"), b"x" * 201])
def test_a_key_that_is_not_a_short_visible_token_is_refused_before_anything_is_stored(stack, key):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-keys", roles=["agent"], estates=[estate_id])
    contact = {"estate_id": estate_id, "channel": "hotline", "summary": "咨询停车", "outcome": "answered"}
    response = agent.post("intake", "/v1/contacts", json=contact, headers={"Idempotency-Key": key})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "Idempotency-Key"
    listed = agent.get("intake", "/v1/contacts", params={"estate_id": estate_id}).json()["items"]
    assert listed == []


def test_a_creating_post_keeps_one_key_record_and_replays_what_it_committed_if_its_answer_was_lost(stack):
    """The middleware's record is the only one; the route marks it committed in its own transaction, so a
    crash between that commit and the kept answer makes a retry replay the order, not make another."""
    from pymongo import MongoClient

    estate_id = setup_estate(stack)
    boss = Api(stack, user_id=f"sup-{ULID()}", roles=["supervisor"], estates=[estate_id])
    key = f"order-{ULID()}"
    body = {"estate_id": estate_id, "kind": "repair", "department": "engineering", "description": "电梯异响"}
    first = boss.post("dispatch", "/v1/work-orders", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    with MongoClient(stack.mongo_url_of("dispatch")) as client:
        database = client["estatedesk_dispatch"]
        records = list(database["idempotency_keys"].find({"_id": {"$regex": f"{key}$"}}))
        assert [(r["_id"].startswith("http:"), r["state"]) for r in records] == [(True, "done")]
        assert records[0]["response"]["id"] == first.json()["id"]
        # The process died after the commit, before the answer was kept.
        database["idempotency_keys"].update_one({"_id": records[0]["_id"]}, {"$set": {"state": "committed"},
                                                                            "$unset": {"body": "", "status": ""}})
        again = boss.post("dispatch", "/v1/work-orders", json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        assert database["work_orders"].count_documents({"description": "电梯异响", "estate_id": estate_id}) == 1
        # The answer is kept after it is sent (the middleware's writes are coalesced): poll for it.
        eventually(lambda: database["idempotency_keys"].find_one({"_id": records[0]["_id"]})["state"] == "done",
                   what="the replayed answer kept")
