"""Tickets through intake's API: the life cycle with dispatch, history, settings, complaints, residents."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.envelope import Envelope
from tests.e2e.test_dead_letters_api import publish_raw
from tests.helpers import Api, add_staff, admin, archived, eventually, setup_estate


@pytest.fixture(scope="module")
def estate_id(stack) -> str:
    estate_id = setup_estate(stack, engineers=1)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    return estate_id


@pytest.fixture(scope="module")
def agent(stack, estate_id) -> Api:
    return Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])


def new_phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def contact(estate_id: str, category: str, description: str, *, phone: str | None = None, unit_id: str | None = None,
            **ticket) -> dict:
    return {"estate_id": estate_id, "channel": "hotline", "summary": description, "caller_phone": phone,
            "unit_id": unit_id,
            "ticket": {"category": category, "scope": "in_unit" if unit_id else "public_area",
                       "description": description, **ticket}}


def open_ticket(agent: Api, estate_id: str, category: str, description: str, **kwargs) -> dict:
    response = agent.post("intake", "/v1/contacts", json=contact(estate_id, category, description, **kwargs))
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


def ticket_of(api: Api, ticket_id: str) -> dict:
    response = api.get("intake", f"/v1/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    return response.json()


def ticket_becomes(api: Api, ticket_id: str, status: str) -> dict:
    return eventually(lambda: (t := ticket_of(api, ticket_id))["status"] == status and t,
                      what=f"ticket {ticket_id} {status}")


def order_for(estate_id: str, ticket_id: str, stack) -> dict:
    api = admin(stack)
    return eventually(lambda: api.get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket_id}).json()["items"], what="the ticket's work order")[0]


def complete_order(stack, estate_id: str, order: dict, work_done: str) -> None:
    worker = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate_id])
    for command, body in [("accept", None), ("arrive", None), ("complete", {
            "work_done": work_done, "labour_minutes": 30, "responsible_party": "property"})]:
        response = worker.post("dispatch", f"/v1/work-orders/{order['id']}/{command}", json=body)
        assert response.status_code == 200, response.text


def attempt(api: Api, follow_up_id: str, **body) -> dict:
    response = api.post("intake", f"/v1/follow-ups/{follow_up_id}/attempts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def resolved_at_desk(agent: Api, estate_id: str, category: str = "repair") -> dict:
    ticket = open_ticket(agent, estate_id, category, "门铃不响", phone=new_phone())
    response = agent.post("intake", f"/v1/tickets/{ticket['id']}/resolve", json={"resolution": "电话指导更换电池"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_repair_follows_its_work_order_then_its_follow_up_then_closes(stack, estate_id, agent):
    ticket = open_ticket(agent, estate_id, "repair", "厨房水龙头坏了", subcategory="plumbing", unit_id="1-101")
    ticket_becomes(agent, ticket["id"], "in_progress")
    complete_order(stack, estate_id, order_for(estate_id, ticket["id"], stack), "更换水龙头")
    resolved = ticket_becomes(agent, ticket["id"], "resolved")
    assert resolved["resolution"] == "更换水龙头" and resolved["follow_up"]["state"] == "due"

    queue = agent.get("intake", "/v1/follow-ups", params={"estate_id": estate_id, "state": "due"}).json()["items"]
    follow_up = next(f for f in queue if f["ticket_id"] == ticket["id"])
    assert [f["id"] for f in queue] == sorted(f["id"] for f in queue)  # oldest first
    assert (follow_up["state"], follow_up["overdue"]) == ("due", False)
    assert follow_up["due_by"] > resolved["resolved_at"][:19]
    done = attempt(agent, follow_up["id"], reached=True, score=4, comment="满意")
    assert (done["state"], done["result"]) == ("completed", "satisfied")
    followed = ticket_of(agent, ticket["id"])
    assert followed["status"] == "followed_up" and followed["follow_up"]["score"] == 4
    closed = agent.post("intake", f"/v1/tickets/{ticket['id']}/close", json={})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    history = [(entry["action"], entry["status"]) for entry in closed.json()["history"]]
    assert history == [("open", "open"), ("start", "in_progress"), ("resolve", "resolved"),
                       ("follow_up", "followed_up"), ("close", "closed")]
    api = admin(stack)
    for name in ("intake.ticket.resolved", "intake.ticket.followed_up", "intake.ticket.closed",
                 "intake.followup.due", "intake.followup.completed"):
        eventually(lambda name=name: [e for e in archived(api, estate_id, name)
                                      if ticket["id"] in (e["subject"], e["data"].get("ticket_id"))], what=name)


def test_transitions_the_life_cycle_does_not_allow_are_409(agent, estate_id):
    ticket = open_ticket(agent, estate_id, "suggestion", "建议增加快递柜")
    for command, body in [("close", {}), ("reopen", {"reason": "x"})]:
        refused = agent.post("intake", f"/v1/tickets/{ticket['id']}/{command}", json=body)
        assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition", (command, refused.text)
    cancelled = agent.post("intake", f"/v1/tickets/{ticket['id']}/cancel", json={"reason": "重复登记"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["history"][-1]["reason"] == "重复登记"
    for command, body in [("resolve", {"resolution": "x"}), ("cancel", {"reason": "x"}), ("close", {}),
                          ("reopen", {"reason": "x"})]:
        refused = agent.post("intake", f"/v1/tickets/{ticket['id']}/{command}", json=body)
        assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition", (command, refused.text)
    patched = agent.call("PATCH", "intake", f"/v1/tickets/{ticket['id']}", json={"priority": "P2"})
    assert patched.status_code == 409
    resolved = resolved_at_desk(agent, estate_id)
    assert agent.post("intake", f"/v1/tickets/{resolved['id']}/cancel", json={"reason": "x"}).status_code == 409
    pending = agent.post("intake", f"/v1/tickets/{resolved['id']}/close", json={})
    assert pending.status_code == 409 and pending.json()["code"] == "follow_up_pending"


def test_an_agent_reopens_and_the_due_follow_up_is_withdrawn(agent, estate_id):
    resolved = resolved_at_desk(agent, estate_id, "help")
    assert resolved["follow_up"]["state"] == "due"
    reopened = agent.post("intake", f"/v1/tickets/{resolved['id']}/reopen", json={"reason": "住户来电仍未解决"})
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["reopen_count"]) == ("in_progress", 1)
    follow_up = agent.get("intake", f"/v1/follow-ups/{resolved['follow_up']['id']}").json()
    assert (follow_up["state"], follow_up["result"]) == ("withdrawn", "withdrawn")
    again = agent.post("intake", f"/v1/tickets/{resolved['id']}/resolve", json={"resolution": "再次上门处理"}).json()
    assert again["status"] == "resolved" and again["follow_up"]["id"] != resolved["follow_up"]["id"]


def test_an_agent_corrects_a_ticket_and_history_keeps_it(agent, estate_id):
    ticket = open_ticket(agent, estate_id, "repair", "楼道灯不亮", subcategory="electrical")
    change = {"priority": "P2", "subcategory": "public_facilities", "promised_reply_at": "2026-12-01T10:00:00+08:00",
              "building_id": "b-3"}
    patched = agent.call("PATCH", "intake", f"/v1/tickets/{ticket['id']}", json=change)
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["priority"], body["proposed_priority"], body["subcategory"], body["building_id"]) == (
        "P2", "P3", "public_facilities", "b-3")
    entry = body["history"][-1]
    assert entry["action"] == "update" and entry["changes"]["priority"] == ["P3", "P2"]
    assert set(entry["changes"]) == {"priority", "subcategory", "promised_reply_at", "building_id"}
    faster = agent.call("PATCH", "intake", f"/v1/tickets/{ticket['id']}", json={"priority": "P1"}).json()
    assert faster["promised_reply_at"] == body["promised_reply_at"]  # the agent's promise stands
    other = open_ticket(agent, estate_id, "repair", "楼道灯不亮")
    urgent = agent.call("PATCH", "intake", f"/v1/tickets/{other['id']}", json={"priority": "P1"}).json()
    assert urgent["promised_reply_at"] < other["promised_reply_at"]  # the default promise follows the priority
    for bad, field in [({"subcategory": "unicorns"}, "subcategory"), ({"priority": "P9"}, "priority"), ({}, "body"),
                       ({"promised_reply_at": None}, "promised_reply_at"), ({"priority": None}, "priority"),
                       ({"status": "closed"}, "status"), ({"location": "x" * 201}, "location")]:
        refused = agent.call("PATCH", "intake", f"/v1/tickets/{ticket['id']}", json=bad)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]] or refused.json().get("field") == field


def test_a_consultation_answered_on_the_call_is_resolved_at_first_contact(agent, estate_id):
    body = contact(estate_id, "consultation", "咨询装修申请流程", resolution="已告知需提交装修申请表及押金")
    logged = agent.post("intake", "/v1/contacts", json=body)
    assert logged.status_code == 201, logged.text
    answered = logged.json()
    assert answered["outcome"] == "answered"
    ticket = answered["ticket"]
    assert (ticket["status"], ticket["first_contact_resolution"], ticket["follow_up"]) == ("resolved", True, None)
    assert [entry["action"] for entry in ticket["history"]] == ["open", "resolve"]
    repair = agent.post("intake", "/v1/contacts", json=contact(estate_id, "repair", "漏水", resolution="已处理"))
    assert repair.status_code == 422 and repair.json()["field"] == "ticket.resolution"


def test_complaints_of_one_caller_arriving_together_count_each_other(agent, estate_id):
    """The complainants' histories of a group commit are read in one query before it: complaints of one
    caller in the same group, or racing it, still see each other (each counts the ones before it)."""
    phone = new_phone()
    with ThreadPoolExecutor(max_workers=4) as pool:
        complaints = list(pool.map(lambda n: open_ticket(agent, estate_id, "complaint", f"垃圾清运不及时 第{n}次",
                                                         subcategory="cleanliness", phone=phone), range(4)))
    counted = sorted(c["complaint"]["complaints_in_30_days"] for c in complaints)
    assert counted == [1, 2, 3, 4]
    assert sorted(c["major"] for c in complaints) == [False, False, True, True]


def test_the_third_complaint_of_one_caller_in_30_days_is_major(stack, agent, estate_id):
    phone = new_phone()
    complaints = [open_ticket(agent, estate_id, "complaint", f"垃圾清运不及时 第{n}次", subcategory="cleanliness",
                              phone=phone) for n in (1, 2, 3)]
    assert [c["major"] for c in complaints] == [False, False, True]
    assert complaints[2]["complaint"]["complaints_in_30_days"] == 3
    flagged = open_ticket(agent, estate_id, "complaint", "服务态度差", phone=new_phone(), major=True)
    urgent = open_ticket(agent, estate_id, "complaint", "投诉", phone=new_phone(), priority="P2")
    assert flagged["major"] and urgent["major"]
    api = admin(stack)
    ids = {c["id"] for c in complaints}

    def archived_opened() -> dict | None:
        found = {e["subject"]: e["data"]["major"] for e in archived(api, estate_id, "intake.ticket.opened")
                 if e["subject"] in ids}
        return found if len(found) == 3 else None

    opened = eventually(archived_opened, what="the three complaints archived")
    assert [opened[c["id"]] for c in complaints] == [False, False, True]


def test_a_complaints_plan_and_feedback_show_on_the_ticket(stack, agent, estate_id):
    ticket = open_ticket(agent, estate_id, "complaint", "楼上装修噪音扰民", subcategory="noise", phone=new_phone())
    order = order_for(estate_id, ticket["id"], stack)
    supervisor = Api(stack, user_id=f"{estate_id}-sup", roles=["supervisor"], estates=[estate_id])
    planned = supervisor.post("dispatch", f"/v1/work-orders/{order['id']}/plan", json={"plan": "今日上门协调施工时间"})
    assert planned.status_code == 200, planned.text
    shown = eventually(lambda: (t := ticket_of(agent, ticket["id"]))["complaint"]["plan"] and t, what="the plan")
    assert shown["complaint"]["plan"]["text"] == "今日上门协调施工时间" and shown["status"] == "in_progress"
    for command, body in [("accept", None), ("arrive", None), ("complete", {
            "work_done": "已与施工方约定 9-18 点施工，已回复投诉人", "labour_minutes": 20,
            "responsible_party": "property"})]:
        assert supervisor.post("dispatch", f"/v1/work-orders/{order['id']}/{command}", json=body).status_code == 200
    resolved = ticket_becomes(agent, ticket["id"], "resolved")
    assert resolved["complaint"]["feedback"]["text"].startswith("已与施工方约定")
    assert resolved["complaint"]["plan"]["text"] == "今日上门协调施工时间"
    assert resolved["follow_up"]["state"] == "due"


def test_a_low_score_reopens_and_three_failed_calls_close(stack, agent, estate_id):
    unhappy = resolved_at_desk(agent, estate_id)
    done = attempt(agent, unhappy["follow_up"]["id"], reached=True, score=2, comment="问题依旧")
    assert (done["state"], done["result"]) == ("completed", "dissatisfied")
    reopened = ticket_of(agent, unhappy["id"])
    assert (reopened["status"], reopened["reopen_count"]) == ("in_progress", 1)
    assert reopened["history"][-1]["action"] == "reopen"
    eventually(lambda: [e for e in archived(admin(stack), estate_id, "intake.ticket.reopened")
                        if e["subject"] == unhappy["id"] and e["data"]["score"] == 2], what="reopened event")

    unreachable = resolved_at_desk(agent, estate_id)
    follow_up_id = unreachable["follow_up"]["id"]
    for n in range(3):
        state = attempt(agent, follow_up_id, reached=False, comment=f"无人接听 {n + 1}")["state"]
    assert state == "unreachable"
    closed = ticket_of(agent, unreachable["id"])
    assert closed["status"] == "closed" and closed["follow_up"]["result"] == "unreachable"
    more = agent.post("intake", f"/v1/follow-ups/{follow_up_id}/attempts", json={"reached": True, "score": 5})
    assert more.status_code == 409
    queue = agent.get("intake", "/v1/follow-ups", params={"estate_id": estate_id, "state": "due"}).json()["items"]
    assert follow_up_id not in [f["id"] for f in queue]


def test_extra_fields_subcategories_and_keyword_rules_of_an_estate(stack):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    settings = {
        "subcategories": {"repair": ["septic_tank"]},
        "fields": [{"name": "visit_date", "kind": "date", "required": True, "categories": ["repair"]},
                   {"name": "floor_kind", "kind": "choice", "options": ["tile", "wood"]},
                   {"name": "people", "kind": "number"}],
        "priority_rules": [{"priority": "P1", "keywords": ["化粪池"]}],
        "follow_up_within_hours": 8,
    }
    assert agent.call("PUT", "intake", f"/v1/estates/{estate_id}/ticket-settings", json=settings).status_code == 403
    saved = supervisor.call("PUT", "intake", f"/v1/estates/{estate_id}/ticket-settings", json=settings)
    assert saved.status_code == 200, saved.text
    assert "septic_tank" in saved.json()["effective_subcategories"]["repair"]
    assert "plumbing" in agent.get("intake", f"/v1/estates/{estate_id}/ticket-settings").json()[
        "effective_subcategories"]["repair"]

    def refused(field: str, **ticket) -> None:
        response = agent.post("intake", "/v1/contacts", json=contact(estate_id, "repair", "化粪池满溢", **ticket))
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field

    refused("ticket.fields.visit_date", subcategory="septic_tank")
    refused("ticket.fields.visit_date", fields={"visit_date": "明天"})
    refused("ticket.fields.floor_kind", fields={"visit_date": "2026-12-01", "floor_kind": "carpet"})
    refused("ticket.fields.people", fields={"visit_date": "2026-12-01", "people": "three"})
    refused("ticket.fields.colour", fields={"visit_date": "2026-12-01", "colour": "red"})
    refused("ticket.subcategory", subcategory="teleporter", fields={"visit_date": "2026-12-01"})
    ticket = open_ticket(agent, estate_id, "repair", "化粪池满溢", subcategory="septic_tank",
                         fields={"visit_date": "2026-12-01", "floor_kind": "tile", "people": 2})
    assert ticket["fields"] == {"visit_date": "2026-12-01", "floor_kind": "tile", "people": 2}
    assert (ticket["proposed_priority"], ticket["priority"]) == ("P1", "P1")  # the estate's keyword
    overridden = open_ticket(agent, estate_id, "repair", "化粪池满溢", priority="P3",
                             fields={"visit_date": "2026-12-01"})
    assert (overridden["proposed_priority"], overridden["priority"]) == ("P1", "P3")  # the agent wins
    elsewhere = setup_estate(stack, engineers=0)
    other = Api(stack, user_id="agent-1", roles=["agent"], estates=[elsewhere])
    assert open_ticket(other, elsewhere, "repair", "化粪池满溢")["proposed_priority"] == "P3"
    patched = agent.call("PATCH", "intake", f"/v1/tickets/{ticket['id']}", json={"fields": {"floor_kind": "wood"}})
    assert patched.status_code == 422 and patched.json()["field"] == "fields.visit_date"
    bad = {**settings, "fields": [{"name": "floor_kind", "kind": "choice"}]}
    assert supervisor.call("PUT", "intake", f"/v1/estates/{estate_id}/ticket-settings", json=bad).status_code == 422


def test_residents_see_and_report_only_for_their_own_units(stack, agent, estate_id):
    resident = Api(stack, user_id="resident-wu", roles=["resident"], estates=[estate_id], unit_ids=["2-201"])
    mine = resident.post("intake", "/v1/tickets", json={"estate_id": estate_id, "unit_id": "2-201", "channel": "wechat",
                                                        "ticket": {"category": "repair", "scope": "in_unit",
                                                                   "description": "卧室插座没电"}})
    assert mine.status_code == 201, mine.text
    assert (mine.json()["channel"], mine.json()["resident_id"]) == ("wechat", "resident-wu")
    other_unit = resident.post("intake", "/v1/tickets", json={
        "estate_id": estate_id, "unit_id": "2-202", "ticket": {"category": "repair", "scope": "in_unit",
                                                               "description": "x"}})
    assert other_unit.status_code == 404
    privileged = resident.post("intake", "/v1/tickets", json={
        "estate_id": estate_id, "unit_id": "2-201",
        "ticket": {"category": "repair", "scope": "in_unit", "description": "x", "priority": "P1"}})
    assert privileged.status_code == 422 and privileged.json()["field"] == "ticket.priority"
    neighbour = open_ticket(agent, estate_id, "repair", "邻居家漏水", unit_id="2-202")
    assert resident.get("intake", f"/v1/tickets/{mine.json()['id']}").status_code == 200
    assert resident.get("intake", f"/v1/tickets/{neighbour['id']}").status_code == 404
    listed = resident.get("intake", "/v1/tickets", params={"estate_id": estate_id}).json()["items"]
    assert {t["unit_id"] for t in listed} == {"2-201"}
    assert resident.get("intake", "/v1/tickets", params={"estate_id": estate_id, "unit_id": "2-202"}).json()[
        "items"] == []
    patched = resident.call("PATCH", "intake", f"/v1/tickets/{mine.json()['id']}", json={"priority": "P1"})
    assert patched.status_code == 403
    assert resident.post("intake", "/v1/contacts", json=contact(estate_id, "repair", "x")).status_code == 403

    # the resident answers their own follow-up in the app; someone else's is not found
    resolved = agent.post("intake", f"/v1/tickets/{mine.json()['id']}/resolve", json={"resolution": "已更换插座"})
    follow_up_id = resolved.json()["follow_up"]["id"]
    neighbours = agent.post("intake", f"/v1/tickets/{neighbour['id']}/resolve", json={"resolution": "已修"}).json()
    assert resident.post("intake", f"/v1/follow-ups/{neighbours['follow_up']['id']}/attempts",
                         json={"score": 5}).status_code == 404
    assert resident.post("intake", f"/v1/follow-ups/{follow_up_id}/attempts",
                         json={"reached": False}).status_code == 403
    answered = attempt(resident, follow_up_id, score=5, comment="师傅很专业")
    assert answered["attempts"][0]["by_resident"] is True
    assert ticket_of(resident, mine.json()["id"])["status"] == "followed_up"


def test_another_estates_tickets_and_follow_ups_are_not_found(stack, agent, estate_id):
    resolved = resolved_at_desk(agent, estate_id)
    outsider = Api(stack, user_id="agent-9", roles=["agent", "supervisor"], estates=[setup_estate(stack, engineers=0)])
    assert outsider.get("intake", f"/v1/tickets/{resolved['id']}").status_code == 404
    assert outsider.post("intake", f"/v1/tickets/{resolved['id']}/reopen", json={"reason": "x"}).status_code == 404
    assert outsider.call("PATCH", "intake", f"/v1/tickets/{resolved['id']}", json={"priority": "P1"}).status_code == 404
    assert outsider.get("intake", f"/v1/follow-ups/{resolved['follow_up']['id']}").status_code == 404
    assert outsider.post("intake", f"/v1/follow-ups/{resolved['follow_up']['id']}/attempts",
                         json={"score": 5}).status_code == 404
    for path in ("/v1/tickets", "/v1/follow-ups"):
        assert outsider.get("intake", path, params={"estate_id": estate_id}).status_code == 404
    assert outsider.get("intake", f"/v1/estates/{estate_id}/ticket-settings").status_code == 404
    assert outsider.call("PUT", "intake", f"/v1/estates/{estate_id}/ticket-settings", json={}).status_code == 404


@pytest.mark.parametrize(("method", "path", "params", "body", "field"), [
    ("GET", "/v1/tickets", {"status": "lost"}, None, "status"),
    ("GET", "/v1/tickets", {"category": "wish"}, None, "category"),
    ("GET", "/v1/tickets", {"priority": "P0"}, None, "priority"),
    ("GET", "/v1/follow-ups", {"state": "later"}, None, "state"),
    ("POST", "/v1/tickets/{ticket}/cancel", {}, {"reason": "x" * 501}, "reason"),
    ("POST", "/v1/tickets/{ticket}/cancel", {}, {}, "reason"),
    ("POST", "/v1/tickets/{ticket}/resolve", {}, {"resolution": "x" * 2001}, "resolution"),
    ("POST", "/v1/follow-ups/{follow_up}/attempts", {}, {"reached": True, "score": 6}, "score"),
    ("POST", "/v1/follow-ups/{follow_up}/attempts", {}, {"reached": True}, "score"),
    ("POST", "/v1/follow-ups/{follow_up}/attempts", {}, {"reached": True, "score": 4, "comment": "x" * 1001},
     "comment"),
])
def test_bad_requests_name_the_field(agent, estate_id, method, path, params, body, field):
    resolved = resolved_at_desk(agent, estate_id)
    path = path.format(ticket=resolved["id"], follow_up=resolved["follow_up"]["id"])
    response = agent.call(method, "intake", path, params={"estate_id": estate_id, **params}, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field == problem.get("field") or field in [e["field"] for e in problem.get("errors") or []]


def dispatch_event(amqp: str, estate_id: str, verb: str, ticket_id: str, **data) -> None:
    envelope = Envelope(source="/estatedesk/dispatch", type=f"estatedesk.dispatch.workorder.{verb}.v1",
                        subject="wo-late", companyid="demo-company", estateid=estate_id, data={
                            "work_order_id": "wo-late", "number": "PG-20261126-9001", "ticket_id": ticket_id,
                            "status": verb, "previous_status": "arrived", "by": "sup-1", **data})
    asyncio.run(publish_raw(amqp, f"dispatch.workorder.{verb}", envelope.model_dump_json().encode()))


def test_work_order_events_in_any_order_leave_the_ticket_right(stack):
    estate_id = setup_estate(stack, engineers=0)  # nobody to take the complaint: dispatch sends no events of its own
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    ticket = open_ticket(agent, estate_id, "complaint", "物业费收取不合理", subcategory="fees", phone=new_phone())
    dispatch_event(stack.amqp, estate_id, "completed", ticket["id"], work_done="已解释收费标准并出示公示文件",
                   labour_minutes=10, responsible_party="property", chargeable=False)
    resolved = ticket_becomes(agent, ticket["id"], "resolved")
    assert resolved["complaint"]["feedback"]["text"] == "已解释收费标准并出示公示文件"
    # late: the assignment, then the plan (one queue, in order: once the plan shows, the assignment was applied)
    dispatch_event(stack.amqp, estate_id, "assigned", ticket["id"], assignee_id="sup-1", assignee_name="主管",
                   department="customer_service", priority="P3", description="x")
    dispatch_event(stack.amqp, estate_id, "plan_recorded", ticket["id"], plan="当日电话解释")
    planned = eventually(lambda: (t := ticket_of(agent, ticket["id"]))["complaint"]["plan"] and t, what="late plan")
    assert planned["complaint"]["plan"]["text"] == "当日电话解释" and planned["status"] == "resolved"
    assert [entry["action"] for entry in planned["history"]] == ["open", "resolve", "complaint_record"]
