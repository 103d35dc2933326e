"""The call log (来电记录): GET /v1/contacts by estate, day, channel, agent, outcome and answered-in-time,
in cursor pages, and as CSV or XLSX with times in the estate's local time."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl

from shared import clock
from tests.helpers import Api, all_pages, repair_contact, setup_estate

SHANGHAI = ZoneInfo("Asia/Shanghai")


def log(api: Api, body: dict, *, within: bool | None) -> dict:
    if within is not None:
        rang = clock.now() - timedelta(minutes=1)
        body = {**body, "rang_at": rang.isoformat(),
                "answered_at": (rang + timedelta(seconds=5 if within else 40)).isoformat()}
    response = api.post("intake", "/v1/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_call_log_filters_pages_and_downloads(intake):
    estate_id = setup_estate(intake, engineers=0)
    li = Api(intake, user_id="agent-li", name="李客服", roles=["agent"], estates=[estate_id])
    wang = Api(intake, user_id="agent-wang", name="王客服", roles=["agent"], estates=[estate_id])
    question = {"estate_id": estate_id, "channel": "hotline", "caller_phone": "13900001111", "summary": "咨询物业费"}
    contacts = {
        "quick_answer": log(li, question, within=True),
        "late_repair": log(li, repair_contact(estate_id), within=False),
        "visit": log(li, {**question, "channel": "walk_in", "summary": "来访咨询停车"}, within=None),
        "other_agent": log(wang, question, within=True),
    }
    ids = {name: contact["id"] for name, contact in contacts.items()}

    def listed(**params) -> set[str]:
        return {c["id"] for c in all_pages(li, "intake", "/v1/contacts", {"estate_id": estate_id, **params})}

    assert listed() == set(ids.values())
    assert listed(channel="hotline") == {ids["quick_answer"], ids["late_repair"], ids["other_agent"]}
    assert listed(agent_id="agent-wang") == {ids["other_agent"]}
    assert listed(outcome="ticket_opened") == {ids["late_repair"]}
    assert listed(answered_in_time="true") == {ids["quick_answer"], ids["other_agent"]}
    assert listed(answered_in_time="false") == {ids["late_repair"]}
    # By the estate's local day (computed from when each was logged, so midnight cannot split the test).
    days = {n: datetime.fromisoformat(c["logged_at"]).astimezone(SHANGHAI).date() for n, c in contacts.items()}
    day = days["quick_answer"]
    assert listed(day=day.isoformat()) == {ids[n] for n, d in days.items() if d == day}
    assert listed(day=(day - timedelta(days=1)).isoformat()) == {ids[n] for n, d in days.items() if d < day}

    first = li.get("intake", "/v1/contacts", params={"estate_id": estate_id, "limit": 3}).json()
    assert [c["id"] for c in first["items"]] == sorted(ids.values(), reverse=True)[:3] and first["next_cursor"]
    late = next(c for c in first["items"] if c["id"] == ids["late_repair"])
    assert (late["agent_name"], late["caller_phone"], late["ticket_number"]) == (
        "李客服", "+8613900001111", contacts["late_repair"]["ticket"]["number"])
    bad = li.get("intake", "/v1/contacts", params={"estate_id": estate_id, "answered_in_time": "maybe"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "answered_in_time"

    download = li.get("intake", "/v1/contacts", params={"estate_id": estate_id, "format": "csv", "channel": "hotline"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["时间", "渠道", "来电号码", "来电人", "坐席"] and len(rows) == 4
    repair_row = next(r for r in rows if r[9] == contacts["late_repair"]["ticket"]["number"])
    logged = datetime.fromisoformat(contacts["late_repair"]["logged_at"]).astimezone(SHANGHAI)
    assert repair_row[0] == logged.strftime("%Y-%m-%d %H:%M:%S")  # the estate's local time
    assert (repair_row[1], repair_row[4], repair_row[7], repair_row[8]) == ("热线", "李客服", "否", "已立单")

    sheet = li.get("intake", "/v1/contacts", params={"estate_id": estate_id, "format": "xlsx", "agent_id": "agent-li"})
    assert sheet.status_code == 200
    worksheet = openpyxl.load_workbook(io.BytesIO(sheet.content)).active
    cells = [[cell.value for cell in row] for row in worksheet.iter_rows()]
    assert cells[0][0] == "时间" and len(cells) == 4
    assert {row[10] for row in cells[1:]} == {"咨询物业费", "来电报修：卫生间漏水", "来访咨询停车"}

    stranger = Api(intake, user_id="agent-x", roles=["agent"], estates=["another-estate"])
    assert stranger.get("intake", "/v1/contacts", params={"estate_id": estate_id}).status_code == 404
