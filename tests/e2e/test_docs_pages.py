"""The documentation pages of every service render in a real headless browser with nothing from
outside: Swagger UI (`/docs`) and the AsyncAPI page (`/docs/asyncapi`).

Debian's `chromium` is driven by Playwright (no browser of Playwright's own). Every request the
page makes is routed through the test: one to anything but this machine is recorded and refused,
so a page that still needs a CDN shows both as a blank page and as a recorded request.
"""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import SERVICES
from tests.e2e.browser import RENDER_TIMEOUT_MS, browser, offline  # noqa: F401 (fixtures)


@pytest.mark.parametrize("service", SERVICES)
def test_swagger_ui_renders_every_operation_offline(stack, offline, service):
    base = stack.url(service)
    paths = httpx.get(f"{base}/openapi.json").json()["paths"]
    operations = sum(1 for methods in paths.values() for m in methods if m in {"get", "post", "put", "patch", "delete"})
    first_path = next(iter(paths))
    offline.page.goto(f"{base}/docs")
    summary = offline.page.locator(f".opblock-summary-path[data-path='{first_path}']").first
    summary.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    assert offline.page.locator(".opblock").count() == operations
    assert first_path in summary.inner_text()
    assert offline.outside == [], offline.outside
    assert f"{base}/docs/assets/swagger-ui-bundle.js" in offline.local
    assert offline.errors == []


def test_no_page_of_a_cdn_is_left(stack):
    # FastAPI's own /redoc loads ReDoc (and its logo) from a CDN: it is not served.
    assert httpx.get(f"{stack.url('intake')}/redoc").status_code == 404


@pytest.mark.parametrize("service", SERVICES)
def test_the_asyncapi_page_renders_every_channel_and_its_payload_offline(stack, offline, service):
    base = stack.url(service)
    document = httpx.get(f"{base}/v1/asyncapi.json").json()
    offline.page.goto(f"{base}/docs/asyncapi")
    opened = offline.page.locator("section.channel[data-name='intake.ticket.opened']")
    opened.locator("h2", has_text="intake.ticket.opened").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    assert offline.page.locator("section.channel").count() == len(document["channels"])
    # The payload: the envelope's fields, and the event's own data (TicketOpened) inside `data`.
    fields = set(opened.locator("td.name .field").all_inner_texts())
    assert {"estateid", "data", "number", "priority", "promised_reply_at"} <= fields
    assert "intake publishes intake.ticket.opened" in opened.inner_text()
    assert "estatedesk.events" in opened.inner_text()
    # The filter narrows the list to matching channels.
    offline.page.fill("#filter", "workorder.assigned")
    visible = offline.page.locator("section.channel:visible h2").all_inner_texts()
    assert visible == ["dispatch.workorder.assigned"]
    assert offline.outside == [], offline.outside
    assert offline.errors == []
