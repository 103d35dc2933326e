"""The dashboards' figures (quality.md): the company overview of 200 estates, and an event's way
from the broker to a figure changed in a browser.

`reporting.overview_200_estates_p95_ms`: 200 estates of one company in reporting's database, each
with its board, today's counters and a month of daily figures (billed and collected), written
straight into reporting's database (the read path is what is measured, not the registration of
200 estates); then `GET /v1/dashboards/overview` one request after another, p95.

`reporting.event_to_screen_ms`: Debian's chromium shows an estate's board; a call is published to
the exchange as intake would; the time until the page shows the new count of calls, p95. It goes
through the broker, reporting's consumer and transaction, the board's version polled by the
page's stream, and the page's read of the JSON.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from datetime import timedelta

import aio_pika
import httpx
from pymongo import MongoClient

from bench.load import percentile
from bench.results import Figure
from devstack.stack import Stack
from shared.bus import declare_exchange
from shared.envelope import utcnow
from shared.estates import local_day
from shared.events import envelope_for
from shared.events.intake import ContactLogged
from shared.settings import ServiceSettings

COMPANY = "bench-dashboards"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _seed_overview(stack: Stack, estates: int) -> None:
    now = utcnow()
    today = local_day(now, "Asia/Shanghai")
    database = MongoClient(stack.mongo_url_of("reporting"), tz_aware=True)["estatedesk_reporting"]
    ids = [f"{COMPANY}-{n:03d}" for n in range(estates)]
    database["estates"].insert_many([{"_id": i, "estate_id": i, "company_id": COMPANY, "name": f"压测小区 {n}",
                                      "time_zone": "Asia/Shanghai", "registered_at": now} for n, i in enumerate(ids)])
    database["board_estates"].insert_many([
        {"_id": i, "estate_id": i, "company_id": COMPANY, "name": f"压测小区 {n}", "time_zone": "Asia/Shanghai",
         "version": 1, "open_tickets": n % 17, "open_p1": n % 3,
         "days": {(today - timedelta(days=d)).isoformat(): {"calls": 120 + n, "calls_timed": 110,
                                                            "answered_15s": 100 - n % 20, "breaches": n % 4}
                  for d in range(3)}} for n, i in enumerate(ids)])
    database["daily_figures"].insert_many([
        {"_id": f"{i}:{today.replace(day=d).isoformat()}", "estate_id": i, "company_id": COMPANY,
         "day": today.replace(day=d).isoformat(), "billed_fen": 1_000_000, "collected_fen": 600_000 + d * 1000}
        for i in ids for d in range(1, today.day + 1)])
    database.client.close()


def overview_200_estates(stack: Stack, *, estates: int = 200, requests: int = 200) -> Figure:
    _seed_overview(stack, estates)
    token = stack.token(user_id="bench-ops", company_id=COMPANY, roles=["ops_viewer"], estates="*")
    timings = []
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        url = f"{stack.url('reporting')}/v1/dashboards/overview"
        for n in range(requests + 5):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if n >= 5:  # the first few warm the process's caches
                timings.append(elapsed)
        shown = len(response.json()["estates"])
    if shown != estates:
        raise RuntimeError(f"the overview showed {shown} estates, not {estates}")
    return Figure("reporting.overview_200_estates_p95_ms", percentile(timings, 0.95), "ms",
                  detail={"estates": estates, "requests": requests, "p50_ms": round(percentile(timings, 0.5), 1),
                          "max_ms": round(max(timings), 1)})


class Publisher:
    """One broker connection, kept open in a thread of its own (Playwright has this one's loop)."""

    def __init__(self, stack: Stack) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.exchange = self._run(self._connect(stack))

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    async def _connect(self, stack: Stack):
        self.connection = await aio_pika.connect_robust(stack.amqp)
        channel = await self.connection.channel(publisher_confirms=True)
        return await declare_exchange(channel, ServiceSettings(amqp_url=stack.amqp))

    def publish(self, envelope) -> None:
        message = aio_pika.Message(envelope.model_dump_json().encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        self._run(self.exchange.publish(message, routing_key=envelope.routing_key))

    def close(self) -> None:
        self._run(self.connection.close())
        self.loop.call_soon_threadsafe(self.loop.stop)


def event_to_screen(stack: Stack, estate_id: str, *, samples: int = 30) -> Figure:
    from playwright.sync_api import sync_playwright  # the bench's browser run only

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    token = stack.token(user_id="bench-ops", roles=["ops_viewer"], estates=[estate_id])
    selector = f"article.tile[data-estate='{estate_id}'] [data-figure='calls_today'] dd"
    publisher, timings = Publisher(stack), []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"{stack.url('reporting')}/dashboard/estates/{estate_id}#token={token}")
            page.locator(selector).wait_for(timeout=30_000)
            page.wait_for_function("window.dashboard.versions !== null", timeout=30_000)
            for _ in range(samples):
                shown = int(page.locator(selector).inner_text())
                envelope = envelope_for(
                    ContactLogged(contact_id=f"bench-{time.monotonic_ns()}", channel="hotline",
                                  answered_within_15s=True, outcome="answered"),
                    subject=estate_id, company_id="demo-company", estate_id=estate_id,
                    time=utcnow() - timedelta(seconds=1))
                started = time.perf_counter()
                publisher.publish(envelope)
                page.wait_for_function("([s, n]) => document.querySelector(s)?.textContent === String(n)",
                                       arg=[selector, shown + 1], timeout=30_000, polling=20)
                timings.append((time.perf_counter() - started) * 1000)
            browser.close()
    finally:
        publisher.close()
    return Figure("reporting.event_to_screen_ms", percentile(timings, 0.95), "ms",
                  detail={"samples": samples, "p50_ms": round(percentile(timings, 0.5), 1),
                          "max_ms": round(max(timings), 1), "what": "p95, published → figure changed in chromium"})
