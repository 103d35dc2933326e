"""Demo tickets for 阳光花园: one in every state of the life cycle, a consultation resolved at first
contact, a complaint with its plan, and a follow-up queue with calls due. Loaded through the
public APIs; a second run finds everything in place (replayed Idempotency-Keys, tolerated 409s)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from devstack.stack import Stack

ESTATE = "demo-estate"
SETTINGS = {
    "subcategories": {"repair": ["septic_tank", "water_pump"]},
    "fields": [{"name": "visit_time", "kind": "choice", "options": ["morning", "afternoon", "evening"]}],
    "priority_rules": [{"priority": "P1", "keywords": ["化粪池满溢", "sewage overflow"]}],
    "follow_up_within_hours": 24,
}
# name → (contact, the steps that put its ticket in the state the demo shows)
TICKETS: dict[str, dict[str, Any]] = {
    "open": {"channel": "app", "unit_id": "1-1-101", "summary": "建议小区增加儿童游乐设施",
             "ticket": {"category": "suggestion", "subcategory": "facilities", "scope": "public_area",
                        "description": "建议在中心花园增加儿童游乐设施"}},
    "in_progress": {"channel": "hotline", "caller_phone": "13800000001", "unit_id": "2-1-301",
                    "summary": "卫生间天花板漏水",
                    "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "in_unit",
                               "location": "2栋1单元301", "description": "卫生间天花板漏水，疑似楼上管道",
                               "fields": {"visit_time": "afternoon"}}},
    "resolved": {"channel": "hotline", "caller_phone": "13800000002", "unit_id": "3-2-502",
                 "summary": "客厅插座没电",
                 "ticket": {"category": "repair", "subcategory": "electrical", "scope": "in_unit",
                            "location": "3栋2单元502", "description": "客厅插座没电，其他房间正常"}},
    "followed_up": {"channel": "walk_in", "caller_phone": "13800000003", "unit_id": "5-1-1201",
                    "summary": "老人忘带钥匙",
                    "ticket": {"category": "help", "subcategory": "locked_out", "scope": "in_unit",
                               "description": "老人忘带钥匙被锁门外，需要联系家属"}},
    "closed": {"channel": "hotline", "caller_phone": "13800000004", "unit_id": "6-2-802",
               "summary": "楼上装修噪音",
               "ticket": {"category": "complaint", "subcategory": "noise", "scope": "in_unit",
                          "description": "楼上中午装修噪音扰民"}},
    "cancelled": {"channel": "hotline", "caller_phone": "13800000005", "summary": "重复报修：楼道灯不亮",
                  "ticket": {"category": "repair", "subcategory": "public_facilities", "scope": "public_area",
                             "location": "7栋2楼楼道", "description": "7栋2楼楼道灯不亮（已有人报修）"}},
    "first_contact": {"channel": "hotline", "caller_phone": "13800000006", "summary": "咨询物业费缴纳方式",
                      "ticket": {"category": "consultation", "subcategory": "fees", "scope": "in_unit",
                                 "description": "物业费可以怎么交？",
                                 "resolution": "已告知可在App、微信或服务中心前台缴纳"}},
    "due": {"channel": "hotline", "caller_phone": "13800000007", "unit_id": "8-1-601", "summary": "门禁卡失灵",
            "ticket": {"category": "repair", "subcategory": "doors_access", "scope": "public_area",
                       "location": "8栋1单元大门", "description": "门禁刷卡没反应"}},
}
DESK_STEPS: dict[str, list[tuple[str, dict]]] = {
    "followed_up": [("resolve", {"resolution": "已联系家属送来钥匙"})],
    "closed": [("resolve", {"resolution": "已与施工方约定施工时间"})],
    "cancelled": [("cancel", {"reason": "与上一张工单重复"})],
    "due": [("resolve", {"resolution": "更换门禁读卡模块"})],
}


def _ok(response: httpx.Response) -> dict | None:
    """The body of a success; None for a 409 (a second run finds the ticket moved already)."""
    if response.status_code == 409:
        return None
    return response.raise_for_status().json()


def _wait_for(probe, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.2)
    return None


def _complete_by_dispatch(client: httpx.Client, stack: Stack, ticket: dict) -> None:
    """The engineer the order went to accepts, arrives and completes it; the ticket becomes resolved."""
    base = f"{stack.url('dispatch')}/v1/work-orders"
    admin = {"Authorization": f"Bearer {stack.token(user_id='admin-1', roles=['company_admin'], estates='*')}"}
    orders = _wait_for(lambda: client.get(base, params={"estate_id": ESTATE, "ticket_id": ticket["id"]},
                                          headers=admin).json()["items"])
    if not orders or not orders[0]["assignee_id"]:
        return
    order = orders[0]
    engineer = {"Authorization": f"Bearer {stack.token(user_id=order['assignee_id'], roles=['technician'])}"}
    for command, body in [("accept", None), ("arrive", None), ("complete", {
            "work_done": "更换插座及线路接头", "labour_minutes": 40, "responsible_party": "property"})]:
        _ok(client.post(f"{base}/{order['id']}/{command}", json=body, headers=engineer))


def _ticket(client: httpx.Client, stack: Stack, headers: dict, ticket_id: str) -> dict:
    return client.get(f"{stack.url('intake')}/v1/tickets/{ticket_id}", headers=headers).raise_for_status().json()


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    intake = stack.url("intake")
    agent = {"Authorization": f"Bearer {stack.token(user_id='agent-demo', roles=['agent', 'supervisor'])}"}
    client.put(f"{intake}/v1/estates/{ESTATE}/ticket-settings", json=SETTINGS, headers=admin).raise_for_status()
    tickets = {}
    for name, body in TICKETS.items():
        logged = client.post(f"{intake}/v1/contacts", json={"estate_id": ESTATE, **body},
                             headers={**agent, "Idempotency-Key": f"demo-ticket-{name}"}).raise_for_status().json()
        tickets[name] = logged["ticket"]
    for name, steps in DESK_STEPS.items():
        for command, body in steps:
            _ok(client.post(f"{intake}/v1/tickets/{tickets[name]['id']}/{command}", json=body, headers=agent))
    _complete_by_dispatch(client, stack, tickets["resolved"])
    _wait_for(lambda: _ticket(client, stack, agent, tickets["resolved"]["id"])["status"] == "resolved")
    _wait_for(lambda: _ticket(client, stack, agent, tickets["in_progress"]["id"])["status"] == "in_progress")
    for name, attempt in [("followed_up", {"reached": True, "score": 5, "comment": "很及时，谢谢"}),
                          ("closed", {"reached": True, "score": 4, "comment": "已改善"})]:
        follow_up = _ticket(client, stack, agent, tickets[name]["id"])["follow_up"]
        _ok(client.post(f"{intake}/v1/follow-ups/{follow_up['id']}/attempts", json=attempt, headers=agent))
    _ok(client.post(f"{intake}/v1/tickets/{tickets['closed']['id']}/close", json={}, headers=agent))
    due = client.get(f"{intake}/v1/follow-ups", params={"estate_id": ESTATE, "state": "due"}, headers=agent).json()
    lines = []
    for ticket in tickets.values():
        now = _ticket(client, stack, agent, ticket["id"])
        first_contact = "  (resolved at first contact)" if now["first_contact_resolution"] else ""
        lines.append(f"{now['number']}  {now['status']:<12} {now['description']}{first_contact}")
    return [
        *lines,
        f"{intake}/v1/tickets?estate_id={ESTATE}  (filters: status, category, priority, unit_id, number)",
        f"{len(due['items'])} follow-ups due: {intake}/v1/follow-ups?estate_id={ESTATE}&state=due",
        f"settings: {intake}/v1/estates/{ESTATE}/ticket-settings  (化粪池满溢 is P1 in this estate)",
    ]
