"""A small demo estate: the estate, its staff on duty, and a first repair call."""

from __future__ import annotations

import time

import httpx

from devstack.stack import Stack

DEMO_ESTATE = {"estate_id": "demo-estate", "name": "阳光花园", "time_zone": "Asia/Shanghai"}
DEMO_STAFF = [
    {"staff_id": "eng-wang", "name": "王师傅", "department": "engineering", "skills": ["plumbing", "electrical"], "on_duty": True},
    {"staff_id": "eng-li", "name": "李师傅", "department": "engineering", "skills": ["elevator"], "on_duty": True},
    {"staff_id": "sec-zhao", "name": "赵队长", "department": "security", "skills": [], "on_duty": True},
    {"staff_id": "cs-chen", "name": "陈主管", "department": "customer_service", "skills": ["complaints"], "on_duty": True},
]
DEMO_CONTACT = {
    "estate_id": "demo-estate", "channel": "hotline", "caller_phone": "13812345678", "caller_name": "张三",
    "unit_id": "3-1-502", "summary": "住户来电：厨房水管漏水",
    "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "in_unit", "location": "3栋1单元502",
               "description": "厨房水槽下水管漏水"},
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def load_demo(stack: Stack) -> dict:
    """Load the demo estate through the public APIs, and wait until the first repair reaches its assignee."""
    admin = stack.token(user_id="admin-1", roles=["company_admin"], estates="*")
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{stack.url('intake')}/v1/estates", json=DEMO_ESTATE, headers=auth(admin))
        if response.status_code not in (201, 409):
            response.raise_for_status()
        for staff in DEMO_STAFF:
            response = client.post(
                f"{stack.url('dispatch')}/v1/staff", json={"estate_id": "demo-estate", **staff},
                headers={**auth(admin), "Idempotency-Key": f"demo-staff-{staff['staff_id']}"},
            )
            if response.status_code not in (201, 409):
                response.raise_for_status()
        contact = client.post(
            f"{stack.url('intake')}/v1/contacts", json=DEMO_CONTACT, headers={**auth(admin), "Idempotency-Key": "demo-first-repair"}
        ).raise_for_status().json()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            messages = client.get(
                f"{stack.url('notification')}/v1/messages", params={"estate_id": "demo-estate"}, headers=auth(admin)
            ).json()["items"]
            if messages:
                return {"contact": contact, "messages": messages}
            time.sleep(0.2)
    raise TimeoutError("the demo repair did not reach its assignee within 30 s")
