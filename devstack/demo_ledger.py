"""The demo's duty desk at 阳光花园: emergency contacts, the posts whose shifts must be handed over,
yesterday evening's handover filed and taken over, a spot check, a few notes in the duty ledger,
and the ledger's chain verified."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from devstack.stack import Stack
from shared import clock

ESTATE = "demo-estate"
CONTACTS = [
    {"kind": "police", "name": "阳光派出所", "phone": "0571-87000110", "notes": "社区民警 王警官"},
    {"kind": "fire", "name": "城南消防救援站", "phone": "119"},
    {"kind": "hospital", "name": "市第一人民医院", "phone": "120", "notes": "急诊 0571-87000120"},
    {"kind": "water", "name": "自来水公司抢修", "phone": "96390"},
    {"kind": "gas", "name": "燃气公司抢修", "phone": "96777"},
    {"kind": "power", "name": "供电局", "phone": "95598"},
]
POSTS = {"posts": [
    {"post": "cs-front-desk", "name": "客服前台", "department": "customer_service",
     "shifts": [{"code": "early"}, {"code": "middle"}, {"code": "night"}]},
    {"post": "main-gate", "name": "正门岗", "department": "security",
     "shifts": [{"code": "early"}, {"code": "middle"}, {"code": "night"}]},
]}
ALL_OK = {area: {"status": "ok"} for area in ("security", "water", "power", "equipment", "environment")}
NOTES = ["19:30 巡查 3 栋地下车库，排水泵运行正常", "21:10 业主来电反映 5 栋电梯异响，已派工程部查看",
         "22:40 正门岗报告外卖车辆违停，已劝离"]


def _ok(response: httpx.Response) -> httpx.Response:
    if response.status_code not in (200, 201, 409):
        response.raise_for_status()
    return response


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    dispatch = stack.url("dispatch")
    supervisor = {"Authorization": f"Bearer {stack.token(user_id='cs-chen', name='陈主管', roles=['supervisor'])}"}
    outgoing = {"Authorization": f"Bearer {stack.token(user_id='cs-sun', name='孙客服', roles=['agent'])}"}
    incoming = {"Authorization": f"Bearer {stack.token(user_id='cs-qian', name='钱客服', roles=['agent'])}"}

    _ok(client.put(f"{dispatch}/v1/estates/{ESTATE}/emergency-contacts", json={"contacts": CONTACTS},
                   headers=supervisor))
    _ok(client.put(f"{dispatch}/v1/estates/{ESTATE}/duty-posts", json=POSTS, headers=supervisor))

    # Yesterday's 中班 (16:00–24:00) at the front desk, handed over to the night shift.
    yesterday = (clock.now().astimezone(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date().isoformat()
    handover = {
        "estate_id": ESTATE, "post": "cs-front-desk", "department": "customer_service", "shift_date": yesterday,
        "shift": {"code": "middle"}, "notes": "5 栋电梯异响待工程部复查；明早 9 点燃气公司入户安检",
        "checklist": [{"item": "对讲机", "expected": 4, "counted": 4}, {"item": "灭火器", "expected": 2, "counted": 2},
                      {"item": "公共区域钥匙", "expected": 12, "counted": 11, "missing": 1, "note": "B2 配电房钥匙借出未还"}],
        "inspection": {**ALL_OK, "equipment": {"status": "issue", "note": "5 栋电梯运行有异响"}},
    }
    filed = _ok(client.post(f"{dispatch}/v1/handovers", json=handover, headers=outgoing))
    if filed.status_code == 409:  # a second run: the shift was handed over already
        found = client.get(f"{dispatch}/v1/handovers", params={"estate_id": ESTATE, "post": "cs-front-desk"},
                           headers=supervisor).raise_for_status().json()["items"]
        handover_id = next(h["id"] for h in found if h["shift_date"] == yesterday and h["shift_code"] == "middle")
    else:
        handover_id = filed.json()["id"]
    _ok(client.post(f"{dispatch}/v1/handovers/{handover_id}/acknowledge", headers=incoming,
                    json={"discrepancies": ["公共区域钥匙实点 11 把，B2 配电房钥匙在工程部王师傅处"]}))

    _ok(client.post(f"{dispatch}/v1/spot-checks", headers={**supervisor, "Idempotency-Key": f"demo-spot-{yesterday}"},
                    json={"estate_id": ESTATE, "post": "cs-front-desk", "person_on_duty": "钱客服",
                          "findings": ["着装规范", "来电记录完整"], "result": "satisfactory"}))
    for n, text in enumerate(NOTES):
        _ok(client.post(f"{dispatch}/v1/ledger/entries", json={"estate_id": ESTATE, "text": text},
                        headers={**outgoing, "Idempotency-Key": f"demo-note-{yesterday}-{n}"}))

    verdict = client.get(f"{dispatch}/v1/ledger/verify", params={"estate_id": ESTATE},
                         headers=supervisor).raise_for_status().json()
    state = "valid" if verdict["valid"] else f"BROKEN at {verdict['first_broken']}"
    return [
        f"Duty ledger of 阳光花园: {state}, {verdict['checked']} entries, head #{verdict['head']['sequence']} "
        f"{verdict['head']['hash'][:16]}…",
        f"  verify:      GET {dispatch}/v1/ledger/verify?estate_id={ESTATE}",
        f"  entries:     GET {dispatch}/v1/ledger/entries?estate_id={ESTATE}",
        f"Duty screen:   GET {dispatch}/v1/estates/{ESTATE}/duty-screen?post=cs-front-desk "
        "(last handover, still-open orders, yesterday's figures, emergency contacts)",
        f"Handover:      GET {dispatch}/v1/handovers/{handover_id}",
        f"Spot checks:   GET {dispatch}/v1/spot-checks?estate_id={ESTATE}",
        "Shifts of cs-front-desk and main-gate now end with a handover: their staff on duty are reminded at the "
        "end (dispatch.shift.handover_due), the supervisor hears of one still missing 15 min later "
        "(dispatch.shift.handover_missing).",
    ]
