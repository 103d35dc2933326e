"""Quality checks through the API: reproducible samples, checklist scores, scores per agent and month."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from shared import clock
from tests.helpers import Api, admin, archived, eventually

ALL_GOOD = {"greeting_and_polite_language": True, "caller_and_problem_recorded": True,
            "reply_time_promised": True, "correct_category_and_priority": True}


def today() -> str:
    return clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def this_month() -> str:
    return today()[:7]


@pytest.fixture(scope="module")
def contacts(intake, estate_id) -> dict[str, dict]:
    """Five contacts by two agents: a complaint, a late answer, a long call, two plain ones."""
    first, second = (Api(intake, user_id=f"{estate_id}-agent-{n}", roles=["agent"], estates=[estate_id])
                     for n in (1, 2))
    base = {"estate_id": estate_id, "channel": "hotline", "caller_phone": "13900003333"}
    bodies = {
        "complaint": (first, {**base, "summary": "投诉保洁", "ticket": {
            "category": "complaint", "subcategory": "cleanliness", "scope": "public_area", "description": "楼道脏"}}),
        "late": (first, {**base, "summary": "咨询停车", "rang_at": "2026-11-26T08:00:00+08:00",
                         "answered_at": "2026-11-26T08:00:40+08:00"}),
        "long": (first, {**base, "summary": "住户反映" + "情况复杂，" * 40}),
        "plain": (second, {**base, "summary": "咨询物业费", "rang_at": "2026-11-26T09:00:00+08:00",
                           "answered_at": "2026-11-26T09:00:05+08:00"}),
        "walk_in": (second, {**base, "channel": "walk_in", "caller_phone": None, "summary": "来访领快递"}),
    }
    logged = {}
    for name, (agent, body) in bodies.items():
        response = agent.post("intake", "/v1/contacts", json=body)
        assert response.status_code == 201, response.text
        logged[name] = response.json()
    return logged


def sample(supervisor: Api, estate_id: str, **body):
    return supervisor.post("intake", "/v1/quality-samples", json={
        "estate_id": estate_id, "from_day": today(), "to_day": today(), **body})


def test_samples_are_reproducible_and_targeted(estate_id, supervisor, contacts):
    drawn = sample(supervisor, estate_id, size=3, seed=42)
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["eligible"] == 5 and len(drawn.json()["contact_ids"]) == 3
    assert set(drawn.json()["contact_ids"]) <= {c["id"] for c in contacts.values()}
    assert sample(supervisor, estate_id, size=3, seed=42).json()["contact_ids"] == drawn.json()["contact_ids"]
    unseeded = sample(supervisor, estate_id, size=2).json()
    assert sample(supervisor, estate_id, size=2, seed=unseeded["seed"]).json()["contact_ids"] == unseeded["contact_ids"]
    for target, name in (("complaints", "complaint"), ("late_answers", "late"), ("long_calls", "long")):
        targeted = sample(supervisor, estate_id, size=10, target=target).json()
        assert targeted["contact_ids"] == [contacts[name]["id"]], target
    kept = supervisor.get("intake", f"/v1/quality-samples/{drawn.json()['id']}").json()
    assert (kept["contact_ids"], kept["seed"]) == (drawn.json()["contact_ids"], 42)


def test_checks_score_the_checklist_and_add_up_per_agent_and_month(intake, estate_id, supervisor, contacts):
    late = supervisor.post("intake", "/v1/quality-checks", json={
        "contact_id": contacts["late"]["id"], "comments": "接听超时，分类有误",
        "checklist": {**ALL_GOOD, "correct_category_and_priority": False}})
    assert late.status_code == 201, late.text
    assert late.json()["checklist"]["answered_within_three_rings"] is False  # taken from the call log
    assert (late.json()["score"], late.json()["failed_items"]) == (
        60, ["answered_within_three_rings", "correct_category_and_priority"])
    complaint = supervisor.post("intake", "/v1/quality-checks", json={
        "contact_id": contacts["complaint"]["id"], "checklist": ALL_GOOD})
    assert complaint.json()["score"] == 100  # no ring times: that item does not apply
    walk_in = supervisor.post("intake", "/v1/quality-checks", json={
        "contact_id": contacts["walk_in"]["id"], "checklist": {
            "greeting_and_polite_language": False, "caller_and_problem_recorded": True,
            "reply_time_promised": None, "correct_category_and_priority": None}})
    assert walk_in.json()["score"] == 50
    twice = supervisor.post("intake", "/v1/quality-checks", json={"contact_id": contacts["late"]["id"],
                                                                  "checklist": ALL_GOOD})
    assert twice.status_code == 409 and twice.json()["field"] == "contact_id"

    scores = supervisor.get("intake", "/v1/quality-scores", params={"estate_id": estate_id,
                                                                    "month": this_month()}).json()
    by_agent = {item["agent_id"]: item for item in scores["items"]}
    first, second = by_agent[f"{estate_id}-agent-1"], by_agent[f"{estate_id}-agent-2"]
    assert (first["checks"], first["average_score"]) == (2, 80.0)
    assert first["failed"] == {"answered_within_three_rings": 1, "correct_category_and_priority": 1}
    assert (second["checks"], second["average_score"], second["failed"]) == (
        1, 50.0, {"greeting_and_polite_language": 1})
    # The agent reads the checks of their own contacts only.
    agent = Api(intake, user_id=f"{estate_id}-agent-2", roles=["agent"], estates=[estate_id])
    own = agent.get("intake", "/v1/quality-checks", params={"estate_id": estate_id}).json()["items"]
    assert [c["contact_id"] for c in own] == [contacts["walk_in"]["id"]]
    assert agent.get("intake", "/v1/quality-scores", params={"estate_id": estate_id,
                                                             "month": this_month()}).status_code == 403
    recorded = eventually(lambda: archived(admin(intake), estate_id, "intake.quality_check.recorded"), what="events")
    assert {e["data"]["score"] for e in recorded} >= {60, 100}


@pytest.mark.parametrize(("body", "field"), [
    ({"checklist": {"greeting_and_polite_language": None, "answered_within_three_rings": None}}, "checklist"),
    ({"checklist": {"smiled": True}}, "checklist.smiled"),
    ({"checklist": {"reply_time_promised": "maybe"}}, "checklist.reply_time_promised"),
    ({"checklist": ALL_GOOD, "score": 100}, "score"),
])
def test_bad_checks_are_refused_with_the_field_named(estate_id, supervisor, contacts, body, field):
    response = supervisor.post("intake", "/v1/quality-checks", json={"contact_id": contacts["plain"]["id"], **body})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in [problem.get("field"), *(e["field"] for e in problem.get("errors", []))]


def test_bad_samples_roles_and_scope(intake, estate_id, supervisor, contacts):
    backwards = sample(supervisor, estate_id, size=3, from_day="2026-11-20", to_day="2026-11-01")
    assert backwards.status_code == 422 and backwards.json()["field"] == "to_day"
    assert sample(supervisor, estate_id, size=0).status_code == 422
    assert sample(supervisor, estate_id, size=3, target="angry").json()["errors"][0]["field"] == "target"
    bad_month = supervisor.get("intake", "/v1/quality-scores", params={"estate_id": estate_id, "month": "2026-13"})
    assert bad_month.status_code == 422
    agent = Api(intake, user_id="agent-9", roles=["agent"], estates=[estate_id])
    assert agent.post("intake", "/v1/quality-checks", json={"contact_id": contacts["plain"]["id"],
                                                            "checklist": ALL_GOOD}).status_code == 403
    outsider = Api(intake, user_id="sup-x", roles=["supervisor"], estates=["other-estate"])
    assert outsider.post("intake", "/v1/quality-checks", json={"contact_id": contacts["plain"]["id"],
                                                               "checklist": ALL_GOOD}).status_code == 404
    assert sample(outsider, estate_id, size=3).status_code == 404
    assert outsider.get("intake", "/v1/quality-scores", params={"estate_id": estate_id,
                                                                "month": this_month()}).status_code == 404
