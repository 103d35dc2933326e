"""Test helpers: bounded polling, API clients with tokens, fresh estates."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from ulid import ULID

from devstack.stack import Stack
from shared.envelope import Envelope
from shared.events import parts_of

T = TypeVar("T")


def eventually(
    probe: Callable[[], T | None], *, timeout: float = 20.0, interval: float = 0.1, what: str | Callable[[], str] = "it"
) -> T:
    """Poll `probe` until it returns something truthy, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    description = what() if callable(what) else what
    raise AssertionError(f"{description} did not happen within {timeout} s (last: {last!r})")


def new_estate_id() -> str:
    return f"estate-{str(ULID()).lower()[-12:]}"


class Api:
    """An HTTP client for one caller across the services of a stack (or of one service run in-process,
    `tests.integration.in_process`)."""

    def __init__(self, stack: Stack, **claims: Any) -> None:
        self.stack = stack
        self.headers = {"Authorization": f"Bearer {stack.token(**claims)}"}
        self.client = stack.http_client()

    def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, f"{self.stack.url(service)}{path}", headers=headers, **kwargs)

    def get(self, service: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", service, path, **kwargs)

    def post(self, service: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("POST", service, path, **kwargs)


def admin(stack: Stack) -> Api:
    return Api(stack, user_id="admin-1", roles=["company_admin"], estates="*")


def setup_estate(stack: Stack, *, engineers: int = 1, time_zone: str = "Asia/Shanghai") -> str:
    """A new estate with engineers on duty, registered through the public APIs."""
    estate_id = new_estate_id()
    api = admin(stack)
    response = api.post("intake", "/v1/estates", json={"estate_id": estate_id, "name": f"测试小区 {estate_id}",
                                                       "time_zone": time_zone})
    assert response.status_code == 201, response.text
    stack.wait_for_estate(estate_id)
    for n in range(engineers):
        staff = {"estate_id": estate_id, "staff_id": f"{estate_id}-eng-{n}", "name": f"工程师{n}",
                 "department": "engineering", "on_duty": True}
        response = api.post("dispatch", "/v1/staff", json=staff)
        assert response.status_code == 201, response.text
    return estate_id


def repair_contact(estate_id: str, description: str = "卫生间漏水") -> dict[str, Any]:
    return {
        "estate_id": estate_id, "channel": "hotline", "caller_phone": "13900001111", "caller_name": "李四",
        "summary": f"来电报修：{description}",
        "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "in_unit", "description": description},
    }


def all_pages(api: Api, service: str, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list."""
    items, cursor = [], None
    while True:
        page = api.get(service, path, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items


def work_orders_by_ticket(api: Api, estate_id: str) -> dict[str, int]:
    """How many work orders each ticket of the estate has."""
    counts: dict[str, int] = {}
    for work_order in all_pages(api, "dispatch", "/v1/work-orders", {"estate_id": estate_id}):
        counts[work_order["ticket_id"]] = counts.get(work_order["ticket_id"], 0) + 1
    return counts


def add_staff(stack: Stack, estate_id: str, staff_id: str, *, department: str = "engineering",
              position: str = "staff", on_duty: bool = True, name: str | None = None) -> None:
    body = {"estate_id": estate_id, "staff_id": staff_id, "name": name or staff_id, "department": department,
            "position": position, "on_duty": on_duty}
    response = admin(stack).post("dispatch", "/v1/staff", json=body)
    assert response.status_code == 201, response.text


def archived(api: Api, estate_id: str, event_name: str) -> list[dict[str, Any]]:
    """Events of one type in reporting's archive, e.g. `dispatch.sla.warning` (of one service run in-process:
    those in its outbox)."""
    event_type = f"estatedesk.{event_name}.v1"
    if hasattr(api.stack, "events_of"):
        return api.stack.events_of(estate_id, event_type)
    return [e for e in archived_events(api, estate_id) if e["type"] == event_type]


def archived_events(api: Api, estate_id: str) -> list[dict[str, Any]]:
    """Every event in reporting's archive for an estate, a carrier (`billing.bills.issued`) as its events."""
    events = []
    for item in all_pages(api, "reporting", "/v1/events", {"estate_id": estate_id}):
        came = Envelope(id=item["id"], source="/archive", type=item["type"], subject=item["subject"],
                        time=item["time"], companyid="", estateid=item["estate_id"], data=item["data"])
        events += [{**item, "id": part.id, "type": part.type, "subject": part.subject, "data": part.data}
                   for part in parts_of(came)]
    return events


# Reporting announces every estate's daily report to its estate manager and supervisors (the tests' stack
# reports at 00:00 estate time, so at any hour): tests about other staff messages leave this one out.
DAILY_REPORT = "report.daily_ready"
