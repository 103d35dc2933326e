"""Satisfaction surveys through the API: publish, answer once, close, results beside the previous survey."""

from __future__ import annotations

import pytest

from tests.helpers import Api, admin, archived, eventually

QUESTIONS = [
    {"code": "cs", "area": "customer_service", "text": "客服态度"},
    {"code": "eng", "area": "engineering", "text": "维修及时"},
    {"code": "clean", "area": "cleaning", "text": "公共区域卫生"},
]


def resident(intake, estate_id, user_id: str) -> Api:
    return Api(intake, user_id=user_id, roles=["resident"], estates=[estate_id])


def new_survey(supervisor: Api, estate_id: str, title: str, **publish) -> dict:
    created = supervisor.post("intake", "/v1/surveys", json={"estate_id": estate_id, "title": title,
                                                            "questions": QUESTIONS})
    assert created.status_code == 201, created.text
    published = supervisor.post("intake", f"/v1/surveys/{created.json()['id']}/publish", json=publish)
    assert published.status_code == 200, published.text
    return published.json()


def answer(api: Api, survey: dict, scores: dict, **extra):
    return api.post("intake", f"/v1/surveys/{survey['id']}/answers", json={"scores": scores, **extra})


def test_results_per_area_are_compared_with_the_previous_survey(intake, estate_id, supervisor, agent):
    spring = new_survey(supervisor, estate_id, "2026年春季满意度调查")
    for user, scores in (("r1", {"cs": 3, "eng": 2, "clean": 4}), ("r2", {"cs": 5, "eng": 4, "clean": 4})):
        assert answer(resident(intake, estate_id, user), spring, scores).status_code == 201
    assert supervisor.post("intake", f"/v1/surveys/{spring['id']}/close").status_code == 200

    autumn = new_survey(supervisor, estate_id, "2026年秋季满意度调查", audience="sample", sample_size=200)
    assert autumn["audience"] == "sample" and autumn["sample_size"] == 200
    low = answer(resident(intake, estate_id, "r1"), autumn, {"cs": 5, "eng": 4, "clean": 1}, comment="楼道垃圾没人清")
    assert low.status_code == 201, low.text
    assert (low.json()["channel"], low.json()["low_scores"], low.json()["follow_up_suggested"]) == (
        "app", ["clean"], True)
    second = answer(resident(intake, estate_id, "r1"), autumn, {"cs": 1})
    assert second.status_code == 409
    not_theirs = answer(resident(intake, estate_id, "r4"), autumn, {"cs": 4}, unit_id="9-9-999")
    assert not_theirs.status_code == 404
    for_someone_else = answer(resident(intake, estate_id, "r4"), autumn, {"cs": 4}, resident_id="r1")
    assert for_someone_else.status_code == 403
    by_phone = answer(agent, autumn, {"cs": 4, "eng": 5}, resident_id="r3", unit_id="5-2-301")
    assert by_phone.status_code == 201 and by_phone.json()["channel"] == "phone"

    results = agent.get("intake", f"/v1/surveys/{autumn['id']}/results").json()
    assert results["respondents"] == 2
    assert results["areas"]["customer_service"] == {"count": 2, "average": 4.5,
                                                    "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}
    assert results["areas"]["cleaning"]["count"] == 1 and results["areas"]["cleaning"]["average"] == 1.0
    assert results["previous"]["survey_id"] == spring["id"]
    assert results["previous"]["areas"]["engineering"]["average"] == 3.0
    assert results["changes"] == {"customer_service": 0.5, "engineering": 1.5, "cleaning": -3.0}

    # The low score with a comment becomes a complaint ticket; a content answer cannot.
    ticketed = agent.post("intake", f"/v1/surveys/{autumn['id']}/answers/{low.json()['id']}/ticket")
    assert ticketed.status_code == 200, ticketed.text
    ticket = agent.get("intake", f"/v1/tickets/{ticketed.json()['ticket_id']}").json()
    assert (ticket["category"], ticket["subcategory"], ticket["description"]) == (
        "complaint", "cleanliness", "楼道垃圾没人清")
    again = agent.post("intake", f"/v1/surveys/{autumn['id']}/answers/{low.json()['id']}/ticket")
    assert again.json()["ticket_id"] == ticket["id"]
    content = agent.post("intake", f"/v1/surveys/{autumn['id']}/answers/{by_phone.json()['id']}/ticket")
    assert content.status_code == 409

    def survey_events() -> list[dict]:
        return [e for name in ("published", "answered", "closed")
                for e in archived(admin(intake), estate_id, f"intake.survey.{name}")]

    events = eventually(lambda: len(found := survey_events()) >= 7 and found, what="the survey events")
    kinds = ("published", "answered", "closed")
    assert {e["type"] for e in events} == {f"estatedesk.intake.survey.{kind}.v1" for kind in kinds}


def test_closed_surveys_take_no_answers_and_cannot_be_published_again(intake, estate_id, supervisor):
    survey = new_survey(supervisor, estate_id, "关闭测试")
    assert supervisor.post("intake", f"/v1/surveys/{survey['id']}/close").status_code == 200
    late = answer(resident(intake, estate_id, "r9"), survey, {"cs": 4})
    assert late.status_code == 409 and late.json()["code"] == "invalid_transition"
    assert supervisor.post("intake", f"/v1/surveys/{survey['id']}/publish", json={}).status_code == 409
    assert supervisor.post("intake", f"/v1/surveys/{survey['id']}/close").status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"scores": {"cs": 6}}, "scores.cs"),
    ({"scores": {"cs": 0}}, "scores.cs"),
    ({"scores": {"nope": 3}}, "scores.nope"),
    ({"scores": {}}, "scores"),
    ({"scores": {"cs": 3}, "rating": 5}, "rating"),
])
def test_bad_answers_are_refused_with_the_field_named(intake, estate_id, supervisor, body, field):
    survey = new_survey(supervisor, estate_id, f"校验 {field}")
    response = resident(intake, estate_id, "r5").post("intake", f"/v1/surveys/{survey['id']}/answers", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in [problem.get("field"), *(e["field"] for e in problem.get("errors", []))]


def test_bad_surveys_roles_and_scope(intake, estate_id, supervisor, agent):
    bad_area = {"estate_id": estate_id, "title": "x", "questions": [{"code": "a", "area": "parking", "text": "?"}]}
    refused = supervisor.post("intake", "/v1/surveys", json=bad_area)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "questions.0.area"
    twice = {"estate_id": estate_id, "title": "x", "questions": [QUESTIONS[0], QUESTIONS[0]]}
    assert supervisor.post("intake", "/v1/surveys", json=twice).json()["field"] == "questions.1.code"
    draft = supervisor.post("intake", "/v1/surveys", json={"estate_id": estate_id, "title": "草稿",
                                                          "questions": QUESTIONS}).json()
    no_size = supervisor.post("intake", f"/v1/surveys/{draft['id']}/publish", json={"audience": "sample"})
    assert no_size.status_code == 422 and no_size.json()["field"] == "sample_size"
    assert answer(agent, draft, {"cs": 3}, resident_id="r1").status_code == 409  # a draft takes no answers
    survey = new_survey(supervisor, estate_id, "权限测试")
    nameless = answer(agent, survey, {"cs": 3})
    assert nameless.status_code == 422 and nameless.json()["field"] == "resident_id"
    assert resident(intake, estate_id, "r1").post("intake", "/v1/surveys", json=bad_area).status_code == 403
    assert resident(intake, estate_id, "r1").get("intake", f"/v1/surveys/{survey['id']}/results").status_code == 403
    outsider = Api(intake, user_id="sup-x", roles=["supervisor"], estates=["other-estate"])
    assert outsider.get("intake", f"/v1/surveys/{survey['id']}").status_code == 404
    assert answer(outsider, survey, {"cs": 3}, resident_id="r1").status_code == 404
    assert outsider.post("intake", "/v1/surveys", json={"estate_id": estate_id, "title": "x",
                                                        "questions": QUESTIONS}).status_code == 404
