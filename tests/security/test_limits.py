"""Limits through the HTTP API: an oversized body is 413, a resident sending too fast gets 429."""

import httpx

from tests.helpers import Api, repair_contact, setup_estate


def test_an_oversized_body_is_refused_with_413_before_it_is_read(stack):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    contact = repair_contact(estate_id)
    contact["summary"] = "漏" * 600_000  # about 1.8 MB of UTF-8, over the 1 MiB JSON limit
    response = agent.post("intake", "/v1/contacts", json=contact)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "payload_too_large"


def test_a_resident_sending_too_fast_gets_429_with_retry_after(stack):
    estate_id = setup_estate(stack, engineers=0)
    resident = Api(stack, user_id="resident-fast", roles=["resident"], estates=[estate_id])
    responses = [resident.get("intake", f"/v1/estates/{estate_id}") for _ in range(40)]
    assert responses[0].status_code == 200
    refused = next(r for r in responses if r.status_code != 200)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    staff = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    assert staff.get("intake", f"/v1/estates/{estate_id}").status_code == 200


def test_headers_too_large_are_refused_with_431_before_the_token_is_read(stack):
    huge = "Bearer " + "a" * 64 * 1024  # a token of 64 KiB is not even decoded
    response = httpx.get(f"{stack.url('dispatch')}/v1/my/work-orders", headers={"Authorization": huge})
    assert response.status_code == 431
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "headers_too_large"
    agent = Api(stack, user_id="agent-1", roles=["agent"])
    assert agent.get("dispatch", "/v1/my/work-orders").status_code == 200
