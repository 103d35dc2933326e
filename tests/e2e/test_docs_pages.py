"""The documentation pages of every service render in a real headless browser with nothing from
outside: Swagger UI (`/docs`) and the AsyncAPI page (`/docs/asyncapi`).

Debian's `chromium` is driven by Playwright (no browser of Playwright's own). Every request the
page makes is routed through the test: one to anything but this machine is recorded and refused,
so a page that still needs a CDN shows both as a blank page and as a recorded request.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import sync_playwright

from devstack.stack import SERVICES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
RENDER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make deps` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class OfflinePage:
    """A fresh page whose requests off this machine are recorded and refused."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context()
        self.outside: list[str] = []
        self.local: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route) -> None:
        url = route.request.url
        scheme, host = urlsplit(url).scheme, urlsplit(url).hostname or ""
        if scheme in ("data", "blob") or host in LOCAL_HOSTS:
            self.local.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser) -> Iterator[OfflinePage]:
    page = OfflinePage(browser)
    yield page
    page.close()


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
