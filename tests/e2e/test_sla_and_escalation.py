"""The clock: warnings at 80%, breaches at 100%, and the escalation ladder climbing in order."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ulid import ULID

from shared import clock
from tests.helpers import Api, archived, eventually, new_estate_id, repair_contact, setup_estate

LADDER = ("supervisor", "cs_manager", "estate_manager", "duty_leader")


def fast_clock(stack, estate_id, *, accept=2, arrive=3, complete=4, ladder=(0, 1, 1, 1)) -> None:
    limits = {"accept": accept, "arrive": arrive, "complete": complete}
    policy = {"priorities": {p: limits for p in ("P1", "P2", "P3", "P4")}, "ladder_delays_s": list(ladder)}
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    response = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=policy)
    assert response.status_code == 200, response.text


def test_an_untouched_order_warns_breaches_and_climbs_the_ladder(stack):
    company_id = f"co-{str(ULID()).lower()[-10:]}"  # its own company: the duty leader is the company's
    company = Api(stack, user_id="admin-1", company_id=company_id, roles=["company_admin"], estates="*")
    estate_id = new_estate_id()
    assert company.post("intake", "/v1/estates", json={"estate_id": estate_id, "name": "测试小区"}).status_code == 201
    stack.wait_for_estate(estate_id, company_id=company_id)  # dispatch learns of it from intake's event
    staff = [{"estate_id": estate_id, "staff_id": f"{estate_id}-eng-0", "name": "工程师0", "department": "engineering",
              "on_duty": True}]
    staff += [{"estate_id": estate_id, "staff_id": f"{estate_id}-{position}", "name": position,
               "department": "customer_service", "position": position, "on_duty": True} for position in LADDER[:3]]
    staff.append({"staff_id": f"{estate_id}-duty_leader", "name": "值班领导", "department": "customer_service",
                  "position": "duty_leader", "on_duty": True})
    for person in staff:
        assert company.post("dispatch", "/v1/staff", json=person).status_code == 201
    boss = Api(stack, user_id="sup-1", company_id=company_id, roles=["supervisor"], estates=[estate_id])
    limits = {"accept": 2, "arrive": 3, "complete": 4}
    policy = {"priorities": {p: limits for p in ("P1", "P2", "P3", "P4")}, "ladder_delays_s": [0, 1, 1, 1]}
    assert boss.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=policy).status_code == 200
    order = boss.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "inspection", "department": "engineering", "priority": "P3",
        "description": "消防泵月度巡检"}).json()

    escalations = eventually(lambda: (e := archived(boss, estate_id, "dispatch.workorder.escalated")) and len(e) >= 4
                             and e, timeout=30, what="four steps up the ladder")
    steps = sorted(escalations, key=lambda e: e["data"]["level"])
    assert [(s["data"]["level"], s["data"]["position"]) for s in steps] == list(enumerate(LADDER, start=1))
    assert [s["data"]["recipient_id"] for s in steps] == [f"{estate_id}-{p}" for p in LADDER]
    times = [datetime.fromisoformat(s["time"]) for s in steps]
    assert all((later - earlier).total_seconds() >= 1 for earlier, later in zip(times, times[1:]))

    for kind in ("warning", "breached"):
        fired = archived(boss, estate_id, f"dispatch.sla.{kind}")
        assert sorted(e["data"]["milestone"] for e in fired) == ["accept", "arrive", "complete"], kind
    breach = next(e for e in archived(boss, estate_id, "dispatch.sla.breached") if e["data"]["milestone"] == "accept")
    assert datetime.fromisoformat(breach["data"]["fired_at"]) >= datetime.fromisoformat(order["deadlines"]["accept"])

    final = boss.get("dispatch", f"/v1/work-orders/{order['id']}").json()
    assert final["sla_state"] == "breached"
    assert [step["level"] for step in final["escalations"]] == [1, 2, 3, 4]
    overdue = boss.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id, "sla_state": "breached"}).json()
    assert [o["id"] for o in overdue["items"]] == [order["id"]]
    manager = Api(stack, user_id="m-1", company_id=company_id, roles=["estate_manager"], estates=[estate_id])
    told = eventually(lambda: [m for m in manager.get("notification", "/v1/messages", params={
        "estate_id": estate_id, "recipient_id": f"{estate_id}-estate_manager"}).json()["items"]], what="the manager told")
    assert "逐级上报·第3级" in told[0]["body"]


def test_meeting_a_milestone_withdraws_its_timers(stack):
    estate_id = setup_estate(stack)
    fast_clock(stack, estate_id, accept=3, arrive=600, complete=1200)
    boss = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    order = boss.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "单元门禁失灵"}).json()
    engineer = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate_id])
    assert engineer.post("dispatch", f"/v1/work-orders/{order['id']}/accept").status_code == 200
    # A second order, not accepted, breaches: once it has, the first one's accept deadline has passed too.
    other = boss.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "另一张工单"}).json()
    eventually(lambda: [e for e in archived(boss, estate_id, "dispatch.sla.breached")
                        if e["subject"] == other["id"]], timeout=20, what="the other order's breach")
    assert not [e for e in archived(boss, estate_id, "dispatch.sla.breached") if e["subject"] == order["id"]]
    assert boss.get("dispatch", f"/v1/work-orders/{order['id']}").json()["sla_state"] == "ok"


def test_a_policy_must_cover_every_priority_in_order(stack):
    estate_id = setup_estate(stack, engineers=0)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    limits = {"accept": 60, "arrive": 30, "complete": 600}
    bad = {"priorities": {p: limits for p in ("P1", "P2", "P3", "P4")}, "ladder_delays_s": [0, 60, 60, 60]}
    response = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=bad)
    assert response.status_code == 422 and response.json()["field"].startswith("priorities.")
    missing = {"priorities": {"P1": {"accept": 1, "arrive": 2, "complete": 3}}, "ladder_delays_s": [0, 1, 1, 1]}
    assert supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=missing).status_code == 422
    defaults = supervisor.get("dispatch", f"/v1/estates/{estate_id}/sla-policy").json()
    assert defaults["priorities"]["P1"] == {"accept": 300, "arrive": 900, "complete": 14400}


def test_a_business_hours_policy_puts_deadlines_inside_opening_hours(stack):
    estate_id = setup_estate(stack)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    limits = {"accept": 1800, "arrive": 7200, "complete": 48 * 3600}
    policy = {"priorities": {p: limits for p in ("P1", "P2", "P3", "P4")}, "ladder_delays_s": [0, 60, 60, 60],
              "clock": "business_hours", "opens": "08:30", "closes": "17:30"}
    assert supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=policy).status_code == 200
    order = supervisor.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "楼道灯不亮"}).json()
    shanghai = ZoneInfo("Asia/Shanghai")
    created = datetime.fromisoformat(order["created_at"])
    for milestone, deadline in order["deadlines"].items():
        local = datetime.fromisoformat(deadline).astimezone(shanghai).time()
        assert time(8, 30) <= local <= time(17, 30), (milestone, local)
    # 48 business hours are more than five working days of nine hours.
    assert datetime.fromisoformat(order["deadlines"]["complete"]) - created > timedelta(days=5)
    closed = {**policy, "opens": "18:00", "closes": "09:00"}
    response = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=closed)
    assert response.status_code == 422 and response.json()["field"] == "closes"


def test_on_hold_pauses_the_clock_and_resume_shifts_the_deadlines(stack):
    estate_id = setup_estate(stack)
    fast_clock(stack, estate_id, accept=3, arrive=600, complete=1200, ladder=(0, 3600, 3600, 3600))
    boss = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    order = boss.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "等住户在家"}).json()
    engineer = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate_id])
    held = engineer.post("dispatch", f"/v1/work-orders/{order['id']}/hold", json={"reason": "住户不在家"})
    assert held.status_code == 200
    original = datetime.fromisoformat(order["deadlines"]["accept"])
    eventually(lambda: clock.now() > original + timedelta(seconds=2), what="the original deadline passing")
    resumed_at = clock.now()
    assert engineer.post("dispatch", f"/v1/work-orders/{order['id']}/resume").status_code == 200
    breach = eventually(lambda: [e for e in archived(boss, estate_id, "dispatch.sla.breached")
                                 if e["subject"] == order["id"]], timeout=20, what="the shifted breach")[0]
    # The time held did not count: the breach came due after the resume, not at the original deadline.
    assert datetime.fromisoformat(breach["data"]["due_at"]) > resumed_at
    assert datetime.fromisoformat(breach["data"]["deadline"]) > original


def test_emergencies_run_on_the_full_clock_in_a_business_hours_estate(stack):
    estate_id = setup_estate(stack)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    # No business time at all for the next ten days (the estate's own days off), whatever today is.
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    days_off = [(today + timedelta(days=n)).isoformat() for n in range(-1, 11)]
    limits = {"accept": 300, "arrive": 900, "complete": 4 * 3600}
    policy = {"priorities": {p: limits for p in ("P1", "P2", "P3", "P4")}, "ladder_delays_s": [0, 60, 60, 60],
              "clock": "business_hours", "holidays": days_off, "safety_subcategories": ["gas"]}
    answer = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/sla-policy", json=policy)
    assert answer.status_code == 200, answer.text
    assert answer.json()["clocks"] == {"P1": "full", "P2": "business_hours", "P3": "business_hours",
                                       "P4": "business_hours"}
    assert supervisor.get("dispatch", f"/v1/estates/{estate_id}/sla-policy").json()["clocks"]["P1"] == "full"

    def order(priority: str, subcategory: str) -> dict:
        contact = repair_contact(estate_id, "燃气味道很重" if subcategory == "gas" else "楼道灯不亮")
        contact["ticket"] |= {"priority": priority, "subcategory": subcategory}
        agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
        ticket = agent.post("intake", "/v1/contacts", json=contact).json()["ticket"]
        return eventually(lambda: supervisor.get("dispatch", "/v1/work-orders", params={
            "estate_id": estate_id, "ticket_id": ticket["id"]}).json()["items"], what="the work order")[0]

    for emergency in (order("P1", "electrical"), order("P3", "gas")):
        created = datetime.fromisoformat(emergency["created_at"])
        assert emergency["clock"] == "full"
        assert datetime.fromisoformat(emergency["deadlines"]["accept"]) - created == timedelta(seconds=300)
    ordinary = order("P3", "electrical")
    assert ordinary["clock"] == "business_hours"
    assert datetime.fromisoformat(ordinary["deadlines"]["accept"]) - datetime.fromisoformat(
        ordinary["created_at"]) > timedelta(days=9)
