"""The duty desk through HTTP: handovers carry the real open orders, a missing one is flagged once,
spot checks and notes go into the tamper-evident duty ledger, and P1 escalations carry emergency contacts."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import aio_pika
import pytest

from shared import clock
from shared.envelope import Envelope
from tests.helpers import (
    DAILY_REPORT,
    Api,
    add_staff,
    admin,
    all_pages,
    archived,
    eventually,
    repair_contact,
    setup_estate,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_OK = {area: {"status": "ok"} for area in ("security", "water", "power", "equipment", "environment")}
CONTACTS = [
    {"kind": "police", "name": "城东派出所", "phone": "110", "notes": "社区民警王警官"},
    {"kind": "fire", "name": "消防救援站", "phone": "119"},
    {"kind": "hospital", "name": "市第一人民医院", "phone": "120"},
    {"kind": "water", "name": "自来水公司", "phone": "96116"},
    {"kind": "gas", "name": "燃气公司", "phone": "96777"},
    {"kind": "power", "name": "供电局", "phone": "95598"},
]


@pytest.fixture(scope="module")
def estate(stack) -> str:
    return setup_estate(stack, engineers=1)


def people(stack, estate_id: str) -> dict[str, Api]:
    return {
        "supervisor": Api(stack, user_id="sup-1", name="张主管", roles=["supervisor"], estates=[estate_id]),
        "outgoing": Api(stack, user_id="agent-out", name="李客服", roles=["agent"], estates=[estate_id]),
        "incoming": Api(stack, user_id="agent-in", name="王客服", roles=["agent"], estates=[estate_id]),
        "viewer": Api(stack, user_id="ops-1", roles=["ops_viewer"], estates=[estate_id]),
        "resident": Api(stack, user_id="r-1", roles=["resident"], estates=[estate_id]),
        "stranger": Api(stack, user_id="sup-2", roles=["supervisor"], estates=["some-other-estate"]),
    }


def new_order(api: Api, estate_id: str, description: str, *, priority: str = "P3", department="engineering") -> dict:
    response = api.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": department, "priority": priority,
        "description": description})
    assert response.status_code == 201, response.text
    return response.json()


def complete(api: Api, order_id: str) -> None:
    for command in ("accept", "arrive"):
        assert api.post("dispatch", f"/v1/work-orders/{order_id}/{command}").status_code == 200
    response = api.post("dispatch", f"/v1/work-orders/{order_id}/complete", json={
        "work_done": "已修复", "labour_minutes": 30, "responsible_party": "property"})
    assert response.status_code == 200, response.text


def handover_body(estate_id: str, *, post: str, department: str, shift_date: str, shift: dict, **extra) -> dict:
    return {"estate_id": estate_id, "post": post, "department": department, "shift_date": shift_date,
            "shift": shift, "inspection": ALL_OK, **extra}


def ledger_entries(api: Api, estate_id: str, kind: str | None = None) -> list[dict]:
    params = {"estate_id": estate_id, **({"kind": kind} if kind else {})}
    return all_pages(api, "dispatch", "/v1/ledger/entries", params)


def test_a_handover_carries_the_real_open_orders_and_is_acknowledged_once(stack, estate):
    who = people(stack, estate)
    boss = who["supervisor"]
    orders = [new_order(boss, estate, f"公共区域报修 {n}") for n in range(3)]
    complete(boss, orders[0]["id"])
    body = handover_body(estate, post="eng-duty", department="engineering", shift_date="2026-11-26",
                         shift={"code": "early"}, notes="3号楼水泵噪音待观察",
                         checklist=[{"item": "对讲机", "expected": 4, "counted": 3, "missing": 1},
                                    {"item": "灭火器", "expected": 2, "counted": 2, "damaged": 1}],
                         inspection={**ALL_OK, "water": {"status": "issue", "note": "B2 集水坑水位偏高"}})
    response = who["outgoing"].post("dispatch", "/v1/handovers", json=body)
    assert response.status_code == 201, response.text
    handover = response.json()
    assert sorted(o["id"] for o in handover["open_work_orders"]) == sorted(o["id"] for o in orders[1:])
    assert handover["checklist_findings"] == ["对讲机：缺1，清点3/4", "灭火器：损坏1"]
    assert handover["inspection_issues"] == ["water"]
    assert handover["shift_start"].startswith("2026-11-26T00:00:00") and handover["shift_end"].startswith(
        "2026-11-26T08:00:00")  # 早班 08:00–16:00 Asia/Shanghai, in UTC
    assert handover["outgoing_name"] == "李客服"

    again = who["incoming"].post("dispatch", "/v1/handovers", json=body)
    assert again.status_code == 409 and again.json()["code"] == "handover_exists"

    own = who["outgoing"].post("dispatch", f"/v1/handovers/{handover['id']}/acknowledge", json={})
    assert own.status_code == 409 and own.json()["code"] == "own_handover"
    taken = who["incoming"].post("dispatch", f"/v1/handovers/{handover['id']}/acknowledge",
                                 json={"discrepancies": ["对讲机实点 2 台，不是 3 台"]})
    assert taken.status_code == 200, taken.text
    assert taken.json()["incoming_id"] == "agent-in" and taken.json()["discrepancies"] == ["对讲机实点 2 台，不是 3 台"]
    twice = boss.post("dispatch", f"/v1/handovers/{handover['id']}/acknowledge", json={})
    assert twice.status_code == 409 and twice.json()["code"] == "already_acknowledged"

    complete(boss, orders[1]["id"])  # done since the handover: no longer open on the next shift's screen
    screen = who["incoming"].get("dispatch", f"/v1/estates/{estate}/duty-screen", params={"post": "eng-duty"})
    assert screen.status_code == 200, screen.text
    assert screen.json()["previous_handover"]["id"] == handover["id"]
    assert [o["id"] for o in screen.json()["still_open"]] == [orders[2]["id"]]
    assert set(screen.json()["yesterday"]) == {"day", "created", "completed", "breached"}
    today = eventually(lambda: (t := who["incoming"].get("dispatch", f"/v1/estates/{estate}/duty-screen").json()[
        "today"]) and t["created"] >= 3 and t["completed"] >= 2 and t, what="today's figures")
    assert today["day"] == clock.now().astimezone(SHANGHAI).date().isoformat()

    filed = archived(boss, estate, "dispatch.shift.handover_filed")
    assert [e["data"]["open_work_orders"] for e in filed] == [2]
    eventually(lambda: archived(boss, estate, "dispatch.shift.handover_acknowledged"), what="the acknowledgement")
    kinds = [e["kind"] for e in ledger_entries(boss, estate)]
    assert "handover" in kinds and "handover_acknowledged" in kinds


def test_a_posts_handover_carries_its_departments_items_and_separately_the_estates_open_emergencies(stack):
    estate_id = setup_estate(stack, engineers=1)
    add_staff(stack, estate_id, f"{estate_id}-cs", department="customer_service")
    # Registered by name; their tokens carry none.
    add_staff(stack, estate_id, "ta-cs-1", department="customer_service", on_duty=False, name="李客服")
    add_staff(stack, estate_id, "ta-cs-2", department="customer_service", on_duty=False, name="王客服")
    boss = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    engineering = new_order(boss, estate_id, "楼道灯不亮")
    emergency = new_order(boss, estate_id, "5栋电梯困人", priority="P1")
    service = new_order(boss, estate_id, "住户回访", department="customer_service")
    outgoing = Api(stack, user_id="ta-cs-1", roles=["agent"], estates=[estate_id])
    response = outgoing.post("dispatch", "/v1/handovers", json=handover_body(
        estate_id, post="cs-desk", department="customer_service", shift_date="2026-11-26",
        shift={"code": "late", "start": "16:00", "end": "24:00"}))
    assert response.status_code == 201, response.text
    handover = response.json()
    assert [o["id"] for o in handover["open_work_orders"]] == [service["id"]]
    assert [o["id"] for o in handover["open_emergencies"]] == [emergency["id"]]
    assert engineering["id"] not in {o["id"] for o in handover["open_work_orders"] + handover["open_emergencies"]}
    assert handover["shift_end"].startswith("2026-11-26T16:00:00")  # 24:00 local is the next midnight
    assert handover["outgoing_name"] == "李客服"
    incoming = Api(stack, user_id="ta-cs-2", roles=["agent"], estates=[estate_id])
    taken = incoming.post("dispatch", f"/v1/handovers/{handover['id']}/acknowledge", json={}).json()
    assert taken["incoming_name"] == "王客服"
    summaries = [e["content"]["summary"] for e in ledger_entries(boss, estate_id) if e["kind"].startswith("handover")]
    assert all("ta-cs" not in summary for summary in summaries) and any("李客服" in s for s in summaries)
    text = handover["text"]  # what people read: the estate's local time, not UTC
    assert text.startswith("【交班】cs-desk late班 11月26日 16:00–00:00，交班人 李客服") and "T16:00" not in text
    assert service["number"] in text


def test_a_shift_codes_times_come_from_the_departments_shift_templates(stack, estate):
    who = people(stack, estate)
    templates = {"templates": [{"code": "long_day", "name": "长白班", "starts": "07:00", "ends": "19:00"},
                               {"code": "long_night", "name": "长夜班", "starts": "19:00", "ends": "07:00"}]}
    response = who["supervisor"].call("PUT", "dispatch", f"/v1/estates/{estate}/shift-templates/security", json=templates)
    assert response.status_code == 200, response.text
    handover = who["outgoing"].post("dispatch", "/v1/handovers", json=handover_body(
        estate, post="gate-9", department="security", shift_date="2026-11-26", shift={"code": "long_night"}))
    assert handover.status_code == 201, handover.text
    # 19:00 local on the 26th to 07:00 on the 27th, in UTC.
    assert handover.json()["shift_start"].startswith("2026-11-26T11:00:00")
    assert handover.json()["shift_end"].startswith("2026-11-26T23:00:00")
    unknown = who["outgoing"].post("dispatch", "/v1/handovers", json=handover_body(
        estate, post="gate-9", department="security", shift_date="2026-11-26", shift={"code": "early"}))
    assert unknown.status_code == 422 and unknown.json()["field"] == "shift.code"  # not one of security's now


def test_a_shift_without_a_handover_is_flagged_to_the_supervisor_exactly_once(stack):
    estate_id = setup_estate(stack, engineers=0)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    who = people(stack, estate_id)
    now = clock.now().astimezone(SHANGHAI)
    start = now - timedelta(hours=1)

    def shift(code: str, ends_in_s: int) -> dict:
        return {"code": code, "start": start.strftime("%H:%M:%S"),
                "end": (now + timedelta(seconds=ends_in_s)).strftime("%H:%M:%S")}

    posts = {"grace_s": 1, "posts": [
        {"post": "gate-1", "name": "一号岗", "department": "security", "shifts": [shift("handed", 2), shift("forgot", 3)]},
        {"post": "gate-2", "name": "二号岗", "department": "security", "shifts": [shift("later", 8)]},
    ]}
    response = who["supervisor"].call("PUT", "dispatch", f"/v1/estates/{estate_id}/duty-posts", json=posts)
    assert response.status_code == 200, response.text
    filed = who["outgoing"].post("dispatch", "/v1/handovers", json=handover_body(
        estate_id, post="gate-1", department="security", shift_date=start.date().isoformat(),
        shift=posts["posts"][0]["shifts"][0]))
    assert filed.status_code == 201, filed.text

    # The later shift's flag means the watch has passed the first shifts' due times many times over.
    flags = eventually(lambda: (e := archived(who["supervisor"], estate_id, "dispatch.shift.handover_missing"))
                       and any(f["data"]["shift_code"] == "later" for f in e) and e, timeout=40,
                       what="the later shift flagged")
    assert sorted(f["data"]["shift_code"] for f in flags) == ["forgot", "later"]
    forgot = next(f for f in flags if f["data"]["shift_code"] == "forgot")
    assert forgot["data"]["supervisor_id"] == f"{estate_id}-sup" and forgot["data"]["post"] == "gate-1"
    assert len(ledger_entries(who["supervisor"], estate_id, "handover_missing")) == 2
    told = eventually(lambda: (m := [m for m in who["supervisor"].get("notification", "/v1/messages", params={
        "estate_id": estate_id, "recipient_id": f"{estate_id}-sup"}).json()["items"]
        if m["template"] != DAILY_REPORT]) and len(m) >= 2 and m, what="the supervisor told")
    assert sorted(code for m in told for code in ("forgot", "later", "handed") if f" {code} " in m["body"]) == [
        "forgot", "later"]
    assert all(m["body"].startswith("【未交班】") for m in told)


def test_an_estate_without_duty_posts_is_never_flagged(stack, estate):
    boss = people(stack, estate)["supervisor"]
    assert boss.get("dispatch", f"/v1/estates/{estate}/duty-posts").json()["posts"] == []
    assert archived(boss, estate, "dispatch.shift.handover_missing") == []


def test_a_spot_check_is_recorded_and_goes_into_the_ledger(stack, estate):
    who = people(stack, estate)
    body = {"estate_id": estate, "post": "cs-desk", "person_on_duty": "李客服",
            "findings": ["值班记录未及时填写"], "result": "unsatisfactory"}
    assert who["outgoing"].post("dispatch", "/v1/spot-checks", json=body).status_code == 403
    response = who["supervisor"].post("dispatch", "/v1/spot-checks", json=body)
    assert response.status_code == 201, response.text
    check = response.json()
    listed = who["viewer"].get("dispatch", "/v1/spot-checks", params={"estate_id": estate}).json()["items"]
    assert check["id"] in [c["id"] for c in listed]
    entry = next(e for e in ledger_entries(who["supervisor"], estate, "spot_check") if e["id"] == check["ledger_entry_id"])
    assert entry["content"]["details"]["findings"] == ["值班记录未及时填写"] and "不合格" in entry["content"]["summary"]
    for change, field in (({"result": "fine"}, "result"), ({"checked_at": "2099-01-01T08:00:00+08:00"}, "checked_at"),
                          ({"checked_at": "2026-11-26T08:00:00"}, "checked_at"), ({"post": ""}, "post")):
        bad = who["supervisor"].post("dispatch", "/v1/spot-checks", json={**body, **change})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text


def test_emergency_contacts_are_on_the_duty_screen_and_in_every_p1_escalation(stack):
    estate_id = setup_estate(stack, engineers=1)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    who = people(stack, estate_id)
    path = f"/v1/estates/{estate_id}/emergency-contacts"
    assert who["outgoing"].call("PUT", "dispatch", path, json={"contacts": CONTACTS}).status_code == 403
    bad = who["supervisor"].call("PUT", "dispatch", path, json={"contacts": [{**CONTACTS[0], "kind": "army"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "contacts.0.kind"
    response = who["supervisor"].call("PUT", "dispatch", path, json={"contacts": CONTACTS})
    assert response.status_code == 200, response.text
    screen = who["outgoing"].get("dispatch", f"/v1/estates/{estate_id}/duty-screen").json()
    assert [c["name"] for c in screen["emergency_contacts"]] == [c["name"] for c in CONTACTS]

    order = new_order(who["supervisor"], estate_id, "地下车库电缆冒烟", priority="P1")
    step = eventually(lambda: (e := archived(who["supervisor"], estate_id, "dispatch.workorder.escalated")) and e[0],
                      what="the P1's first escalation")
    assert step["subject"] == order["id"]
    assert "派出所 城东派出所 110（社区民警王警官）" in step["data"]["emergency_contacts"]
    assert len(step["data"]["emergency_contacts"]) == len(CONTACTS)
    # The escalation's own message: the supervisor also hears other things (the estate's daily report).
    message = eventually(lambda: [m for m in who["supervisor"].get("notification", "/v1/messages", params={
        "estate_id": estate_id, "recipient_id": f"{estate_id}-sup"}).json()["items"]
        if m["source_event_id"] == step["id"]], what="the supervisor told of the escalation")
    assert "应急联系" in message[0]["body"]
    for line in ("城东派出所 110", "消防救援站 119", "市第一人民医院 120", "供电局 95598"):
        assert line in message[0]["body"]


def test_notes_are_appended_corrected_never_edited_and_the_chain_verifies(stack, estate):
    who = people(stack, estate)
    note = who["outgoing"].post("dispatch", "/v1/ledger/entries", json={"estate_id": estate, "text": "21:30 巡查正常"})
    assert note.status_code == 201, note.text
    entry = note.json()
    fix = who["outgoing"].post("dispatch", "/v1/ledger/entries", json={
        "estate_id": estate, "text": "更正：巡查时间为 21:45", "corrects": entry["id"]})
    assert fix.status_code == 201, fix.text
    assert fix.json()["kind"] == "correction" and fix.json()["content"]["corrects"] == entry["id"]
    assert fix.json()["previous_hash"] != "" and fix.json()["sequence"] > entry["sequence"]
    unknown = who["outgoing"].post("dispatch", "/v1/ledger/entries", json={
        "estate_id": estate, "text": "更正", "corrects": f"{estate}:000099999999"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "corrects"
    retried = [who["outgoing"].post("dispatch", "/v1/ledger/entries", headers={"Idempotency-Key": "note-7"},
                                    json={"estate_id": estate, "text": "22:00 锁闭会所"}) for _ in range(2)]
    assert [r.status_code for r in retried] == [201, 201] and retried[0].json() == retried[1].json()
    original = next(e for e in ledger_entries(who["viewer"], estate) if e["id"] == entry["id"])
    assert original["content"] == entry["content"]  # the corrected entry stays as it was

    verdict = who["viewer"].get("dispatch", "/v1/ledger/verify", params={"estate_id": estate}).json()
    assert verdict["valid"] and verdict["first_broken"] is None
    assert verdict["checked"] == verdict["head"]["sequence"] >= fix.json()["sequence"]
    part = who["viewer"].get("dispatch", "/v1/ledger/verify", params={
        "estate_id": estate, "from_seq": entry["sequence"], "to_seq": fix.json()["sequence"]}).json()
    assert part["valid"] and part["checked"] == fix.json()["sequence"] - entry["sequence"] + 1
    assert part["last_hash"] == fix.json()["hash"]
    backwards = who["viewer"].get("dispatch", "/v1/ledger/verify", params={"estate_id": estate, "from_seq": 5,
                                                                          "to_seq": 2})
    assert backwards.status_code == 422 and backwards.json()["field"] == "to_seq"
    beyond = who["viewer"].get("dispatch", "/v1/ledger/verify", params={"estate_id": estate, "from_seq": 10**12})
    assert beyond.status_code == 200 and beyond.json()["checked"] == 0 and beyond.json()["valid"]

    for method, path in (("DELETE", f"/v1/ledger/entries/{entry['id']}"), ("PUT", f"/v1/ledger/entries/{entry['id']}"),
                         ("PATCH", f"/v1/ledger/entries/{entry['id']}")):
        assert who["supervisor"].call(method, "dispatch", path, json={}).status_code in (404, 405)


def test_the_published_head_matches_the_chain(stack, estate):
    boss = people(stack, estate)["supervisor"]
    last = boss.post("dispatch", "/v1/ledger/entries", json={"estate_id": estate, "text": "交班前最后一条"}).json()

    def published_head():
        events = archived(boss, estate, "dispatch.ledger.head_published")
        return next((e for e in events if e["data"]["sequence"] >= last["sequence"]), None)

    event = eventually(published_head, timeout=40, what="the head published")
    entry = next(e for e in ledger_entries(boss, estate) if e["sequence"] == event["data"]["sequence"])
    assert event["data"]["hash"] == entry["hash"]
    verdict = boss.get("dispatch", "/v1/ledger/verify", params={
        "estate_id": estate, "to_seq": event["data"]["sequence"]}).json()
    assert verdict["valid"] and verdict["last_hash"] == event["data"]["hash"]


def test_twenty_concurrent_appends_make_a_gapless_valid_chain(stack):
    estate_id = setup_estate(stack, engineers=0)
    writer = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda n: writer.post("dispatch", "/v1/ledger/entries", json={
            "estate_id": estate_id, "text": f"并发记录 {n}"}), range(20)))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses if r.status_code != 201]
    assert sorted(r.json()["sequence"] for r in responses) == list(range(1, 21))
    entries = sorted(ledger_entries(writer, estate_id), key=lambda e: e["sequence"])
    assert [e["sequence"] for e in entries] == list(range(1, 21))
    assert all(later["previous_hash"] == earlier["hash"] for earlier, later in zip(entries, entries[1:]))
    verdict = writer.get("dispatch", "/v1/ledger/verify", params={"estate_id": estate_id}).json()
    assert verdict["valid"] and verdict["checked"] == 20 and verdict["head"]["hash"] == entries[-1]["hash"]


def test_calls_and_dispatches_go_into_the_ledger_by_themselves(stack, estate):
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate])
    response = agent.post("intake", "/v1/contacts", json=repair_contact(estate, "厨房水管爆裂"))
    assert response.status_code == 201, response.text
    contact_id = response.json()["id"]
    call = eventually(lambda: next((e for e in ledger_entries(agent, estate, "call")
                                    if e["content"]["details"]["contact_id"] == contact_id), None), what="the call")
    assert call["content"]["source"]
    ticket = response.json()["ticket"]
    dispatched = eventually(lambda: [e for e in ledger_entries(agent, estate, "dispatch")
                                     if e["content"]["details"]["ticket_id"] == ticket["id"]
                                     and "派给" in e["content"]["summary"]], what="its dispatch recorded")
    assert dispatched[0]["content"]["source"] != call["content"]["source"]

    # The ticket's order is open: engineering's next handover carries the ticket's number.
    handover = agent.post("dispatch", "/v1/handovers", json=handover_body(
        estate, post="eng-duty", department="engineering", shift_date="2026-11-20", shift={"code": "early"}))
    assert handover.status_code == 201, handover.text
    assert ticket["number"] in handover.json()["open_tickets"]
    assert ticket["id"] in {o["ticket_id"] for o in handover.json()["open_work_orders"]}


def publish(stack, routing_key: str, estate_id: str, data: dict) -> None:
    """An event as another service publishes it (here: intake's key register)."""

    async def send() -> None:
        connection = await aio_pika.connect(stack.amqp)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange("estatedesk.events")
            envelope = Envelope(source="/estatedesk/intake", type=f"estatedesk.{routing_key}.v1",
                                companyid="demo-company", estateid=estate_id, data=data)
            await exchange.publish(aio_pika.Message(body=envelope.model_dump_json().encode(),
                                                    content_type="application/cloudevents+json"),
                                   routing_key=routing_key)

    asyncio.run(send())


def test_keys_on_loan_are_carried_in_the_handover_until_returned(stack):
    estate_id = setup_estate(stack, engineers=0)
    who = people(stack, estate_id)
    loan = {"key_id": "k-b2", "label": "B2 配电房钥匙", "key_kind": "plant_room", "borrower": "王师傅",
            "purpose": "检修", "witnessed_by": "李客服", "lent_at": "2026-11-26T01:00:00Z"}
    # One queue, in order: when loan-1 shows, loan-2's loan and return were applied before it.
    publish(stack, "intake.key.lent", estate_id, {**loan, "key_id": "k-gym", "label": "会所钥匙", "loan_id": "loan-2"})
    publish(stack, "intake.key.returned", estate_id, {**loan, "key_id": "k-gym", "label": "会所钥匙", "loan_id": "loan-2",
                                                      "returned_by": "张三", "returned_at": "2026-11-26T02:00:00Z"})
    publish(stack, "intake.key.lent", estate_id, {**loan, "loan_id": "loan-1"})

    def handover_with_keys(day: int):
        def attempt():
            response = who["outgoing"].post("dispatch", "/v1/handovers", json=handover_body(
                estate_id, post="cs-desk", department="customer_service", shift_date=f"2026-10-{day:02d}",
                shift={"code": "early"}))
            assert response.status_code == 201, response.text
            return response.json()
        return attempt

    # Each attempt files another day's shift, until both loans and the return have been projected.
    days = iter(range(1, 29))
    filed = eventually(lambda: (h := handover_with_keys(next(days))()) and "loan-1" in
                       [k["loan_id"] for k in h["unreturned_keys"]] and h, interval=0.3, what="the key on loan carried")
    assert [k["loan_id"] for k in filed["unreturned_keys"]] == ["loan-1"]  # the returned one is not carried
    assert filed["unreturned_keys"][0]["label"] == "B2 配电房钥匙" and filed["unreturned_keys"][0]["borrower"] == "王师傅"


def test_roles_scope_and_bodies(stack, estate):
    who = people(stack, estate)
    note = {"estate_id": estate, "text": "x"}
    assert who["resident"].post("dispatch", "/v1/ledger/entries", json=note).status_code == 403
    assert who["viewer"].post("dispatch", "/v1/ledger/entries", json=note).status_code == 403
    assert who["viewer"].post("dispatch", "/v1/handovers", json=handover_body(
        estate, post="cs-desk", department="customer_service", shift_date="2026-11-25", shift={"code": "night"},
    )).status_code == 403
    assert who["outgoing"].call("PUT", "dispatch", f"/v1/estates/{estate}/duty-posts", json={"posts": []}).status_code == 403
    assert who["resident"].get("dispatch", "/v1/ledger/verify", params={"estate_id": estate}).status_code == 403

    stranger = who["stranger"]
    for path, params in (("/v1/ledger/verify", {"estate_id": estate}), ("/v1/ledger/entries", {"estate_id": estate}),
                         ("/v1/ledger/head", {"estate_id": estate}), ("/v1/handovers", {"estate_id": estate}),
                         (f"/v1/estates/{estate}/duty-screen", {}), (f"/v1/estates/{estate}/emergency-contacts", {}),
                         ("/v1/spot-checks", {"estate_id": estate})):
        assert stranger.get("dispatch", path, params=params).status_code == 404, path
    assert stranger.post("dispatch", "/v1/ledger/entries", json=note).status_code == 404
    handover = all_pages(admin(stack), "dispatch", "/v1/handovers", {"estate_id": estate})[0]
    assert stranger.get("dispatch", f"/v1/handovers/{handover['id']}").status_code == 404
    assert stranger.post("dispatch", f"/v1/handovers/{handover['id']}/acknowledge", json={}).status_code == 404

    base = handover_body(estate, post="cs-desk", department="customer_service", shift_date="2026-11-25",
                         shift={"code": "night"})
    for change, field in (
        ({"shift": {"code": "odd"}}, "shift.code"),
        ({"shift": {"code": "early", "start": "25:00", "end": "08:00"}}, "shift.start"),
        ({"inspection": {k: v for k, v in ALL_OK.items() if k != "power"}}, "inspection.power"),
        ({"inspection": {**ALL_OK, "power": {"status": "issue"}}}, "inspection.power"),
        ({"checklist": [{"item": "钥匙", "missing": -1}]}, "checklist.0.missing"),
        ({"outgoing_id": "someone-else"}, "outgoing_id"),
        ({"post": "前台"}, "post"),
        ({"shift_date": "0001-01-01"}, "shift_date"),
    ):
        response = who["outgoing"].post("dispatch", "/v1/handovers", json={**base, **change})
        assert response.status_code == 422, (change, response.text)
        assert response.json()["errors"][0]["field"] == field, (change, response.json())
    assert who["outgoing"].post("dispatch", "/v1/ledger/entries", json={**note, "sequence": 1}).status_code == 422
    assert who["outgoing"].post("dispatch", "/v1/ledger/entries", json={**note, "text": ""}).status_code == 422
    bad_posts = {"posts": [{"post": "gate-1", "name": "一号岗", "department": "security", "shifts": [{"code": "x"}]}]}
    response = who["supervisor"].call("PUT", "dispatch", f"/v1/estates/{estate}/duty-posts", json=bad_posts)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "posts.0.shifts.0.code"
    missing = who["incoming"].post("dispatch", "/v1/handovers/01JNOSUCHHANDOVER0000000000/acknowledge", json={})
    assert missing.status_code == 404
