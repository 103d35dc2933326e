"""Demo data of the service desk: an open incident (3栋停水) with two tickets, a patrol round,
a closed and an open satisfaction survey, and a quality check — all through the public APIs.

Idempotent: creates carry an Idempotency-Key (a second run gets the first answers) and
commands that already happened answer 409, which is fine here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx

from devstack.stack import Stack
from shared import clock

ESTATE = "demo-estate"
WATER_CALLS = [
    ("demo-incident-call-1", "13811110001", "王女士", "3栋1单元", "3栋1单元家里突然没水了"),
    ("demo-incident-call-2", "13811110002", "刘先生", "3栋2单元", "3栋2单元水龙头没有水，水压为零"),
]
INCIDENT = {"estate_id": ESTATE, "category": "repair", "subcategory": "plumbing", "priority": "P1",
            "location": "3栋", "description": "3栋供水主管爆裂，全楼停水"}
ROUTE = {"name": "夜间巡楼（3栋—车库）", "checkpoints": [
    {"code": "B3-LOBBY", "name": "3栋大堂", "location": "3栋大堂"},
    {"code": "B3-PUMP", "name": "3栋水泵房", "location": "3栋地下水泵房"},
    {"code": "B3-ROOF", "name": "3栋天台", "location": "3栋天台"},
    {"code": "GARAGE", "name": "地下车库", "location": "地下车库B1"},
]}
ROUND = [  # GARAGE is left out: the completed round lists it as missed
    ("B3-LOBBY", {"result": "ok", "findings": "照明、消防通道正常"}),
    ("B3-PUMP", {"result": "defect", "findings": "水泵房地面积水", "defect": {
        "subcategory": "plumbing", "description": "3栋水泵房地面积水约5厘米，疑似阀门渗漏"}}),
    ("B3-ROOF", {"result": "ok"}),
]
QUESTIONS = [
    {"code": "cs", "area": "customer_service", "text": "客服人员的服务态度"},
    {"code": "eng", "area": "engineering", "text": "报修处理是否及时"},
    {"code": "sec", "area": "security", "text": "小区安全秩序"},
    {"code": "clean", "area": "cleaning", "text": "公共区域清洁"},
    {"code": "green", "area": "greening", "text": "绿化养护"},
]
SPRING_ANSWERS = [("owner-101", {"cs": 4, "eng": 3, "sec": 4, "clean": 3, "green": 4}),
                  ("owner-102", {"cs": 5, "eng": 2, "sec": 4, "clean": 4, "green": 5})]
AUTUMN_ANSWERS = [("owner-101", {"cs": 5, "eng": 4, "sec": 4, "clean": 2, "green": 4}, "楼道垃圾经常过夜才清"),
                  ("owner-103", {"cs": 4, "eng": 4, "sec": 5, "clean": 4, "green": 4}, None)]


def _auth(stack: Stack, user_id: str, roles: list[str], key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {stack.token(user_id=user_id, roles=roles)}"}
    return {**headers, "Idempotency-Key": key} if key else headers


def _ok(response: httpx.Response) -> dict | None:
    """The answer of a create or a command; None when it had happened already (409)."""
    if response.status_code == 409:
        return None
    return response.raise_for_status().json()


def _incident(client: httpx.Client, stack: Stack) -> dict:
    intake = stack.url("intake")
    tickets = []
    for key, phone, name, place, text in WATER_CALLS:
        contact = _ok(client.post(f"{intake}/v1/contacts", headers=_auth(stack, "agent-1", ["agent"], key), json={
            "estate_id": ESTATE, "channel": "hotline", "caller_phone": phone, "caller_name": name,
            "summary": f"住户来电：{text}", "ticket": {"category": "repair", "subcategory": "plumbing",
                                                    "scope": "public_area", "location": place, "description": text}}))
        tickets.append(contact["ticket"])
    incident = _ok(client.post(f"{intake}/v1/incidents", json={**INCIDENT, "ticket_ids": [tickets[0]["id"]]},
                               headers=_auth(stack, "agent-1", ["agent"], "demo-incident-3-water")))
    # The second caller is matched to the incident and linked (its own work order is cancelled).
    return _ok(client.post(f"{intake}/v1/incidents/{incident['id']}/tickets", json={"ticket_id": tickets[1]["id"]},
                           headers=_auth(stack, "agent-1", ["agent"])))


def _patrol(client: httpx.Client, stack: Stack) -> dict:
    intake = stack.url("intake")
    route = _ok(client.post(f"{intake}/v1/estates/{ESTATE}/patrol-routes", json=ROUTE,
                            headers=_auth(stack, "cs-chen", ["supervisor"], "demo-patrol-route")))
    guard = ("sec-zhao", ["technician"])
    patrol_round = _ok(client.post(f"{intake}/v1/patrol-rounds", json={"route_id": route["id"]},
                                   headers=_auth(stack, *guard, "demo-patrol-round")))
    for code, body in ROUND:
        _ok(client.post(f"{intake}/v1/patrol-rounds/{patrol_round['id']}/checkpoints", json={"code": code, **body},
                        headers=_auth(stack, *guard)))
    _ok(client.post(f"{intake}/v1/patrol-rounds/{patrol_round['id']}/complete", headers=_auth(stack, *guard)))
    return client.get(f"{intake}/v1/patrol-rounds/{patrol_round['id']}",
                      headers=_auth(stack, *guard)).raise_for_status().json()


def _survey(client: httpx.Client, stack: Stack, key: str, title: str, answers: list, *, close: bool) -> dict:
    intake, supervisor = stack.url("intake"), ("cs-chen", ["supervisor"])
    survey = _ok(client.post(f"{intake}/v1/surveys", json={"estate_id": ESTATE, "title": title, "questions": QUESTIONS},
                             headers=_auth(stack, *supervisor, key)))
    _ok(client.post(f"{intake}/v1/surveys/{survey['id']}/publish", json={"audience": "all"},
                    headers=_auth(stack, *supervisor)))
    for resident_id, scores, *comment in answers:
        answer = _ok(client.post(f"{intake}/v1/surveys/{survey['id']}/answers",
                                 json={"scores": scores, **({"comment": comment[0]} if comment and comment[0] else {})},
                                 headers=_auth(stack, resident_id, ["resident"])))
        if answer and answer["follow_up_suggested"]:  # the low score with a comment becomes a ticket
            _ok(client.post(f"{intake}/v1/surveys/{survey['id']}/answers/{answer['id']}/ticket",
                            headers=_auth(stack, "agent-1", ["agent"])))
    if close:
        _ok(client.post(f"{intake}/v1/surveys/{survey['id']}/close", headers=_auth(stack, *supervisor)))
    return survey


def _quality_check(client: httpx.Client, stack: Stack) -> dict:
    intake, supervisor = stack.url("intake"), ("cs-chen", ["supervisor"])
    agent = _auth(stack, "agent-2", ["agent"], "demo-qc-call")
    contact = _ok(client.post(f"{intake}/v1/contacts", headers=agent, json={
        "estate_id": ESTATE, "channel": "hotline", "caller_phone": "13811110009", "summary": "咨询本月物业费金额",
        "rang_at": "2026-11-26T09:00:00+08:00", "answered_at": "2026-11-26T09:00:21+08:00"}))
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    sample = _ok(client.post(f"{intake}/v1/quality-samples", headers=_auth(stack, *supervisor, "demo-qc-sample"), json={
        "estate_id": ESTATE, "from_day": today, "to_day": today, "size": 5, "target": "random", "seed": 2026}))
    check = _ok(client.post(f"{intake}/v1/quality-checks", headers=_auth(stack, *supervisor, "demo-qc-check"), json={
        "contact_id": contact["id"], "sample_id": sample["id"], "comments": "接听超过三声；问候语规范，答复清楚",
        "checklist": {"greeting_and_polite_language": True, "caller_and_problem_recorded": True,
                      "reply_time_promised": None, "correct_category_and_priority": None}}))
    return check or {"score": "(checked before)", "month": ""}


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    intake = stack.url("intake")
    incident = _incident(client, stack)
    patrol_round = _patrol(client, stack)
    spring = _survey(client, stack, "demo-survey-spring", "2026年春季满意度调查", SPRING_ANSWERS, close=True)
    autumn = _survey(client, stack, "demo-survey-autumn", "2026年秋季满意度调查", AUTUMN_ANSWERS, close=False)
    check = _quality_check(client, stack)
    return [
        f"{incident['number']}  {incident['status']:<8} {incident['description']} "
        f"({len(incident['ticket_ids'])} tickets grouped)",
        f"  {intake}/v1/incidents/{incident['id']}",
        f"  supervisor and estate manager told: {stack.url('notification')}/v1/messages?estate_id={ESTATE}",
        f"patrol {patrol_round['route_name']}: {patrol_round['defects']} defect ticket, "
        f"missed {patrol_round['missed']}",
        f"  {intake}/v1/patrol-rounds/{patrol_round['id']}",
        f"surveys: {spring['title']} (closed), {autumn['title']} (open), results beside the previous one:",
        f"  {intake}/v1/surveys/{autumn['id']}/results",
        f"quality check {check['score']}/100: {intake}/v1/quality-scores?estate_id={ESTATE}&month={check['month']}",
    ]
