"""Announcements (公告): building- or estate-wide, now or scheduled, with their progress; an ordinary
one respects opt-outs and quiet hours, a safety one reaches everyone at once."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from shared import clock
from tests.e2e.notification_kit import Residents
from tests.helpers import Api, eventually


def test_an_announcement_reaches_its_buildings_residents_with_progress_and_a_safety_one_everyone(stack):
    estate = Residents(stack)
    other_building = estate.directory.building("5栋")
    _, awake = estate.resident("甲", "3-101", "13900010001")
    _, declined = estate.resident("乙", "3-102", "13900010002")
    _, asleep = estate.resident("丙", "3-103", "13900010003")
    elsewhere_unit = estate.directory.unit(other_building, "5-101")
    elsewhere = estate.directory.resident("丁", [elsewhere_unit], ["13900010004"])
    estate.known(elsewhere["id"])
    estate.prefer(awake["id"], no_quiet_hours=True)
    estate.prefer(elsewhere["id"], no_quiet_hours=True)
    estate.prefer(declined["id"], no_quiet_hours=True, opt_out_announcements=True)
    now = clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    estate.prefer(asleep["id"], quiet_hours={"start": f"{now - timedelta(hours=1):%H:%M}",
                                             "end": f"{now + timedelta(hours=2):%H:%M}"})

    path = f"/v1/estates/{estate.estate_id}/announcements"
    no_buildings = estate.manager.post("notification", path, json={"title": "停水", "text": "x", "audience": "building"})
    assert no_buildings.status_code == 422 and no_buildings.json()["field"] == "building_ids"
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate.estate_id])
    assert agent.post("notification", path, json={"title": "停水", "text": "x"}).status_code == 403
    created = estate.manager.post("notification", path, json={
        "title": "停水通知", "text": "因管道检修，3栋12月2日9:00–12:00停水。", "audience": "building",
        "building_ids": [estate.building["id"]]})
    assert created.status_code == 201, created.text
    announcement_id = created.json()["id"]

    def progress(announcement: str) -> dict:
        return estate.manager.get("notification", f"/v1/announcements/{announcement}").json()

    done = eventually(lambda: (p := progress(announcement_id))["status"] == "done" and p, what="the fan-out")
    assert done["counts"] == {"recipients": 3, "queued": 1, "deferred": 1, "sent": 1, "failed": 0,
                             "delivered": 0}
    sent = estate.messages(awake["id"], announcement_id=announcement_id)
    assert [m["body"] for m in sent] == ["【公告】停水通知：因管道检修，3栋12月2日9:00–12:00停水。"]
    assert estate.messages(declined["id"]) == [] and estate.messages(elsewhere["id"]) == []
    [waiting] = estate.messages(asleep["id"])
    assert waiting["deferred"] and waiting["status"] == "queued"

    later = estate.manager.post("notification", path, json={
        "title": "燃气泄漏", "text": "请勿使用明火，立即开窗通风。", "urgency": "safety",
        "scheduled_at": (clock.now() + timedelta(seconds=3)).isoformat()})
    assert later.status_code == 201 and later.json()["status"] == "scheduled"
    safety = eventually(lambda: (p := progress(later.json()["id"]))["status"] == "done" and p, what="the safety notice")
    assert safety["counts"] == {"recipients": 4, "queued": 0, "deferred": 0, "sent": 4, "failed": 0,
                               "delivered": 0}
    assert safety["started_at"] >= later.json()["scheduled_at"]
    listed = estate.manager.get("notification", path).json()["items"]
    assert [a["id"] for a in listed] == [later.json()["id"], announcement_id]
    outsider = Api(stack, user_id="pm-2", roles=["estate_manager"], estates=["estate-elsewhere"])
    assert outsider.get("notification", f"/v1/announcements/{announcement_id}").status_code == 404
