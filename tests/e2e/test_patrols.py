"""Patrols through the API: a route, a round in any order, a defect that opens a patrol ticket, missed points."""

from __future__ import annotations

import pytest

from tests.helpers import Api, admin, archived, eventually, setup_estate

ROUTE = {"name": "夜间巡楼A线", "checkpoints": [
    {"code": "B3-LOBBY", "name": "3栋大堂", "location": "3栋大堂", "building_id": "b3"},
    {"code": "B3-ROOF", "name": "3栋天台", "location": "3栋天台"},
    {"code": "GARAGE", "name": "地下车库", "location": "地下车库B1"},
]}


@pytest.fixture(scope="module")
def estate_id(stack) -> str:
    return setup_estate(stack, engineers=1)


@pytest.fixture(scope="module")
def guard(stack, estate_id) -> Api:
    return Api(stack, user_id="guard-1", roles=["technician"], estates=[estate_id])


@pytest.fixture(scope="module")
def route(stack, estate_id) -> dict:
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    response = supervisor.post("intake", f"/v1/estates/{estate_id}/patrol-routes", json=ROUTE)
    assert response.status_code == 201, response.text
    return response.json()


def start(guard: Api, route: dict) -> dict:
    response = guard.post("intake", "/v1/patrol-rounds", json={"route_id": route["id"]})
    assert response.status_code == 201, response.text
    return response.json()


def record(api: Api, patrol_round: dict, code: str, body: dict):
    return api.post("intake", f"/v1/patrol-rounds/{patrol_round['id']}/checkpoints", json={"code": code, **body})


def test_a_round_with_a_defect_opens_a_patrol_ticket_and_lists_what_was_missed(stack, estate_id, guard, route):
    patrol_round = start(guard, route)
    assert [c["state"] for c in patrol_round["checkpoints"]] == ["pending"] * 3
    # Any order: the roof first, then the lobby.
    defect = {"result": "defect", "findings": "天台排水口堵塞", "defect": {
        "subcategory": "plumbing", "description": "3栋天台排水口被落叶堵塞，雨天会积水"}}
    recorded = record(guard, patrol_round, "B3-ROOF", defect)
    assert recorded.status_code == 200, recorded.text
    ticket_id = recorded.json()["checkpoints"][1]["ticket_id"]
    assert record(guard, patrol_round, "B3-LOBBY", {"result": "ok", "findings": "正常"}).status_code == 200
    twice = record(guard, patrol_round, "B3-LOBBY", {"result": "ok"})
    assert twice.status_code == 409 and twice.json()["field"] == "code"

    ticket = admin(stack).get("intake", f"/v1/tickets/{ticket_id}").json()
    assert (ticket["channel"], ticket["scope"], ticket["location"]) == ("patrol", "public_area", "3栋天台")
    eventually(lambda: admin(stack).get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket_id}).json()["items"], what="the defect's work order")

    done = guard.post("intake", f"/v1/patrol-rounds/{patrol_round['id']}/complete")
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["missed"], body["defects"], body["ticket_ids"]) == (
        "completed", ["GARAGE"], 1, [ticket_id])
    assert [c["state"] for c in body["checkpoints"]] == ["ok", "defect", "missed"]
    event = eventually(lambda: archived(admin(stack), estate_id, "intake.patrol.completed"), what="the event")[0]
    assert (event["data"]["passed"], event["data"]["missed"]) == (["B3-LOBBY", "B3-ROOF"], ["GARAGE"])

    again = guard.post("intake", f"/v1/patrol-rounds/{patrol_round['id']}/complete")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    late = record(guard, patrol_round, "GARAGE", {"result": "ok"})
    assert late.status_code == 409


def test_bad_records_and_routes_are_refused(stack, estate_id, guard, route):
    patrol_round = start(guard, route)
    nowhere = record(guard, patrol_round, "NOWHERE", {"result": "ok"})
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "code"
    bad_result = record(guard, patrol_round, "GARAGE", {"result": "broken"})
    assert bad_result.status_code == 422 and bad_result.json()["errors"][0]["field"] == "result"
    no_details = record(guard, patrol_round, "GARAGE", {"result": "defect"})
    assert no_details.status_code == 422 and no_details.json()["field"] == "defect"
    unknown_kind = record(guard, patrol_round, "GARAGE", {"result": "defect", "defect": {
        "subcategory": "unicorns", "description": "?"}})
    assert unknown_kind.status_code == 422 and unknown_kind.json()["field"] == "defect.subcategory"
    other_guard = Api(stack, user_id="guard-2", roles=["technician"], estates=[estate_id])
    assert record(other_guard, patrol_round, "GARAGE", {"result": "ok"}).status_code == 403
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    duplicate_codes = {"name": "重复点位", "checkpoints": [{"code": "A", "name": "a"}, {"code": "A", "name": "b"}]}
    refused = supervisor.post("intake", f"/v1/estates/{estate_id}/patrol-routes", json=duplicate_codes)
    assert refused.status_code == 422 and refused.json()["field"] == "checkpoints.1.code"
    same_name = supervisor.post("intake", f"/v1/estates/{estate_id}/patrol-routes", json=ROUTE)
    assert same_name.status_code == 409
    assert guard.post("intake", f"/v1/estates/{estate_id}/patrol-routes", json=ROUTE).status_code == 403
    listed = guard.get("intake", f"/v1/estates/{estate_id}/patrol-routes").json()["items"]
    assert [r["id"] for r in listed] == [route["id"]]


def test_another_estates_patrols_do_not_exist_for_the_caller(stack, estate_id, route):
    outsider = Api(stack, user_id="guard-x", roles=["technician", "supervisor"], estates=["other-estate"])
    assert outsider.post("intake", "/v1/patrol-rounds", json={"route_id": route["id"]}).status_code == 404
    assert outsider.get("intake", f"/v1/estates/{estate_id}/patrol-routes").status_code == 404
    assert outsider.post("intake", f"/v1/estates/{estate_id}/patrol-routes", json=ROUTE).status_code == 404
