"""Quiet hours defer what can wait to their first allowed minute (never drop it) while safety messages
go at once; the inbox of each person; one message per (event, recipient, channel) however often the
event arrives."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared import clock
from tests.e2e.notification_kit import Residents, event, publish
from tests.helpers import eventually

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_message_in_quiet_hours_waits_for_their_end_and_a_safety_message_does_not(stack):
    estate = Residents(stack)
    unit, sleeper = estate.resident("黄梅", "3-701", "13855550006")
    now = clock.now().astimezone(SHANGHAI)
    # Quiet since an hour ago until the next minute but one: across midnight when the suite runs near it.
    end = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)
    start = now - timedelta(hours=1)
    estate.prefer(sleeper["id"], quiet_hours={"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})

    publish(stack, event(estate.estate_id, "billing.balance.low", {
        "unit_id": unit["id"], "balance": "9.00", "threshold": "50.00"}))
    publish(stack, event(estate.estate_id, "intake.incident.declared", {
        "incident_id": "incident-1", "number": "SJ-0001", "category": "repair", "priority": "P2",
        "description": "3栋停水", "declared_at": clock.now().isoformat(), "building_id": estate.building["id"],
        "broadcast_audience": "building", "broadcast_message": "3栋因爆管停水，正在抢修"}))
    [urgent] = estate.told(sleeper["id"], "incident.notice")
    assert (urgent["status"], urgent["deferred"], urgent["urgency"]) == ("sent", False, "safety")
    assert urgent["body"].startswith("【紧急通知】3栋因爆管停水")
    [waiting] = estate.told(sleeper["id"], "balance.low")
    assert (waiting["status"], waiting["deferred"]) == ("queued", True)
    assert datetime.fromisoformat(waiting["due_at"]) == end
    sent = eventually(lambda: (m := estate.messages(sleeper["id"], status="sent")) and
                      [x for x in m if x["template"] == "balance.low"], timeout=150, what="the deferred message sent")
    assert datetime.fromisoformat(sent[0]["sent_at"]) >= end
    assert [a["status"] for a in sent[0]["attempts"]] == ["queued", "sent"]

    # Safety messages cannot be declined; a quiet-hours setting must be a time of day.
    bad = estate.as_person(sleeper["id"]).call("PUT", "notification", f"/v1/estates/{estate.estate_id}/my/preferences",
                                               json={"quiet_hours": {"start": "25:00", "end": "08:00"}})
    assert bad.status_code == 422 and bad.json()["field"] == "quiet_hours.start"


def test_each_person_reads_their_own_inbox_newest_first(stack):
    estate = Residents(stack)
    unit, reader = estate.resident("林青", "3-801", "13866660007")
    _, other = estate.resident("何平", "3-802", "13866660008")
    estate.prefer(reader["id"], no_quiet_hours=True)
    for n, balance in enumerate(("40.00", "30.00", "20.00")):
        publish(stack, event(estate.estate_id, "billing.balance.low", {
            "unit_id": unit["id"], "balance": balance, "threshold": "50.00"}, subject=f"low-{n}"))
        estate.told(reader["id"], "balance.low", count=n + 1)
    me = estate.as_person(reader["id"])
    inbox = f"/v1/estates/{estate.estate_id}/inbox"
    first = me.get("notification", inbox, params={"limit": 2}).json()
    assert [item["body"][:16] for item in first["items"]] == ["3-801 预存余额 20.00", "3-801 预存余额 30.00"]
    rest = me.get("notification", inbox, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and "40.00" in rest["items"][0]["body"] and rest["next_cursor"] is None
    assert me.get("notification", f"{inbox}/unread-count").json() == {"unread": 3}

    newest = first["items"][0]["id"]
    read = me.post("notification", f"{inbox}/{newest}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    again = me.post("notification", f"{inbox}/{newest}/read").json()
    assert again["read_at"] == read.json()["read_at"]  # the first read stays
    assert me.get("notification", f"{inbox}/unread-count").json() == {"unread": 2}
    unread = me.get("notification", inbox, params={"unread": True}).json()["items"]
    assert newest not in [item["id"] for item in unread] and len(unread) == 2

    stranger = estate.as_person(other["id"])
    assert stranger.get("notification", inbox).json()["items"] == []
    assert stranger.post("notification", f"{inbox}/{newest}/read").status_code == 404
    outsider = estate.as_person(reader["id"]).__class__(stack, user_id=reader["id"], roles=["resident"],
                                                        estates=["estate-elsewhere"])
    assert outsider.get("notification", inbox).status_code == 404


def test_the_same_event_three_times_is_one_message_per_recipient_and_channel(stack):
    estate = Residents(stack)
    unit, first = estate.resident("高远", "3-901", "13877770009")
    second = estate.directory.resident("高远之妻", [unit], ["13877770010"], role="family_member")
    estate.known(second["id"])
    notice = event(estate.estate_id, "billing.bill.issued", {
        "bill_id": "bill-9", "unit_id": unit["id"], "item": "property_fee", "item_name_zh": "物业费",
        "item_name_en": "Property fee", "period": "2026-11", "amount_fen": 12000, "amount": "120.00",
        "due_date": "2026-12-15"})
    publish(stack, notice, times=3)
    estate.told(first["id"], "bill.issued")
    estate.told(second["id"], "bill.issued")
    later = event(estate.estate_id, "billing.balance.low", {"unit_id": unit["id"], "balance": "1.00",
                                                             "threshold": "50.00"})
    publish(stack, later)  # consumed after the three copies: they have all been applied or dropped by now
    estate.told(first["id"], "balance.low")
    estate.told(second["id"], "balance.low")
    bills = [m for m in estate.messages() if m["source_event_id"] == notice.id]
    assert sorted(m["recipient_id"] for m in bills) == sorted([first["id"], second["id"]])
