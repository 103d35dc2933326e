"""The front desk's procedures in the demo estate (阳光花园), through the public API: a move-in handed
over, a decoration under way (approved, workers' passes issued, one inspection), a key out on loan
and a lost item waiting for its owner. A second run finds them and changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from devstack.stack import Stack
from shared import clock

ESTATE = "demo-estate"
MOVE_IN = {"estate_id": ESTATE, "kind": "move_in", "unit_id": "3-1-502", "resident_id": "res-zhangsan",
           "applicant_name": "张三"}


def _decoration(today) -> dict:
    return {
        "estate_id": ESTATE, "kind": "decoration", "unit_id": "5-2-1101", "resident_id": "res-lisi",
        "applicant_name": "李四",
        "decoration": {
            "contractor": {"name": "美家装饰工程有限公司", "person_in_charge": "赵工", "phone": "13911112222"},
            "workers": [{"name": "钱师傅", "trade": "水电"}, {"name": "孙师傅", "trade": "泥瓦"}],
            "plan": "厨卫翻新、水电改造，不拆改承重墙",
            "start_date": (today - timedelta(days=2)).isoformat(), "end_date": (today + timedelta(days=28)).isoformat(),
        },
    }


class Desk:
    """Calls intake as one member of staff; a 409 on a second run means the step was done already."""

    def __init__(self, client: httpx.Client, stack: Stack, user_id: str, role: str) -> None:
        self.client, self.base = client, f"{stack.url('intake')}/v1"
        self.headers = {"Authorization": f"Bearer {stack.token(user_id=user_id, roles=[role], estates=[ESTATE])}"}

    def get(self, path: str, **params) -> dict:
        return self.client.get(f"{self.base}{path}", params=params, headers=self.headers).raise_for_status().json()

    def post(self, path: str, body: dict | None = None) -> dict | None:
        response = self.client.post(f"{self.base}{path}", json=body, headers=self.headers)
        if response.status_code == 409:
            return None
        return response.raise_for_status().json()


def _case(desk: Desk, body: dict) -> dict:
    """The demo's case of this kind on this unit, opened if there is none yet."""
    found = desk.get("/procedures", estate_id=ESTATE, kind=body["kind"], unit_id=body["unit_id"])["items"]
    return found[0] if found else desk.post("/procedures", body)


def _run(desk: Desk, case: dict, steps: list[tuple[str, dict | None]]) -> dict:
    for action, body in steps:
        case = desk.post(f"/procedures/{case['id']}/{action}", body) or case
    return desk.get(f"/procedures/{case['id']}")


def _move_in(agent: Desk) -> dict:
    tick = [("checklist", {"item": item}) for item in ("identity_checked", "documents_signed")]
    return _run(agent, _case(agent, MOVE_IN), [
        ("submit", None), *tick,
        ("documents", {"name": "收楼确认书", "reference": "ARCH-3-1-502"}),
        ("keys", {"count": 4}),
        ("meter-readings", {"readings": [{"meter": "water", "reading": "3.2"},
                                         {"meter": "electricity", "reading": "15.6"},
                                         {"meter": "gas", "reading": "0.8"}]}),
        ("cards", {"cards": [{"kind": "access", "number": "MJ-3-1-502-1"},
                             {"kind": "parking", "number": "CW-B1-032"}]}),
        ("complete", {}),
    ])


def _decoration_under_way(agent: Desk, engineering: Desk, technician: Desk, today) -> dict:
    case = _case(agent, _decoration(today))
    papers = ("application_form", "contractor_licence", "plan_drawings", "owner_commitment", "fire_safety_commitment")
    case = _run(agent, case, [*[("checklist", {"item": item}) for item in papers], ("submit", None)])
    case = _run(engineering, case, [("approve", {"fees": {"deposit": "2000.00", "service_fee": "450.00"},
                                                 "note": "同意施工，注意卫生间防水"})])
    if not case["passes"]:
        window = case["details"]
        case = _run(agent, case, [("passes", {"workers": ["钱师傅", "孙师傅"], "valid_from": window["start_date"],
                                              "valid_until": window["end_date"]}), ("start", None)])
    if not case["inspections"]:
        yesterday_morning = datetime.combine(today - timedelta(days=1), time(10, 0), ZoneInfo("Asia/Shanghai"))
        case = _run(technician, case, [("inspections", {"at": yesterday_morning.isoformat(),
                                                        "findings": [{"description": "现场整洁，消防器材到位"}]})])
    return case


def _key_on_loan(agent: Desk) -> dict:
    keys = agent.get("/keys", estate_id=ESTATE, kind="plant_room")["items"]
    key = next((k for k in keys if k["label"] == "2栋水泵房"), None) or agent.post("/keys", {
        "estate_id": ESTATE, "label": "2栋水泵房", "kind": "plant_room", "holder": "服务中心钥匙柜 A-07"})
    agent.post(f"/keys/{key['id']}/lend", {"borrower": "王师傅（工程部）", "purpose": "水泵例行保养",
                                            "witnessed_by": "陈主管"})
    return key


def _lost_item(agent: Desk) -> dict:
    held = agent.get("/lost-items", estate_id=ESTATE, status="held")["items"]
    description = "黑色双肩包，内有笔记本电脑"
    return next((i for i in held if i["description"] == description), None) or agent.post("/lost-items", {
        "estate_id": ESTATE, "description": description, "category": "electronics",
        "found_where": "3栋大堂沙发", "found_at": (clock.now() - timedelta(hours=3)).isoformat(),
        "found_by": "赵队长", "stored_at": "服务中心保险柜"})


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    agent = Desk(client, stack, "cs-chen", "agent")
    engineering = Desk(client, stack, "eng-li", "dispatcher")
    technician = Desk(client, stack, "eng-wang", "technician")
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    move_in = _move_in(agent)
    decoration = _decoration_under_way(agent, engineering, technician, today)
    key = _key_on_loan(agent)
    item = _lost_item(agent)
    base = f"{stack.url('intake')}/v1"
    return [
        f"{move_in['number']}  move-in {move_in['unit_id']} {move_in['status']}, billing from "
        f"{move_in['billing_starts_on']}",
        f"{decoration['number']}  decoration {decoration['unit_id']} {decoration['status']}, "
        f"{len(decoration['passes'])} passes, {len(decoration['inspections'])} inspection",
        f"{base}/procedures?estate_id={ESTATE}",
        f"key {key['label']} out on loan: {base}/estates/{ESTATE}/keys/outstanding",
        f"lost item waiting: {item['description']} ({base}/lost-items?estate_id={ESTATE}&status=held)",
    ]
