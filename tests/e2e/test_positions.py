"""Positions: the ladder reaches whoever holds a position (on duty, on call, by phone), the company's duty
leader is one position for every estate with its own roster, and only the staff who do a department's
work are assigned it."""

from __future__ import annotations

from datetime import timedelta

from ulid import ULID

from shared import clock
from tests.helpers import DAILY_REPORT, Api, archived, eventually, new_estate_id

LADDER = ("supervisor", "cs_manager", "estate_manager", "duty_leader")
FAST = {"priorities": {p: {"accept": 2, "arrive": 3, "complete": 4} for p in ("P1", "P2", "P3", "P4")},
        "ladder_delays_s": [0, 1, 1, 1]}


def new_company(stack) -> tuple[str, Api]:
    company_id = f"co-{str(ULID()).lower()[-10:]}"
    return company_id, Api(stack, user_id=f"{company_id}-admin", company_id=company_id, roles=["company_admin"],
                           estates="*")


def new_estate(admin: Api, company_id: str) -> str:
    estate_id = new_estate_id()
    assert admin.post("intake", "/v1/estates", json={"estate_id": estate_id, "name": f"小区 {estate_id}"}).status_code == 201
    admin.stack.wait_for_estate(estate_id, company_id=company_id)  # dispatch learns of it from intake's event
    assert admin.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=FAST).status_code == 200
    return estate_id


def register(admin: Api, **staff) -> dict:
    response = admin.post("dispatch", "/v1/staff", json={"department": "customer_service", **staff})
    assert response.status_code == 201, response.text
    return response.json()


def steps_of(api: Api, estate_id: str, order_id: str) -> list[dict]:
    return sorted((e["data"] for e in archived(api, estate_id, "dispatch.workorder.escalated")
                   if e["subject"] == order_id), key=lambda step: step["level"])


def test_the_ladder_reaches_each_position_on_duty_on_call_or_by_phone_and_only_workers_are_assigned(stack):
    company_id, admin = new_company(stack)
    estate_id, other_estate = new_estate(admin, company_id), new_estate(admin, company_id)
    # An engineering supervisor on duty with no orders, sorting first: under the old rule he got the work.
    register(admin, estate_id=estate_id, staff_id=f"{estate_id}-a-sup", name="陈主管", department="engineering",
             position="supervisor", on_duty=True)
    register(admin, estate_id=estate_id, staff_id=f"{estate_id}-eng", name="王师傅", department="engineering",
             on_duty=True)
    register(admin, estate_id=estate_id, staff_id=f"{estate_id}-mgr", name="刘经理", position="cs_manager",
             on_call=True)
    register(admin, estate_id=estate_id, staff_id=f"{estate_id}-pm", name="周经理", position="estate_manager",
             phone="+8613900000002")
    leader_id = f"{company_id}-leader"
    register(admin, staff_id=leader_id, name="吴总", position="duty_leader", phone="+8613900000001")
    now = clock.now()
    roster = {"entries": [{"staff_id": leader_id, "starts_at": (now - timedelta(hours=1)).isoformat(),
                           "ends_at": (now + timedelta(hours=1)).isoformat()}]}
    response = admin.call("PUT", "dispatch", "/v1/company/duty-leader-roster", json=roster)
    assert response.status_code == 200, response.text
    assert response.json()["now"] == {"id": leader_id, "name": "吴总", "phone": "+8613900000001",
                                      "reached_via": "roster"}

    orders = [admin.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": f"楼道灯不亮 {n}"}).json() for n in range(3)]
    assert {o["assignee_id"] for o in orders} == {f"{estate_id}-eng"}

    steps = eventually(lambda: len(s := steps_of(admin, estate_id, orders[0]["id"])) >= 4 and s, timeout=30,
                       what="four steps up the ladder")
    assert [(s["position"], s["recipient_id"], s["reached_via"]) for s in steps[:4]] == [
        ("supervisor", f"{estate_id}-a-sup", "on_duty"), ("cs_manager", f"{estate_id}-mgr", "on_call"),
        ("estate_manager", f"{estate_id}-pm", "phone"), ("duty_leader", leader_id, "roster")]
    assert steps[2]["recipient_phone"] == "+8613900000002"
    read = admin.get("dispatch", f"/v1/work-orders/{orders[0]['id']}").json()
    assert [e["recipient_name"] for e in read["escalations"][:4]] == ["陈主管", "刘经理", "周经理", "吴总"]
    phoned = eventually(lambda: [m for m in admin.get("notification", "/v1/messages", params={
        "estate_id": estate_id, "recipient_id": f"{estate_id}-pm"}).json()["items"] if m["template"] != DAILY_REPORT],
        what="the manager phoned")
    assert {m["channel"] for m in phoned} == {"voice"}

    # The other estate has nobody: its order waits in the supervisors' queue, and its ladder still
    # reaches the company's duty leader.
    lone = admin.post("dispatch", "/v1/work-orders", json={
        "estate_id": other_estate, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "无人值班"}).json()
    assert lone["assignee_id"] is None
    top = eventually(lambda: [s for s in steps_of(admin, other_estate, lone["id"]) if s["level"] == 4],
                     timeout=30, what="the other estate's top step")
    assert top[0]["recipient_id"] == leader_id
    on_duty = admin.get("dispatch", f"/v1/estates/{other_estate}/on-duty").json()
    assert on_duty["duty_leader"]["id"] == leader_id


def test_company_positions_are_registered_without_an_estate_by_company_wide_callers(stack):
    company_id, admin = new_company(stack)
    estate_id = new_estate(admin, company_id)
    response = admin.post("dispatch", "/v1/staff", json={"estate_id": estate_id, "name": "吴总",
                                                          "department": "customer_service", "position": "duty_leader"})
    assert response.status_code == 422 and response.json()["field"] == "estate_id"
    response = admin.post("dispatch", "/v1/staff", json={"name": "王师傅", "department": "engineering"})
    assert response.status_code == 422 and response.json()["field"] == "estate_id"
    local = Api(stack, user_id="m-1", company_id=company_id, roles=["estate_manager"], estates=[estate_id])
    response = local.post("dispatch", "/v1/staff", json={"name": "吴总", "department": "customer_service",
                                                          "position": "duty_leader"})
    assert response.status_code == 403
    leader = register(admin, staff_id=f"{company_id}-leader", name="吴总", position="duty_leader")
    assert leader["estate_id"] is None
    assert [s["id"] for s in local.get("dispatch", "/v1/company/staff").json()] == [leader["id"]]

    now = clock.now()
    def entry(staff_id, start_h, end_h):
        return {"staff_id": staff_id, "starts_at": (now + timedelta(hours=start_h)).isoformat(),
                "ends_at": (now + timedelta(hours=end_h)).isoformat()}
    for entries, field in [([entry(f"{estate_id}-nobody", 0, 1)], "entries.0.staff_id"),
                           ([entry(leader["id"], 2, 1)], "entries.0.ends_at"),
                           ([entry(leader["id"], 0, 3), entry(leader["id"], 2, 4)], "entries.1.starts_at")]:
        response = admin.call("PUT", "dispatch", "/v1/company/duty-leader-roster", json={"entries": entries})
        assert response.status_code == 422 and response.json()["field"] == field, response.text
    response = local.call("PUT", "dispatch", "/v1/company/duty-leader-roster", json={"entries": []})
    assert response.status_code == 403
    # Nobody rostered, on duty or on call: the ladder phones the holder.
    assert local.get("dispatch", "/v1/company/duty-leader-roster").json()["now"]["reached_via"] == "phone"
