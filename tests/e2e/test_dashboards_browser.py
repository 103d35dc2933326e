"""The dashboards as a person uses them, in Debian's chromium: every page loads with nothing from
outside, the numbers on screen are the API's, a new event changes the screen without a reload, and
the English switch works. Screenshots are kept in tests/artefacts/."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from shared import clock
from shared.estates import local_day
from tests.e2e import dashboard_events as events
from tests.e2e.browser import RENDER_TIMEOUT_MS, browser, offline  # noqa: F401 (fixtures)
from tests.e2e.reporting_days import month_before_day, month_of, service_centre_day
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


# What each ECharts chart of the estate view draws, read from the chart itself: its days and each
# series' values (ECharts keeps a missing value as null or "-").
CHARTS_ON_SCREEN = """() => Object.fromEntries([...document.querySelectorAll('.chart')].map((el) => {
  const option = echarts.getInstanceByDom(el).getOption();
  return [el.id, {days: option.xAxis[0].data,
                  series: option.series.map((s) => s.data.map((v) => (v == null || v === '-' ? null : Number(v))))}];
}))"""


def charts_from_api(charts: dict) -> dict[str, dict]:
    """The charts the page should draw from the API's series: rates in per cent, days as MM-DD."""
    def percent(values: list) -> list:
        return [None if v is None else v * 100 for v in values]

    series = {"chart-calls": [charts["calls"]], "chart-tickets": list(charts["tickets_by_category"].values()),
              "chart-on-time": [percent(charts["on_time_rate"])], "chart-satisfaction": [charts["satisfaction"]],
              "chart-collection": [percent(charts["collection_rate"])]}
    return {chart: {"days": [day[5:] for day in charts["days"]], "series": values} for chart, values in series.items()}


def same_charts(drawn, wanted) -> bool:
    """Equal, a per cent drawn with one decimal (the page rounds it) within half of its last place."""
    if isinstance(wanted, dict):
        return isinstance(drawn, dict) and drawn.keys() == wanted.keys() and all(
            same_charts(drawn[k], wanted[k]) for k in wanted)
    if isinstance(wanted, list):
        return isinstance(drawn, list) and len(drawn) == len(wanted) and all(map(same_charts, drawn, wanted))
    if isinstance(wanted, float) and isinstance(drawn, int | float):
        return abs(drawn - wanted) <= 0.05 + 1e-9
    return drawn == wanted


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
    charts = api.get("reporting", f"/v1/dashboards/estates/{estate_id}/charts").json()
    drawn = page.evaluate(CHARTS_ON_SCREEN)
    assert same_charts(drawn, charts_from_api(charts)), (drawn, charts)
    assert drawn["chart-calls"]["series"][0][-1] == 8 and len(drawn["chart-tickets"]["series"]) >= 1
    page.screenshot(path=str(ARTEFACTS / "dashboard-estate.png"), full_page=True)

    # Live: a call logged now shows without a reload.
    page.evaluate("window.notReloaded = true")
    events.publish(stack, [events.call(estate_id, events.now(), answered_within_15s=True)])
    calls = f"article.tile[data-estate='{estate_id}'] [data-figure='calls_today'] dd"
    page.wait_for_function("(selector) => document.querySelector(selector)?.textContent === '9'", arg=calls,
                           timeout=RENDER_TIMEOUT_MS)
    assert page.evaluate("window.notReloaded") is True
    assert on_screen(page, estate_id) == from_api(api.get("reporting", f"/v1/dashboards/estates/{estate_id}").json())
    # The charts are drawn again from the new series, too.
    page.wait_for_function(f"() => ({CHARTS_ON_SCREEN})()['chart-calls'].series[0].at(-1) === 9",
                           timeout=RENDER_TIMEOUT_MS)
    charts = api.get("reporting", f"/v1/dashboards/estates/{estate_id}/charts").json()
    drawn = page.evaluate(CHARTS_ON_SCREEN)
    assert same_charts(drawn, charts_from_api(charts)), (drawn, charts)

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
        page.locator("button.export[data-report='daily'][data-format='csv']").click()
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


def monthly_on_screen(page) -> list[tuple[str, str, str, str, str]]:
    return [(row.get_attribute("data-path"), *(row.locator(cell).inner_text() for cell in ("th", "td.current",
                                                                                          "td.previous", "td.change")))
            for row in page.locator("#monthly-table tbody tr").all()]


def monthly_from_api(report: dict) -> list[tuple[str, str, str, str, str]]:
    return [(line["path"], line["label"], line["current_text"], line["previous_text"], line["change_text"])
            for line in report["lines"]]


def test_the_monthly_reports_page_shows_the_apis_numbers_exports_and_speaks_english(stack, offline):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    estate_id = setup_estate(stack, engineers=0)
    today = local_day(clock.now())
    month = month_of(today, 1)
    this = service_centre_day(estate_id, date.fromisoformat(f"{month}-12"), tag=f"{estate_id}-m")
    last = month_before_day(estate_id, date.fromisoformat(f"{month_of(today, 2)}-12"), tag=f"{estate_id}-p")
    events.deliver_to_reporting(stack, [*this.envelopes, *last.envelopes])
    api = Api(stack, user_id="ops-1", roles=["ops_viewer"], estates="*")

    def monthly(kind: str, lang: str) -> dict:
        return api.get("reporting", f"/v1/reports/monthly/{kind}",
                       params={"month": month, "estate_id": estate_id, "lang": lang}).json()

    eventually(lambda: (r := monthly("staff", "zh"))["current"]["staff"] and r["previous"]["staff"]
               and monthly("collection", "zh")["current"]["payments"] == 2, timeout=30, what="both months counted")

    page = offline.page
    token = stack.token(user_id="ops-1", roles=["ops_viewer"], estates="*")
    page.goto(f"{stack.url('reporting')}/dashboard/reports#token={token}")
    page.locator(f"#report-estate option[value='{estate_id}']").wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
    page.locator("#report-estate").select_option(estate_id)
    page.locator("#monthly-month").fill(month)
    page.locator("#monthly-month").dispatch_event("change")

    def shown(kind: str, lang: str) -> None:
        page.wait_for_function("(want) => (document.getElementById('monthly').dataset.shown || '').startsWith(want)",
                               arg=f"{kind} {month} {lang} ", timeout=RENDER_TIMEOUT_MS)

    for kind in ("collection", "staff", "dunning"):
        page.locator("#monthly-kind").select_option(kind)
        shown(kind, "zh")
        assert monthly_on_screen(page) == monthly_from_api(monthly(kind, "zh")), kind
    page.locator("#monthly-kind").select_option("collection")
    shown("collection", "zh")
    rate = page.locator("#monthly-table tr[data-path='collection_rate']")
    assert (rate.locator("th").inner_text(), rate.locator("td.current").inner_text()) == ("收缴率", "33.3%")
    assert monthly("collection", "zh")["current"]["collection_rate"] == 0.3333
    assert page.locator("#monthly-title").inner_text() == "收缴率报表"
    page.screenshot(path=str(ARTEFACTS / "dashboard-monthly-report.png"), full_page=True)

    page.locator("#lang").click()
    shown("collection", "en")
    assert monthly_on_screen(page) == monthly_from_api(monthly("collection", "en"))
    assert page.locator("#monthly-title").inner_text() == "Collection report"
    assert page.locator("#monthly-table thead th").nth(1).inner_text() == "This month"

    for format in ("csv", "xlsx", "html"):
        with page.expect_response(lambda r, format=format: "/v1/reports/monthly/collection" in r.url
                                  and f"format={format}" in r.url) as answer:
            page.locator(f"button.export[data-report='monthly'][data-format='{format}']").click()
        assert answer.value.status == 200 and f"month={month}" in answer.value.url and "lang=en" in answer.value.url
    page.locator("#export-status", has_text="Exported").wait_for(timeout=RENDER_TIMEOUT_MS)
    assert offline.outside == [], offline.outside
    assert offline.errors == [], offline.errors
