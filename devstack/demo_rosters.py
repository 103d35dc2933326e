"""Demo duty roster: 阳光花园's customer-service centre gets six agents on three eight-hour shifts
(早班, 中班, 夜班) for the current month, generated, published, and asked who is on duty now."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from devstack.stack import Stack
from shared import clock

ESTATE = "demo-estate"
DEPARTMENT = "customer_service"
AGENTS = [("cs-agent-1", "小林"), ("cs-agent-2", "小杨"), ("cs-agent-3", "小黄"), ("cs-agent-4", "小何"),
          ("cs-agent-5", "小郭"), ("cs-agent-6", "小马")]


def _ok(response: httpx.Response) -> httpx.Response:
    if response.status_code not in (200, 201, 409):  # 409: a second run finds it done already
        response.raise_for_status()
    return response


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    dispatch = stack.url("dispatch")
    base = f"{dispatch}/v1/estates/{ESTATE}"
    stack.wait_for_estate(ESTATE)  # loaded on its own too, right after the estate is registered
    for staff_id, name in AGENTS:
        _ok(client.post(f"{dispatch}/v1/staff", headers=admin, json={
            "estate_id": ESTATE, "staff_id": staff_id, "name": name, "department": DEPARTMENT}))
    month = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    _ok(client.post(f"{base}/rosters", headers=admin, timeout=40, json={
        "department": DEPARTMENT, "month": month, "staff_ids": [s for s, _ in AGENTS],
        "shifts": ["early", "middle", "night"]}))
    _ok(client.post(f"{base}/rosters/{DEPARTMENT}/{month}/publish", headers=admin))
    last_day = (clock.now().astimezone(ZoneInfo("Asia/Shanghai")).replace(day=28) + timedelta(days=4)).replace(day=1) \
        - timedelta(days=1)
    _ok(client.post(f"{base}/roster-changes", headers={**admin, "Idempotency-Key": f"demo-leave-{month}"}, json={
        "kind": "leave", "department": DEPARTMENT, "staff_id": AGENTS[5][0], "day": last_day.date().isoformat(),
        "to_day": last_day.date().isoformat(),
        "reason": "事假（待主管审批）"}))
    on_duty = client.get(f"{base}/on-duty", params={"department": DEPARTMENT}, headers=admin).raise_for_status().json()
    rostered = [f"{s['name']} ({s['duty_shift']['name']})" for s in on_duty["staff"] if s["duty_shift"]]
    chief = on_duty["chief_duty_officer"]
    return [
        f"Duty roster {month} of 阳光花园 customer service: {base}/rosters/{DEPARTMENT}/{month}",
        f"On duty now: {', '.join(rostered) or 'nobody rostered'}; chief duty officer: "
        f"{chief['name'] if chief else '—'} — {base}/on-duty",
        f"Leave of {AGENTS[5][1]} on {last_day.date():%Y-%m-%d} waiting for approval: {base}/roster-changes",
        f"Attendance sheet: {base}/attendance/sheet?month={month}&format=xlsx",
    ]
