"""Work orders through dispatch's API: the life cycle, its refusals, assignment, grab mode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import Api, add_staff, admin, eventually, repair_contact, setup_estate

MANUAL_ORDER = {"kind": "repair", "department": "engineering", "priority": "P3", "location": "地下车库",
                "description": "车库照明检修"}


def dispatcher(stack, estate_id) -> Api:
    return Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate_id])


def technician(stack, estate_id, staff_id) -> Api:
    return Api(stack, user_id=staff_id, roles=["technician"], estates=[estate_id])


def new_order(stack, estate_id, **overrides) -> dict:
    response = dispatcher(stack, estate_id).post("dispatch", "/v1/work-orders",
                                                 json={"estate_id": estate_id, **MANUAL_ORDER, **overrides})
    assert response.status_code == 201, response.text
    return response.json()


def command(api: Api, order: dict, name: str, body: dict | None = None, **headers):
    return api.post("dispatch", f"/v1/work-orders/{order['id']}/{name}", json=body, headers=headers)


def test_a_repair_goes_from_assignment_to_completion_and_the_ticket_resolves(stack):
    estate_id = setup_estate(stack)
    engineer = technician(stack, estate_id, f"{estate_id}-eng-0")
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    ticket = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "厨房水龙头漏水")).json()["ticket"]
    [order] = eventually(lambda: dispatcher(stack, estate_id).get(
        "dispatch", "/v1/work-orders", params={"estate_id": estate_id, "ticket_id": ticket["id"]}).json()["items"],
        what="the work order")
    assert order["status"] == "assigned" and order["kind"] == "repair"
    assert engineer.get("dispatch", "/v1/my/work-orders").json()["items"][0]["id"] == order["id"]

    for name in ("accept", "arrive"):
        response = command(engineer, order, name)
        assert response.status_code == 200, response.text
    completion = {
        "work_done": "更换水龙头阀芯", "labour_minutes": 40, "responsible_party": "owner", "chargeable": True,
        "materials": [{"item": "阀芯", "quantity": "2", "unit_price": "12.50"}],
        "charges": [{"description": "上门维修费", "amount": "30"}], "photos": ["photo://after-1"],
    }
    done = command(engineer, order, "complete", completion)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["completion"]["materials"][0]["amount"] == "25.00"
    assert done.json()["completion"]["charge_lines"] == [{"description": "上门维修费", "amount": "30.00"}]
    resolved = eventually(lambda: (t := agent.get("intake", f"/v1/tickets/{ticket['id']}").json())["status"] == "resolved"
                          and t, what="the ticket resolved by the completion event")
    assert resolved["work_order_id"] == order["id"]


def test_refused_transitions_stale_versions_and_strangers(stack):
    estate_id = setup_estate(stack, engineers=2)
    order = new_order(stack, estate_id)
    engineer = technician(stack, estate_id, order["assignee_id"])
    too_early = command(engineer, order, "complete", {"work_done": "x", "labour_minutes": 1,
                                                     "responsible_party": "property"})
    assert too_early.status_code == 409 and too_early.json()["code"] == "invalid_transition"
    accepted = command(engineer, order, "accept", **{"If-Match": f'"{order["version"]}"'})
    assert accepted.status_code == 200 and accepted.headers["ETag"] == f'"{order["version"] + 1}"'
    stale = command(engineer, order, "arrive", **{"If-Match": f'"{order["version"]}"'})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    assert command(engineer, order, "arrive", **{"If-Match": "yesterday"}).status_code == 422
    assert command(engineer, order, "arrive", **{"If-Match": '"²"'.encode("latin-1")}).status_code == 422
    other = next(s for s in (f"{estate_id}-eng-0", f"{estate_id}-eng-1") if s != order["assignee_id"])
    stranger = command(technician(stack, estate_id, other), order, "arrive")
    assert stranger.status_code == 403
    assert command(engineer, order, "cancel", {"reason": "不想干"}).status_code == 403  # dispatchers cancel
    outsider = Api(stack, user_id="d-2", roles=["dispatcher"], estates=["another-estate"])
    assert command(outsider, order, "cancel", {"reason": "x"}).status_code == 404


def test_manual_assignment_is_checked(stack):
    estate_id = setup_estate(stack, engineers=1)
    add_staff(stack, estate_id, f"{estate_id}-guard", department="security")
    add_staff(stack, estate_id, f"{estate_id}-away")
    admin(stack).call("PUT", "dispatch", f"/v1/staff/{estate_id}-away/duty", json={"on_leave": True})
    order = new_order(stack, estate_id)
    boss = dispatcher(stack, estate_id)
    declined = command(technician(stack, estate_id, order["assignee_id"]), order, "decline", {"reason": "缺少工具"})
    assert declined.status_code == 200 and declined.json()["status"] == "pending"
    assert declined.json()["assignee_id"] is None
    for assignee in ("nobody", f"{estate_id}-guard", f"{estate_id}-away"):
        refused = command(boss, order, "assign", {"assignee_id": assignee})
        assert refused.status_code == 422, assignee
        assert refused.json()["field"] == "assignee_id"
    assigned = command(boss, order, "assign", {"assignee_id": f"{estate_id}-eng-0"})
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"


def test_hold_pauses_and_resume_returns(stack):
    estate_id = setup_estate(stack)
    order = new_order(stack, estate_id)
    engineer = technician(stack, estate_id, order["assignee_id"])
    command(engineer, order, "accept")
    held = command(engineer, order, "hold", {"reason": "等配件"})
    assert held.json()["status"] == "on_hold"
    assert command(engineer, order, "arrive").status_code == 409
    assert command(engineer, order, "resume").json()["status"] == "accepted"
    assert command(engineer, order, "hold", {}).status_code == 422  # a hold needs its reason


@pytest.mark.parametrize("grabbers", [20])
def test_twenty_concurrent_grabs_have_exactly_one_winner(stack, grabbers):
    estate_id = setup_estate(stack, engineers=0)
    for n in range(grabbers):
        add_staff(stack, estate_id, f"{estate_id}-g{n}")
    boss = dispatcher(stack, estate_id)
    setting = boss.call("PUT", "dispatch", f"/v1/estates/{estate_id}/departments/engineering", json={"grab_mode": True})
    assert setting.status_code == 200
    order = new_order(stack, estate_id)
    assert order["status"] == "pending" and len(order["offered_to"]) == grabbers
    with ThreadPoolExecutor(max_workers=grabbers) as pool:
        responses = list(pool.map(
            lambda n: command(technician(stack, estate_id, f"{estate_id}-g{n}"), order, "grab"), range(grabbers)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (grabbers - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert winner["status"] == "accepted"
    final = boss.get("dispatch", f"/v1/work-orders/{order['id']}").json()
    assert final["assignee_id"] == winner["assignee_id"] and final["version"] == order["version"] + 1
    outsider = technician(stack, estate_id, "not-offered")
    assert command(outsider, new_order(stack, estate_id), "grab").status_code == 403
