"""The demo's notification: residents and staff told, a message deferred by a resident's quiet hours,
and an announcement to 3栋 with its progress. 李梅 (3栋 1-502) keeps quiet hours from now until 08:00,
so the announcement waits for her; 沈静 (3栋 1-602) declines announcements."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from devstack.stack import Stack
from shared.envelope import utcnow

ESTATE = "demo-estate"
STAFF = [("cs-chen", "陈主管", ["supervisor"]), ("pm-zhou", "周经理", ["estate_manager"])]


def _resident_token(client: httpx.Client, stack: Stack, admin: dict, phone: str) -> tuple[dict, dict]:
    caller = client.get(f"{stack.url('intake')}/v1/estates/{ESTATE}/callers/{phone}", headers=admin)
    resident = caller.raise_for_status().json()["resident"]
    token = stack.token(user_id=resident["id"], roles=["resident"], estates=[ESTATE])
    return resident, {"Authorization": f"Bearer {token}"}


def _wait_known(client: httpx.Client, base: str, admin: dict, person_id: str) -> None:
    deadline = time.monotonic() + 30
    while client.get(f"{base}/v1/estates/{ESTATE}/recipients/{person_id}", headers=admin).status_code == 404:
        if time.monotonic() > deadline:
            raise TimeoutError(f"notification did not learn of {person_id} within 30 s")
        time.sleep(0.2)


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    base = stack.url("notification")
    for staff_id, name, positions in STAFF:  # who hears of incidents and the daily report
        client.put(f"{base}/v1/estates/{ESTATE}/staff/{staff_id}", headers=admin,
                   json={"name": name, "positions": positions}).raise_for_status()
    _, zhang_auth = _resident_token(client, stack, admin, "13812345678")
    li, li_auth = _resident_token(client, stack, admin, "13800000302")
    shen, shen_auth = _resident_token(client, stack, admin, "13800000305")
    for person in (li, shen):
        _wait_known(client, base, admin, person["id"])
    now = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    start = f"{now - timedelta(minutes=1):%H:%M}"
    quiet = {"start": start, "end": "08:00" if start != "08:00" else "08:30"}
    client.put(f"{base}/v1/estates/{ESTATE}/my/preferences", headers=li_auth,
               json={"quiet_hours": quiet}).raise_for_status()
    client.put(f"{base}/v1/estates/{ESTATE}/my/preferences", headers=shen_auth,
               json={"opt_out_announcements": True}).raise_for_status()
    buildings = client.get(f"{stack.url('intake')}/v1/estates/{ESTATE}/buildings", headers=admin,
                           params={"limit": 100}).raise_for_status()
    building = next(b for b in buildings.json()["items"] if b["name"] == "3栋")
    created = client.post(f"{base}/v1/estates/{ESTATE}/announcements", headers={
        **admin, "Idempotency-Key": f"demo-announcement-{now:%Y%m%d}"}, json={
        "title": "电梯检修通知", "text": "3栋电梯明日9:00–11:00例行检修，请走楼梯，不便之处敬请谅解。",
        "audience": "building", "building_ids": [building["id"]]}).raise_for_status().json()
    url = f"{base}/v1/announcements/{created['id']}"
    deadline = time.monotonic() + 30
    while (progress := client.get(url, headers=admin).raise_for_status().json())["status"] != "done":
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    counts = progress["counts"]
    inbox = f"{base}/v1/estates/{ESTATE}/inbox"
    return [
        (f"Announcement 电梯检修通知 to 3栋: {counts['recipients']} residents, {counts['sent']} sent, "
         f"{counts['queued']} waiting ({counts['deferred']} deferred by quiet hours), {counts['failed']} failed; "
         "沈静 declined announcements"),
        f"  progress: GET {url}",
        (f"  李梅's quiet hours {quiet['start']}–{quiet['end']}: her copy waits until {quiet['end']} "
         f"(GET {base}/v1/messages?estate_id={ESTATE}&recipient_id={li['id']})"),
        f"  张三's inbox (ticket received, technician assigned…): GET {inbox} with a resident token:",
        f"    export RESIDENT={zhang_auth['Authorization'].split()[1]}",
        (f"  staff and residents' messages: GET {base}/v1/messages?estate_id={ESTATE}; rules: "
         f"GET {base}/v1/estates/{ESTATE}/rules; templates preview: POST {base}/v1/templates/preview"),
    ]
