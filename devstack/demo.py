"""A small demo estate, loaded through the public APIs: the estate, its staff on duty, a first
repair call that reaches its engineer, and work orders in every state of their life cycle —
one of them left alone so that it breaches its deadline and climbs the escalation ladder."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator

import httpx

from devstack import (
    demo_billing,
    demo_directory,
    demo_incidents,
    demo_ledger,
    demo_notification,
    demo_procedures,
    demo_rosters,
    demo_tickets,
    demo_webhooks,
)
from devstack.stack import Stack

# The demo of each area (directory, tickets, duty…): `load(client, stack, admin)` → lines to print.
# Integrators first: the other areas' events are delivered to the demo's webhook.
DEMO_AREAS: tuple = (demo_webhooks, demo_tickets, demo_incidents, demo_procedures, demo_rosters, demo_ledger,
                     demo_billing, demo_notification)

ESTATE = "demo-estate"
DEMO_ESTATE = {"estate_id": ESTATE, "name": "阳光花园", "time_zone": "Asia/Shanghai"}
DEMO_STAFF = [
    {"staff_id": "eng-wang", "name": "王师傅", "department": "engineering", "skills": ["plumbing", "electrical"]},
    {"staff_id": "eng-li", "name": "李师傅", "department": "engineering", "skills": ["elevator"]},
    {"staff_id": "sec-zhao", "name": "赵队长", "department": "security"},
    {"staff_id": "cs-chen", "name": "陈主管", "department": "customer_service", "position": "supervisor"},
    {"staff_id": "cs-liu", "name": "刘经理", "department": "customer_service", "position": "cs_manager"},
    {"staff_id": "pm-zhou", "name": "周经理", "department": "customer_service", "position": "estate_manager"},
    # The company's duty leader serves every estate: registered without one (a company position).
    {"staff_id": "hq-wu", "name": "吴总", "department": "customer_service", "position": "duty_leader",
     "estate_id": None, "phone": "+8613900000001"},
]
DEMO_CONTACT = {
    "estate_id": ESTATE, "channel": "hotline", "caller_phone": "13812345678", "caller_name": "张三",
    "summary": "住户来电：厨房水管漏水",
    "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "in_unit", "location": "3栋1单元502",
               "description": "厨房水槽下水管漏水"},
}
# A key per version of the call, so that data left by an older demo does not refuse this one.
FIRST_REPAIR_KEY = "demo-first-repair-" + hashlib.sha256(json.dumps(DEMO_CONTACT).encode()).hexdigest()[:8]
# The demo's P4 clock is short on purpose, so that an untouched order breaches within a minute.
DEMO_POLICY = {
    "priorities": {
        "P1": {"accept": 300, "arrive": 900, "complete": 14400},
        "P2": {"accept": 900, "arrive": 1800, "complete": 86400},
        "P3": {"accept": 1800, "arrive": 7200, "complete": 172800},
        "P4": {"accept": 20, "arrive": 40, "complete": 60},
    },
    "ladder_delays_s": [0, 30, 30, 60],
}
# (description, department, the commands its engineer gives) → one order per life-cycle state.
DEMO_ORDERS = [
    ("绿化带修剪（无人值班，待派）", "greening", []),
    ("2栋大堂灯具更换", "engineering", ["accept"]),
    ("5栋电梯年检陪同", "engineering", ["accept", "arrive"]),
    ("地下车库排水泵更换，等配件", "engineering", ["accept", "arrive", ("hold", {"reason": "等水泵配件"})]),
    ("1栋门禁读卡器维修", "engineering", ["accept", "arrive", ("complete", {
        "work_done": "更换读卡器", "labour_minutes": 45, "responsible_party": "property",
        "materials": [{"item": "读卡器", "quantity": "1", "unit_price": "180.00"}]})]),
    ("重复报修，已合并", "engineering", [("cancel", {"reason": "与PG重复"})]),
]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _created_or_exists(response: httpx.Response) -> None:
    if response.status_code not in (200, 201, 409):
        response.raise_for_status()


def _setup(client: httpx.Client, stack: Stack, admin: dict) -> None:
    _created_or_exists(client.post(f"{stack.url('intake')}/v1/estates", json=DEMO_ESTATE, headers=admin))
    stack.wait_for_estate(ESTATE)
    for staff in DEMO_STAFF:
        _created_or_exists(client.post(f"{stack.url('dispatch')}/v1/staff", headers=admin,
                                       json={"estate_id": ESTATE, "on_duty": True, **staff}))
    client.put(f"{stack.url('dispatch')}/v1/estates/{ESTATE}/sla-policy", json=DEMO_POLICY,
               headers=admin).raise_for_status()


def _orders_in_every_state(client: httpx.Client, stack: Stack, admin: dict) -> list[dict]:
    base = f"{stack.url('dispatch')}/v1/work-orders"
    orders = []
    for n, (description, department, commands) in enumerate(DEMO_ORDERS):
        order = client.post(base, headers={**admin, "Idempotency-Key": f"demo-order-{n}"}, json={
            "estate_id": ESTATE, "kind": "repair", "department": department, "priority": "P3",
            "description": description}).raise_for_status().json()
        engineer = auth(stack.token(user_id=order["assignee_id"] or "nobody", roles=["technician"]))
        for step in commands:
            name, body = step if isinstance(step, tuple) else (step, None)
            headers = admin if name == "cancel" else engineer
            response = client.post(f"{base}/{order['id']}/{name}", json=body, headers=headers)
            if response.status_code != 409:  # a second `make run` finds them moved already
                response.raise_for_status()
        # Read back: on a second run the replayed creation answers with the order as it was first made.
        orders.append(client.get(f"{base}/{order['id']}", headers=admin).raise_for_status().json())
    untouched = client.post(base, headers={**admin, "Idempotency-Key": "demo-order-breach"}, json={
        "estate_id": ESTATE, "kind": "inspection", "department": "engineering", "priority": "P4",
        "description": "消防栓月度巡检（无人接单，将超时并逐级上报）"}).raise_for_status().json()
    return [*orders, untouched]


def all_items(client: httpx.Client, url: str, headers: dict, params: dict) -> Iterator[dict]:
    """Every item of a paginated list, page by page (newest first)."""
    cursor = None
    while True:
        page = client.get(url, headers=headers, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        if page.status_code == 404:  # no such estate (yet)
            return
        body = page.raise_for_status().json()
        yield from body["items"]
        if not (cursor := body["next_cursor"]):
            return


def count_all(url: str, token: str) -> int:
    """How many items the demo estate has at a list URL, e.g. its tickets."""
    with httpx.Client(timeout=10) as client:
        return sum(1 for _ in all_items(client, url, auth(token), {"estate_id": ESTATE}))


def message_to_assignee(client: httpx.Client, stack: Stack, admin: dict, ticket_id: str,
                        estate: str = ESTATE) -> dict | None:
    """The message the engineer got for the ticket's work order, however many came after it
    (a second `make run` finds pages of newer messages: escalations, incidents, other orders)."""
    orders = client.get(f"{stack.url('dispatch')}/v1/work-orders", headers=admin,
                        params={"estate_id": estate, "ticket_id": ticket_id}).raise_for_status().json()["items"]
    assigned = [o for o in orders if o["assignee_id"]]
    if not assigned:
        return None
    order = assigned[-1]  # the first order of the ticket (newest first)
    messages = all_items(client, f"{stack.url('notification')}/v1/messages", admin,
                         {"estate_id": estate, "recipient_id": order["assignee_id"]})
    return next((m for m in messages if order["number"] in m["body"]), None)


def load_demo(stack: Stack) -> dict:
    """Load the demo, and wait until the first repair reaches its assignee."""
    admin = auth(stack.token(user_id="admin-1", roles=["company_admin"], estates="*"))
    with httpx.Client(timeout=10) as client:
        _setup(client, stack, admin)
        # The directory first, so that 张三's call is recognised (resident and unit) by his phone.
        directory = demo_directory.load(client, stack, admin)
        contact = client.post(f"{stack.url('intake')}/v1/contacts", json=DEMO_CONTACT,
                              headers={**admin, "Idempotency-Key": FIRST_REPAIR_KEY}).raise_for_status().json()
        orders = _orders_in_every_state(client, stack, admin)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if message := message_to_assignee(client, stack, admin, contact["ticket"]["id"]):
                areas = {"directory": directory}
                areas |= {area.__name__.rsplit("_", 1)[-1]: area.load(client, stack, admin) for area in DEMO_AREAS}
                areas["webhooks"] += demo_webhooks.summary(client, stack)
                return {"contact": contact, "message": message, "orders": orders, "areas": areas}
            time.sleep(0.2)
    raise TimeoutError("the demo repair did not reach its assignee within 30 s")
