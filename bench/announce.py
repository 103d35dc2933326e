"""Notification's figures (quality.md): an announcement to 10,000 residents, from the request until
every message is stored as sent (`announce.10k_residents_s`), and notification's CPU per message.

The residents are loaded as an estate is onboarded: intake's directory import (a unit and a resident
with a phone per line); notification learns them from intake's events. The announcement is a safety
notice, which quiet hours do not defer, so that the figure does not depend on the hour of the run;
messages go through the local provider (the default of local runs), which stores them as sent.
"""

from __future__ import annotations

import csv
import io
import time

import httpx
from pymongo import MongoClient

from bench.processes import CpuMeter
from bench.results import Figure
from devstack.stack import Stack

IMPORT_LINES = 20_000


def _admin(stack: Stack) -> dict[str, str]:
    return {"Authorization": "Bearer " + stack.token(user_id="bench-admin", roles=["company_admin"], estates="*")}


def estate_with_residents(stack: Stack, estate_id: str, residents: int) -> None:
    with httpx.Client(timeout=900, headers=_admin(stack)) as client:
        client.post(f"{stack.url('intake')}/v1/estates", json={"estate_id": estate_id, "name": estate_id})
        stack.wait_for_estate(estate_id, timeout=120)
        for start in range(0, residents, IMPORT_LINES):
            rows = [["building", "unit", "floor", "area", "kind", "name", "phone", "role", "move_in_date"]]
            rows += [[f"{n // 500 + 1}栋", f"U{n:06d}", n % 30 + 1, "89.50", "residential", f"住户{n}",
                      f"139{n:08d}", "owner", "2020-05-01"] for n in range(start, min(residents, start + IMPORT_LINES))]
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            client.post(f"{stack.url('intake')}/v1/estates/{estate_id}/directory/import",
                        content=text.getvalue().encode(), headers={"Content-Type": "text/csv"}).raise_for_status()
    with MongoClient(stack.mongo_url_of("notification")) as mongo:
        recipients = mongo["estatedesk_notification"]["recipients"]
        deadline = time.monotonic() + 1800
        while recipients.count_documents({"estate_id": estate_id, "kind": "resident"}) < residents:
            if time.monotonic() > deadline:
                raise TimeoutError("notification did not learn the residents within 30 min")
            time.sleep(1)


def announce_to_residents(stack: Stack, residents: int = 10_000) -> list[Figure]:
    estate_id = f"bench-announce-{residents}"
    estate_with_residents(stack, estate_id, residents)
    meter = CpuMeter(stack)
    with httpx.Client(timeout=60, headers=_admin(stack)) as client:
        meter.start()
        started = time.monotonic()
        created = client.post(f"{stack.url('notification')}/v1/estates/{estate_id}/announcements", json={
            "title": "停水通知", "text": "因管道检修，明日9:00–12:00全小区停水，请提前储水。", "urgency": "safety",
        }).raise_for_status().json()
        path = f"{stack.url('notification')}/v1/announcements/{created['id']}"
        deadline = started + 600
        while True:
            progress = client.get(path).raise_for_status().json()
            if progress["status"] == "done" and progress["counts"]["sent"] >= residents:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the announcement was not sent within 10 min: {progress['counts']}")
            time.sleep(0.2)
        took = time.monotonic() - started
    cpu = meter.per_contact_ms(residents)
    detail = {"residents": residents, "counts": progress["counts"], "urgency": "safety",
              "cpu_ms_per_message_by_process": cpu}
    return [Figure(f"announce.{residents // 1000}k_residents_s", round(took, 2), "s", detail=detail),
            Figure("notification.cpu_ms_per_message", cpu.get("notification"), "ms", detail=detail)]
