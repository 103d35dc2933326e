"""The dashboards as a person uses them, in Debian's chromium: every page loads with nothing from
outside, the numbers on screen are the API's, a new event changes the screen without a reload, and
the English switch works. Screenshots are kept in tests/artefacts/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.e2e import dashboard_events as events
from tests.e2e.browser import RENDER_TIMEOUT_MS, browser, offline  # noqa: F401 (fixtures)
from tests.helpers import Api, eventually, setup_estate

ARTEFACTS = Path(__file__).resolve().parents[2] / "tests" / "artefacts"
FIGURES = ("calls_today", "answer_rate", "open_tickets", "open_p1", "breaches_today", "collection_rate")


def shown(name: str, value) -> str:
    """A figure as the page writes it: rates in per cent with one decimal, not recorded as —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if name.endswith("_rate") else str(value)


def on_screen(page, estate_id: str) -> dict[str, str]:
    tile = page.locator(f"article.tile[data-estate='{estate_id}']")
    return {name: tile.locator(f"[data-figure='{name}'] dd").inner_text() for name in FIGURES}


def from_api(tile: dict) -> dict[str, str]:
    return {name: shown(name, tile[name]) for name in FIGURES}


def busy_estate(stack) -> str:
    estate_id = setup_estate(stack, engineers=0)
    t0, order = events.now() - timedelta(minutes=20), events.work_order_id()
    events.publish(stack, [
        events.created(estate_id, order, t0, priority="P1"), events.accepted(estate_id, order, t0 + timedelta(minutes=2)),
        events.sla(estate_id, order, t0 + timedelta(minutes=8), milestone="arrive", breached=False),
        *(events.created(estate_id, events.work_order_id(), t0 + timedelta(minutes=n)) for n in range(3)),
        events.consultation(estate_id, t0, priority="P1"), events.consultation(estate_id, t0),
        *(events.call(estate_id, t0, answered_within_15s=n % 4 != 0) for n in range(8)),
    ])
    return estate_id


def test_every_page_shows_the_apis_numbers_moves_live_and_speaks_english(stack, offline):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    estate_id = busy_estate(stack)
    token = stack.token(user_id="ops-1", roles=["ops_viewer"], estates="*")
    api, base, page = Api(stack, user_id="ops-1", roles=["ops_viewer"], estates="*"), stack.url("reporting"), offline.page
    board = eventually(lambda: (b := api.get("reporting", f"/v1/dashboards/estates/{estate_id}").json())
                       ["calls_today"] == 8 and len(b["open_work_orders"]) == 4 and b, what="the board")

    # The overview: a person pastes a token into the form; it stays in this tab only.
    page.goto(f"{base}/dashboard")
    page.locator("#token").fill(token)
    page.locator("#token-form button").click()
    page.locator(f"article.tile[data-estate='{estate_id}']").wait_for(timeout=RENDER_TIMEOUT_MS)
    tiles = {t["estate_id"]: t for t in api.get("reporting", "/v1/dashboards/overview").json()["estates"]}
    assert on_screen(page, estate_id) == from_api(tiles[estate_id])
    assert page.locator(f"article.tile[data-estate='{estate_id}']").get_attribute("data-level") == tiles[estate_id]["level"]
    assert page.locator("article.tile").count() == len(tiles)
    assert page.evaluate("sessionStorage.getItem('estatedesk.dashboard.token')") == token
    page.screenshot(path=str(ARTEFACTS / "dashboard-overview.png"), full_page=True)

    # The estate view: tile, queue, lists, timeline and the five charts.
    page.locator(f"article.tile[data-estate='{estate_id}'] h3 a").click()
    page.locator("#queue tbody tr").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("document.querySelectorAll('.chart canvas').length >= 5", timeout=RENDER_TIMEOUT_MS)
    assert on_screen(page, estate_id) == from_api(board)
    rows = page.locator("#queue tbody tr")
    assert [rows.nth(i).get_attribute("data-work-order") for i in range(rows.count())] == [
        o["work_order_id"] for o in board["open_work_orders"]]
    assert [li.get_attribute("data-work-order") for li in page.locator("#about-to-breach li").all()] == [
        o["work_order_id"] for o in board["about_to_breach"]]
    assert page.locator("#timeline li").count() == len(board["timeline"])
    assert page.locator("#queue thead th").first.inner_text() == "工单号"
    page.screenshot(path=str(ARTEFACTS / "dashboard-estate.png"), full_page=True)

    # Live: a call logged now shows without a reload.
    page.evaluate("window.notReloaded = true")
    events.publish(stack, [events.call(estate_id, events.now(), answered_within_15s=True)])
    calls = f"article.tile[data-estate='{estate_id}'] [data-figure='calls_today'] dd"
    page.wait_for_function("(selector) => document.querySelector(selector)?.textContent === '9'", arg=calls,
                           timeout=RENDER_TIMEOUT_MS)
    assert page.evaluate("window.notReloaded") is True
    assert on_screen(page, estate_id) == from_api(api.get("reporting", f"/v1/dashboards/estates/{estate_id}").json())

    # English, and back; the choice is kept for the next page.
    page.locator("#lang").click()
    assert page.locator("#queue thead th").first.inner_text() == "Number"
    assert page.locator("[data-figure='calls_today'] dt").inner_text() == "Calls today"
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(ARTEFACTS / "dashboard-estate-en.png"), full_page=True)

    # Reports: the export buttons fetch the other endpoints with the token.
    page.goto(f"{base}/dashboard/reports")
    page.locator(f"#report-estate option[value='{estate_id}']").wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
    assert page.locator("h1").inner_text() == "Reports"
    page.locator("#report-estate").select_option(estate_id)
    with page.expect_response(lambda r: "/v1/reports/service-centre-daily" in r.url and "format=csv" in r.url) as answer:
        page.locator("button.export[data-format='csv']").click()
    assert answer.value.status == 200 and f"estate_id={estate_id}" in answer.value.url
    page.locator("#export-status", has_text="Exported").wait_for(timeout=RENDER_TIMEOUT_MS)
    page.locator("#lang").click()
    assert page.locator("h1").inner_text() == "报表"
    page.screenshot(path=str(ARTEFACTS / "dashboard-reports.png"), full_page=True)

    assert offline.outside == [], offline.outside
    assert offline.errors == [], offline.errors
    assert any(url.endswith("/dashboard/static/vendor/echarts.min.js") for url in offline.local)
    assert not any(token in url for url in offline.local)  # the token went in headers, never in an address


def test_a_refused_token_asks_again(stack, offline):
    offline.page.goto(f"{stack.url('reporting')}/dashboard#token=not-a-token")
    offline.page.locator("#sign-in-error").wait_for(timeout=RENDER_TIMEOUT_MS)
    assert offline.page.evaluate("sessionStorage.getItem('estatedesk.dashboard.token')") is None
    assert offline.page.locator("#main").is_hidden()
    assert "#token" not in offline.page.url
