"""The key register and lost property through intake's API: loans, the outstanding list, claims, disposal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared import clock
from tests.helpers import Api, archived, eventually


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat()


def register_key(api: Api, estate_id: str, label: str, **extra) -> dict:
    body = {"estate_id": estate_id, "label": label, "kind": "plant_room", "holder": "服务中心钥匙柜 A-1", **extra}
    return ok(api.post("intake", "/v1/keys", json=body), 201)


LOAN = {"borrower": "工程部王师傅", "purpose": "水泵房例行检修", "witnessed_by": "值班员李丽"}


def test_a_key_is_lent_once_listed_as_outstanding_and_returned(agent, supervisor, estate_id):
    key = register_key(agent, estate_id, "水泵房")
    assert key["status"] == "in"
    before = clock.now()
    loan = ok(agent.post("intake", f"/v1/keys/{key['id']}/lend", json=LOAN), 201)
    assert (loan["borrower"], loan["witnessed_by"], loan["lent_by"], loan["returned_at"]) == (
        "工程部王师傅", "值班员李丽", "agent-1", None)
    again = agent.post("intake", f"/v1/keys/{key['id']}/lend", json={**LOAN, "borrower": "保安张三"})
    assert again.status_code == 409 and again.json()["code"] == "key_out"
    assert ok(agent.get("intake", f"/v1/keys/{key['id']}"))["status"] == "out"

    outstanding = f"/v1/estates/{estate_id}/keys/outstanding"
    assert [o["id"] for o in ok(agent.get("intake", outstanding))["items"]] == [loan["id"]]
    later = iso(clock.now() + timedelta(minutes=1))
    assert [o["key_id"] for o in ok(agent.get("intake", outstanding, params={"lent_before": later}))["items"]] == [key["id"]]
    earlier = iso(before - timedelta(minutes=1))
    assert ok(agent.get("intake", outstanding, params={"lent_before": earlier}))["items"] == []
    assert agent.get("intake", outstanding, params={"lent_before": "2026-11-26T08:00:00"}).status_code == 422

    back = ok(agent.post("intake", f"/v1/keys/{key['id']}/return",
                         json={"returned_by": "工程部王师傅", "witnessed_by": "值班员李丽", "note": "完好"}))
    assert back["returned_at"] and back["received_by"] == "agent-1"
    twice = agent.post("intake", f"/v1/keys/{key['id']}/return", json={"returned_by": "x", "witnessed_by": "y"})
    assert twice.status_code == 409 and twice.json()["code"] == "key_in"
    assert ok(agent.get("intake", outstanding))["items"] == []
    loans = ok(agent.get("intake", f"/v1/keys/{key['id']}/loans"))["items"]
    assert [(l["id"], l["return_witnessed_by"]) for l in loans] == [(loan["id"], "值班员李丽")]

    lent = eventually(lambda: [e for e in archived(supervisor, estate_id, "intake.key.lent") if e["subject"] == loan["id"]],
                      what="the loan archived")[0]["data"]
    assert (lent["key_id"], lent["purpose"], lent["witnessed_by"]) == (key["id"], "水泵房例行检修", "值班员李丽")
    eventually(lambda: [e for e in archived(supervisor, estate_id, "intake.key.returned") if e["subject"] == loan["id"]],
               what="the return archived")


def test_keys_registered_wrongly_are_refused(agent, estate_id):
    register_key(agent, estate_id, "配电房")
    duplicate = agent.post("intake", "/v1/keys", json={"estate_id": estate_id, "label": "配电房", "kind": "plant_room",
                                                        "holder": "A-2"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "label"
    for body, field in [({"kind": "unit"}, "unit_id"), ({"kind": "vault"}, "kind"), ({"holder": ""}, "holder"),
                        ({"copies": 0}, "copies")]:
        response = agent.post("intake", "/v1/keys", json={"estate_id": estate_id, "label": f"钥匙{field}",
                                                          "kind": "master", "holder": "A-3", **body})
        assert response.status_code == 422, response.text
        assert response.json().get("field") == field or field in [e["field"] for e in response.json()["errors"]]
    key = register_key(agent, estate_id, "3-1-502", kind="unit", unit_id="3-1-502", left_by="张三")
    response = agent.post("intake", f"/v1/keys/{key['id']}/lend", json={"borrower": "维修工", "purpose": "漏水"})
    assert response.status_code == 422 and "witnessed_by" in [e["field"] for e in response.json()["errors"]]


def test_another_estate_sees_no_keys_or_items(intake, agent, estate_id):
    key = register_key(agent, estate_id, "总钥匙", kind="master")
    stranger = Api(intake, user_id="agent-9", roles=["agent"], estates=["other-estate"])
    assert stranger.get("intake", f"/v1/keys/{key['id']}").status_code == 404
    assert stranger.post("intake", f"/v1/keys/{key['id']}/lend", json=LOAN).status_code == 404
    assert stranger.get("intake", f"/v1/estates/{estate_id}/keys/outstanding").status_code == 404
    assert stranger.get("intake", f"/v1/estates/{estate_id}/lost-items/due-for-disposal").status_code == 404
    technician = Api(intake, user_id="tech-1", roles=["technician"], estates=[estate_id])
    assert technician.post("intake", f"/v1/keys/{key['id']}/lend", json=LOAN).status_code == 403


def found(estate_id: str, description: str, days_ago: float) -> dict:
    return {"estate_id": estate_id, "description": description, "category": "wallet", "found_where": "2栋电梯厅",
            "found_at": iso(clock.now() - timedelta(days=days_ago)), "found_by": "保安赵六", "stored_at": "前台保险柜"}


def test_lost_property_is_claimed_with_identity_or_disposed_of_when_due(agent, supervisor, estate_id):
    settings = f"/v1/estates/{estate_id}/lost-property-settings"
    assert ok(agent.get("intake", settings))["keep_days"] == 90
    assert agent.call("PUT", "intake", settings, json={"keep_days": 7}).status_code == 403
    assert supervisor.call("PUT", "intake", settings, json={"keep_days": 0}).status_code == 422
    ok(supervisor.call("PUT", "intake", settings, json={"keep_days": 7}))

    old = ok(agent.post("intake", "/v1/lost-items", json=found(estate_id, "黑色钱包", days_ago=8)), 201)
    fresh = ok(agent.post("intake", "/v1/lost-items", json=found(estate_id, "儿童水壶", days_ago=0.01)), 201)
    assert old["status"] == "held" and old["keep_until"] < iso(clock.now())
    due = ok(agent.get("intake", f"/v1/estates/{estate_id}/lost-items/due-for-disposal"))["items"]
    assert [i["id"] for i in due] == [old["id"]]
    in_a_week = iso(clock.now() + timedelta(days=7, hours=1))
    due_later = ok(agent.get("intake", f"/v1/estates/{estate_id}/lost-items/due-for-disposal",
                             params={"at": in_a_week}))["items"]
    assert {i["id"] for i in due_later} == {old["id"], fresh["id"]}

    not_yet = supervisor.post("intake", f"/v1/lost-items/{fresh['id']}/dispose", json={"method": "donated"})
    assert not_yet.status_code == 409 and not_yet.json()["field"] == "keep_until"
    claim = {"claimant_name": "孙七", "id_document_type": "resident_id_card", "id_document_number": "110101199003071234"}
    unchecked = agent.post("intake", f"/v1/lost-items/{fresh['id']}/claim", json=claim)
    assert unchecked.status_code == 422 and "identity_checked" in [e["field"] for e in unchecked.json()["errors"]]
    claimed = ok(agent.post("intake", f"/v1/lost-items/{fresh['id']}/claim", json={**claim, "identity_checked": True}))
    assert claimed["status"] == "claimed"
    assert claimed["claim"]["id_document_number"] == "110***********1234"
    assert claimed["claim"]["identity_checked_by"] == "agent-1"
    again = agent.post("intake", f"/v1/lost-items/{fresh['id']}/claim", json={**claim, "identity_checked": True})
    assert again.status_code == 409

    assert agent.post("intake", f"/v1/lost-items/{old['id']}/dispose", json={"method": "donated"}).status_code == 403
    assert supervisor.post("intake", f"/v1/lost-items/{old['id']}/dispose", json={"method": "burnt"}).status_code == 422
    disposed = ok(supervisor.post("intake", f"/v1/lost-items/{old['id']}/dispose",
                                  json={"method": "handed_to_police", "note": "交派出所"}))
    assert disposed["status"] == "disposed" and disposed["disposal"]["by"] == "sup-1"
    assert ok(agent.get("intake", f"/v1/estates/{estate_id}/lost-items/due-for-disposal"))["items"] == []
    held = ok(agent.get("intake", "/v1/lost-items", params={"estate_id": estate_id, "status": "held"}))["items"]
    assert old["id"] not in [i["id"] for i in held] and fresh["id"] not in [i["id"] for i in held]

    registered = eventually(lambda: [e for e in archived(supervisor, estate_id, "intake.lost_item.registered")
                                     if e["subject"] == old["id"]], what="the registration archived")[0]
    assert registered["data"]["found_where"] == "2栋电梯厅"
    claimed_event = eventually(lambda: [e for e in archived(supervisor, estate_id, "intake.lost_item.claimed")
                                        if e["subject"] == fresh["id"]], what="the claim archived")[0]
    assert "110101199003071234" not in str(claimed_event)


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b.pop("found_where"), "found_where"),
    (lambda b: b.update(found_at="2026-11-26T08:00:00"), "found_at"),
    (lambda b: b.update(found_at=iso(clock.now() + timedelta(days=2))), "found_at"),
    (lambda b: b.update(category="car"), "category"),
])
def test_bad_lost_items_are_refused_with_the_field_named(agent, estate_id, change, field):
    body = found(estate_id, "雨伞", days_ago=1)
    change(body)
    response = agent.post("intake", "/v1/lost-items", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem.get("field") == field or field in [e["field"] for e in problem["errors"]]
