"""Handover due (交班提醒) through the running services: a watched shift that ends with no handover tells the
staff on duty on it once; a shift handed over before its end tells nobody."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared import clock
from tests.helpers import DAILY_REPORT, Api, add_staff, archived, eventually, setup_estate

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_OK = {area: {"status": "ok"} for area in ("security", "water", "power", "equipment", "environment")}
GRACE_S = 600  # long: the missing-handover flag stays out of this test


def test_the_outgoing_guard_is_told_once_that_the_handover_is_due_and_nobody_when_it_was_filed(stack):
    estate_id = setup_estate(stack, engineers=0)
    guard, resting = f"{estate_id}-guard", f"{estate_id}-resting"
    add_staff(stack, estate_id, guard, department="security", name="李保安")
    add_staff(stack, estate_id, resting, department="security", name="赵保安", on_duty=False)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    on_guard = Api(stack, user_id=guard, roles=["agent"], estates=[estate_id])
    now = clock.now().astimezone(SHANGHAI)
    start = now - timedelta(hours=1)

    def shift(code: str, ends_in_s: int) -> dict:
        return {"code": code, "start": start.strftime("%H:%M:%S"),
                "end": (now + timedelta(seconds=ends_in_s)).strftime("%H:%M:%S")}

    posts = {"grace_s": GRACE_S, "posts": [
        {"post": "gate-1", "name": "一号岗", "department": "security",
         "shifts": [shift("handed", 10), shift("forgot", 12)]},
        # Nobody of customer service is on duty: the event still comes, naming nobody.
        {"post": "cs-desk", "name": "前台", "department": "customer_service", "shifts": [shift("later", 16)]},
    ]}
    response = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/duty-posts", json=posts)
    assert response.status_code == 200, response.text
    filed = on_guard.post("dispatch", "/v1/handovers", json={
        "estate_id": estate_id, "post": "gate-1", "department": "security", "shift_date": start.date().isoformat(),
        "shift": posts["posts"][0]["shifts"][0], "inspection": ALL_OK})
    assert filed.status_code == 201, filed.text
    assert clock.now() < now + timedelta(seconds=9), "filed after its shift ended: the test's premise is gone"

    # The later shift's announcement means the watch has passed both gate-1 shifts' ends, many passes ago.
    due = eventually(lambda: (e := archived(supervisor, estate_id, "dispatch.shift.handover_due"))
                     and any(d["data"]["shift_code"] == "later" for d in e) and e, timeout=40,
                     what="the later shift announced")
    assert sorted(d["data"]["shift_code"] for d in due) == ["forgot", "later"]
    forgot = next(d["data"] for d in due if d["data"]["shift_code"] == "forgot")
    assert (forgot["post"], forgot["department"]) == ("gate-1", "security")
    assert forgot["outgoing"] == [{"staff_id": guard, "name": "李保安"}]  # not the one off duty
    assert datetime.fromisoformat(forgot["due_at"]) - datetime.fromisoformat(forgot["ends_at"]) == timedelta(
        seconds=GRACE_S)
    assert next(d["data"] for d in due if d["data"]["shift_code"] == "later")["outgoing"] == []

    def told(person: str) -> list[dict]:
        return [m for m in supervisor.get("notification", "/v1/messages", params={
            "estate_id": estate_id, "recipient_id": person}).json()["items"] if m["template"] != DAILY_REPORT]

    messages = eventually(lambda: told(guard), what="the guard told")
    assert [m["template"] for m in messages] == ["shift.handover_due"]
    assert messages[0]["body"].startswith("【交班提醒】gate-1 岗") and " forgot " in messages[0]["body"]
    assert told(resting) == []
    assert archived(supervisor, estate_id, "dispatch.shift.handover_missing") == []
