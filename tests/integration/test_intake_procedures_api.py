"""Procedures (手续办理) through intake's API: move-in, decoration, move-out, the card register, and every bad path."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from shared import clock
from tests.helpers import Api, archived, eventually

P = "/v1/procedures"
DECORATION = {
    "contractor": {"name": "美家装饰", "person_in_charge": "赵工", "phone": "13911112222"},
    "workers": [{"name": "钱师傅", "trade": "水电"}, {"name": "孙师傅", "trade": "泥瓦"}, {"name": "李师傅"}],
    "plan": "厨卫翻新，水电改造，不动承重墙",
    "start_date": "2027-01-04", "end_date": "2027-01-15",
    "allowed_hours": [{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
}


@pytest.fixture(scope="module")
def people(intake, estate_id) -> dict[str, Api]:
    def as_(user: str, *roles: str) -> Api:
        return Api(intake, user_id=user, roles=list(roles), estates=[estate_id])
    return {"agent": as_("agent-1", "agent"), "supervisor": as_("sup-1", "supervisor"),
            "engineering": as_("eng-lead", "dispatcher"), "technician": as_("tech-1", "technician")}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    if code:
        assert body["code"] == code, body
    return body


def open_case(api: Api, estate_id: str, kind: str, unit_id: str, **extra) -> dict:
    return ok(api.post("intake", P, json={"estate_id": estate_id, "kind": kind, "unit_id": unit_id, **extra}), 201)


def act(api: Api, case: dict, action: str, body: dict | None = None):
    return api.post("intake", f"{P}/{case['id']}/{action}", json=body)


def tick_all(api: Api, case: dict, items: list[str]) -> dict:
    for item in items:
        case = ok(act(api, case, "checklist", {"item": item}))
    return case


def test_a_move_in_runs_to_completion_and_tells_billing_when_to_start(intake, estate_id, people):
    agent = people["agent"]
    case = open_case(agent, estate_id, "move_in", "1-2-301", resident_id="res-301", applicant_name="王五")
    assert case["status"] == "draft" and case["number"].startswith("SX-")
    assert agent.get("intake", f"/v1/procedures/{case['number']}").json()["id"] == case["id"]  # by its number
    assert [i["item"] for i in case["checklist"]] == ["identity_checked", "documents_signed", "keys_handed_over",
                                                       "meter_readings_taken", "cards_issued"]
    case = ok(act(agent, case, "submit"))
    assert case["status"] == "in_progress"
    missing = refused(act(agent, case, "complete", {}), 409, "checklist_incomplete")
    assert len(missing["missing"]) == 5
    refused(act(agent, case, "checklist", {"item": "keys_handed_over"}), 422)  # counted, not ticked by hand
    case = tick_all(agent, case, ["identity_checked", "documents_signed"])
    case = ok(act(agent, case, "documents", {"name": "收楼确认书", "reference": "ARCH-301"}))
    case = ok(act(agent, case, "keys", {"count": 4}))
    readings = [{"meter": "water", "reading": "12.5"}, {"meter": "electricity", "meter_number": "E-88", "reading": "301"},
                {"meter": "gas", "reading": "0.125"}]
    case = ok(act(agent, case, "meter-readings", {"readings": readings}))
    case = ok(act(agent, case, "cards", {"cards": [{"kind": "access", "number": "A301-1"},
                                                   {"kind": "parking", "number": "P-0301"}]}))
    assert all(item["done"] and item["by"] == "agent-1" for item in case["checklist"])
    done = ok(act(agent, case, "complete", {}))
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert (done["status"], done["billing_starts_on"], done["keys_counted"]) == ("completed", today, 4)
    assert [h["action"] for h in done["history"]][-1] == "complete" and len(done["history"]) == 9
    refused(act(agent, done, "cancel", {"reason": "太晚了"}), 409, "invalid_transition")

    event = eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.procedure.completed")
                                if e["subject"] == case["id"]], what="the completed move-in archived")[0]["data"]
    assert (event["kind"], event["resident_id"], event["unit_id"]) == ("move_in", "res-301", "1-2-301")
    assert event["billing_starts_on"] == event["resident_active_from"] == today
    assert {r["meter"]: r["reading"] for r in event["meter_readings"]} == {"water": "12.5", "electricity": "301",
                                                                          "gas": "0.125"}
    assert event["keys_counted"] == 4 and event["details"]["cards"] == ["access:A301-1", "parking:P-0301"]
    cards = ok(agent.get("intake", "/v1/cards", params={"estate_id": estate_id, "unit_id": "1-2-301"}))["items"]
    assert sorted((c["kind"], c["status"], c["procedure_id"]) for c in cards) == [
        ("access", "active", case["id"]), ("parking", "active", case["id"])]


def test_a_move_in_may_set_a_later_billing_start(estate_id, people):
    agent = people["agent"]
    case = ok(act(agent, open_case(agent, estate_id, "move_in", "1-2-302", resident_id="res-302"), "submit"))
    case = tick_all(agent, case, ["identity_checked", "documents_signed"])
    case = ok(act(agent, case, "keys", {"count": 2}))
    case = ok(act(agent, case, "meter-readings", {"readings": [{"meter": "water", "reading": "1"}]}))
    case = ok(act(agent, case, "cards", {"cards": [{"kind": "access", "number": "A302-1"}]}))
    assert ok(act(agent, case, "complete", {"billing_starts_on": "2027-01-01"}))["billing_starts_on"] == "2027-01-01"


def decoration_ready_for_review(agent: Api, estate_id: str, unit_id: str) -> dict:
    case = open_case(agent, estate_id, "decoration", unit_id, resident_id=f"res-{unit_id}", decoration=DECORATION)
    case = tick_all(agent, case, ["application_form", "contractor_licence", "plan_drawings", "owner_commitment",
                                  "fire_safety_commitment"])
    return ok(act(agent, case, "submit"))


def test_a_decoration_from_review_to_the_deposit_refunded_less_what_is_withheld(intake, estate_id, people):
    agent, supervisor, engineering, technician = (people[k] for k in ("agent", "supervisor", "engineering", "technician"))
    case = open_case(agent, estate_id, "decoration", "2-1-801", resident_id="res-801", decoration=DECORATION)
    refused(act(agent, case, "submit"), 409, "checklist_incomplete")  # the application's papers first
    case = tick_all(agent, case, ["application_form", "contractor_licence", "plan_drawings", "owner_commitment",
                                  "fire_safety_commitment"])
    case = ok(act(agent, case, "submit"))
    assert case["status"] == "under_review"
    fees = {"fees": {"deposit": "2000.00", "service_fee": "300.50"}}
    refused(act(agent, case, "approve", fees), 403, "forbidden")
    refused(act(supervisor, case, "approve", fees), 403, "forbidden")  # engineering reviews decorations
    assert refused(act(engineering, case, "approve", {}), 422)["field"] == "fees"
    case = ok(act(engineering, case, "approve", {**fees, "note": "同意，注意防水"}))
    assert case["status"] == "approved" and case["fees"] == {"deposit": "2000.00", "service_fee": "300.50"}

    fee_event = eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.procedure.fee_requested")
                                    if e["subject"] == case["id"]], what="the fees requested")[0]["data"]
    assert [(line["item"], line["amount"], line["refundable"], line["line_id"]) for line in fee_event["lines"]] == [
        ("decoration_deposit", "2000.00", True, f"{case['id']}:decoration_deposit"),
        ("decoration_service_fee", "300.50", False, f"{case['id']}:decoration_service_fee")]
    assert fee_event["kind"] == "decoration" and fee_event["unit_id"] == "2-1-801"

    assert refused(act(agent, case, "passes", {"workers": ["无名氏"], "valid_from": "2027-01-04",
                                               "valid_until": "2027-01-15"}), 422)["field"] == "workers"
    assert refused(act(agent, case, "passes", {"workers": ["钱师傅"], "valid_from": "2027-01-04",
                                               "valid_until": "2027-01-20"}), 422)["field"] == "valid_until"
    case = ok(act(agent, case, "passes", {"workers": ["钱师傅", "孙师傅"], "valid_from": "2027-01-04",
                                          "valid_until": "2027-01-15"}))
    assert [(p["pass_number"], p["worker"]) for p in case["passes"]] == [
        (f"{case['number']}-W01", "钱师傅"), (f"{case['number']}-W02", "孙师傅")]
    refused(act(technician, case, "inspections", {}), 409, "invalid_transition")  # the works have not started
    case = ok(act(agent, case, "start"))

    within = {"at": "2027-01-05T09:30:00+08:00", "findings": [{"description": "工地整洁"}]}
    case = ok(act(technician, case, "inspections", within))
    assert case["flagged"] is False and case["inspections"][0]["outside_approved_works"] is None
    late = {"at": "2027-01-06T22:15:00+08:00",
            "findings": [{"description": "夜间电钻施工扰民", "open_ticket": True}, {"description": "未关闭消防通道门"}]}
    case = ok(act(technician, case, "inspections", late))
    assert case["flagged"] is True and case["flags"][-1]["reason"] == "outside_allowed_hours"
    findings = case["inspections"][-1]["findings"]
    assert findings[0]["ticket_id"] and findings[1]["ticket_id"] is None
    ticket = ok(agent.get("intake", f"/v1/tickets/{findings[0]['ticket_id']}"))
    assert (ticket["category"], ticket["subcategory"], ticket["unit_id"], ticket["channel"]) == (
        "complaint", "decoration", "2-1-801", "patrol")
    case = ok(act(agent, case, "works", {"at": "2027-01-03T10:00:00+08:00", "description": "提前进场拆除"}))
    assert [f["reason"] for f in case["flags"]] == ["outside_allowed_hours", "before_start_date"]
    flagged = ok(agent.get("intake", P, params={"estate_id": estate_id, "flagged": "true"}))["items"]
    assert [c["id"] for c in flagged] == [case["id"]]
    def flags_told() -> list[dict] | None:
        told = [e["data"] for e in archived(people["supervisor"], estate_id, "intake.procedure.works_flagged")
                if e["subject"] == case["id"]]
        return told if len(told) == 2 else None

    told = eventually(flags_told, what="both flags announced")
    assert sorted((t["reason"], t["source"], t["local_time"]) for t in told) == [
        ("before_start_date", "works_report", "2027-01-03 10:00"),
        ("outside_allowed_hours", "inspection", "2027-01-06 22:15")]

    refused(act(agent, case, "acceptance", {"passed": True}), 403)  # engineering accepts the works
    case = ok(act(technician, case, "acceptance", {"passed": False, "findings": "卫生间闭水试验渗漏"}))
    assert case["status"] == "in_progress"
    refused(act(supervisor, case, "deposit-settlement", {}), 409, "invalid_transition")
    case = ok(act(technician, case, "acceptance", {"passed": True, "findings": "整改完成"}))
    assert case["status"] == "accepted" and [a["passed"] for a in case["acceptances"]] == [False, True]

    withheld = {"withheld": [{"amount": "300.01", "reason": "公共走廊墙面损坏修复"}, {"amount": "19.99", "reason": "装修垃圾清运"}]}
    refused(act(agent, case, "deposit-settlement", withheld), 403)
    too_much = {"withheld": [{"amount": "2000.01", "reason": "全部扣除"}]}
    assert refused(act(supervisor, case, "deposit-settlement", too_much), 422)["field"] == "withheld"
    refused(act(supervisor, case, "deposit-settlement", {"withheld": [{"amount": "10.00", "reason": ""}]}), 422)
    done = ok(act(supervisor, case, "deposit-settlement", withheld))
    settlement = done["deposit_settlement"]
    assert done["status"] == "completed"
    assert (settlement["deposit"], settlement["withheld"], settlement["refund"]) == ("2000.00", "320.00", "1680.00")
    assert [w["reason"] for w in settlement["withholdings"]] == ["公共走廊墙面损坏修复", "装修垃圾清运"]

    refund = eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.procedure.deposit_settled")
                                 if e["subject"] == case["id"]], what="the deposit settled")[0]["data"]
    assert (refund["deposit"], refund["withheld"], refund["refund"]) == ("2000.00", "320.00", "1680.00")
    assert refund["line_id"] == f"{case['id']}:decoration_deposit"
    assert [w["amount"] for w in refund["withholdings"]] == ["300.01", "19.99"]
    eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.procedure.completed")
                        if e["subject"] == case["id"] and e["data"]["kind"] == "decoration"], what="completed")


def test_a_rejected_decoration_keeps_its_reasons_and_goes_no_further(estate_id, people):
    agent, engineering = people["agent"], people["engineering"]
    case = decoration_ready_for_review(agent, estate_id, "2-1-802")
    refused(act(engineering, case, "reject", {"reasons": []}), 422)
    refused(act(engineering, case, "reject", {"reasons": ["  "]}), 422)
    case = ok(act(engineering, case, "reject", {"reasons": ["拆改承重墙", "缺少防水方案"]}))
    assert case["status"] == "rejected" and case["rejection"]["reasons"] == ["拆改承重墙", "缺少防水方案"]
    refused(act(engineering, case, "approve", {"fees": {"deposit": "1.00", "service_fee": "1.00"}}), 409,
            "invalid_transition")
    refused(act(agent, case, "passes", {"workers": ["钱师傅"], "valid_from": "2027-01-04", "valid_until": "2027-01-05"}),
            409)
    event = eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.procedure.rejected")
                                if e["subject"] == case["id"]], what="the rejection archived")[0]
    assert event["data"]["reasons"] == ["拆改承重墙", "缺少防水方案"] and event["data"]["kind"] == "decoration"


def test_a_move_out_needs_a_supervisor_and_cancels_the_residents_cards(estate_id, people):
    agent, supervisor = people["agent"], people["supervisor"]
    card = ok(agent.post("intake", "/v1/cards", json={"estate_id": estate_id, "unit_id": "3-1-101",
                                                      "resident_id": "res-101", "kind": "access", "number": "A101"}), 201)
    case = ok(act(agent, open_case(agent, estate_id, "move_out", "3-1-101", resident_id="res-101"), "submit"))
    refused(act(agent, case, "approve", {}), 403)
    case = ok(act(supervisor, case, "approve", {}))
    refused(act(supervisor, case, "complete", {}), 409)  # not started
    case = ok(act(agent, case, "start"))
    case = tick_all(agent, case, ["fees_cleared", "cards_returned", "release_pass_issued"])
    case = ok(act(agent, case, "keys", {"count": 3}))
    case = ok(act(agent, case, "meter-readings", {"readings": [{"meter": "electricity", "reading": "5120.5"}]}))
    done = ok(act(agent, case, "complete", {}))
    assert done["status"] == "completed" and done["billing_starts_on"] is None
    assert ok(agent.get("intake", "/v1/cards", params={"estate_id": estate_id, "unit_id": "3-1-101"}))["items"][0][
        "status"] == "cancelled"
    assert card["status"] == "active"


def test_the_card_register(estate_id, people):
    agent = people["agent"]
    body = {"estate_id": estate_id, "unit_id": "4-1-201", "kind": "parking", "number": "P-201"}
    card = ok(agent.post("intake", "/v1/cards", json=body), 201)
    assert refused(agent.post("intake", "/v1/cards", json=body), 409)["field"] == "number"
    lost = ok(agent.post("intake", f"/v1/cards/{card['id']}/report-lost", json={"note": "业主报失"}))
    assert lost["status"] == "lost"
    refused(agent.post("intake", f"/v1/cards/{card['id']}/report-lost"), 409, "invalid_transition")
    assert ok(agent.post("intake", "/v1/cards", json=body), 201)["status"] == "active"  # the number is free again
    assert ok(agent.post("intake", f"/v1/cards/{card['id']}/cancel"))["status"] == "cancelled"
    history = ok(agent.get("intake", f"/v1/cards/{card['id']}"))["history"]
    assert [(h["status"], h["reason"]) for h in history] == [("active", None), ("lost", "业主报失"), ("cancelled", None)]
    lost_cards = ok(agent.get("intake", "/v1/cards", params={"estate_id": estate_id, "status": "cancelled"}))["items"]
    assert card["id"] in [c["id"] for c in lost_cards]
    eventually(lambda: [e for e in archived(people["supervisor"], estate_id, "intake.card.lost") if e["subject"] == card["id"]],
               what="the lost card announced")


def test_other_kinds_and_their_approvers(estate_id, people):
    agent, supervisor, engineering = people["agent"], people["supervisor"], people["engineering"]
    tenancy = {"tenant_name": "陈六", "lease_start": "2027-01-01", "lease_end": "2027-12-31"}
    case = open_case(agent, estate_id, "tenant_registration", "5-1-101", tenancy=tenancy)
    case = tick_all(agent, case, ["owner_consent", "tenant_identity_checked", "lease_contract_copied",
                                  "tenant_commitment_signed"])
    case = ok(act(agent, case, "submit"))
    refused(act(engineering, case, "approve", {}), 403)
    refused(act(supervisor, case, "approve", {"fees": {"deposit": "1.00", "service_fee": "0"}}), 422)
    case = ok(act(supervisor, case, "approve", {}))
    case = ok(act(agent, ok(act(agent, case, "start")), "complete", {}))
    assert case["status"] == "completed" and case["details"]["tenant_name"] == "陈六"
    utilities = open_case(agent, estate_id, "utility_transfer", "5-1-102",
                          utilities={"utilities": ["water", "electricity"], "new_account_holder": "周七"})
    assert ok(act(agent, utilities, "cancel", {"reason": "业主撤回"}))["status"] == "cancelled"


def test_an_action_on_a_stale_version_is_a_conflict(estate_id, people):
    agent = people["agent"]
    case = open_case(agent, estate_id, "move_in", "6-2-101", resident_id="res-621")
    read = agent.get("intake", f"{P}/{case['id']}")
    assert read.headers["ETag"] == '"1"'
    first = agent.post("intake", f"{P}/{case['id']}/checklist", json={"item": "identity_checked"},
                       headers={"If-Match": read.headers["ETag"]})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = agent.post("intake", f"{P}/{case['id']}/submit", headers={"If-Match": '"1"'})
    refused(stale, 409, "version_conflict")
    assert refused(agent.post("intake", f"{P}/{case['id']}/submit", headers={"If-Match": "soon"}), 422)[
        "field"] == "If-Match"


def test_invalid_transitions_are_409(estate_id, people):
    agent = people["agent"]
    case = open_case(agent, estate_id, "ownership_transfer", "6-1-101", transfer={"buyer_name": "吴八"})
    refused(act(agent, case, "complete", {}), 409, "invalid_transition")
    refused(act(agent, case, "start"), 409, "invalid_transition")
    refused(act(agent, case, "keys", {"count": 1}), 409, "invalid_transition")  # not a thing a transfer records
    cancelled = ok(act(agent, case, "cancel", {"reason": "重复登记"}))
    refused(act(agent, cancelled, "submit"), 409, "invalid_transition")
    refused(act(agent, cancelled, "checklist", {"item": "fees_settled"}), 409, "invalid_transition")


def test_lists_filter_by_kind_status_and_unit(estate_id, people):
    agent = people["agent"]
    case = open_case(agent, estate_id, "utility_transfer", "7-1-101",
                     utilities={"utilities": ["gas"], "new_account_holder": "郑九"})
    params = {"estate_id": estate_id, "kind": "utility_transfer", "status": "draft", "unit_id": "7-1-101"}
    assert [c["id"] for c in ok(agent.get("intake", P, params=params))["items"]] == [case["id"]]
    assert ok(agent.get("intake", P, params={**params, "status": "completed"}))["items"] == []
    assert refused(agent.get("intake", P, params={**params, "kind": "wedding"}), 422)["errors"][0]["field"] == "kind"
    assert refused(agent.get("intake", P, params={**params, "status": "lost"}), 422)["errors"][0]["field"] == "status"


def test_another_estates_token_finds_nothing(intake, estate_id, people):
    case = open_case(people["agent"], estate_id, "move_in", "8-1-101", resident_id="res-8")
    stranger = Api(intake, user_id="agent-9", roles=["agent", "supervisor"], estates=["other-estate"])
    refused(stranger.get("intake", f"{P}/{case['id']}"), 404, "not_found")
    refused(act(stranger, case, "submit"), 404, "not_found")
    refused(stranger.get("intake", P, params={"estate_id": estate_id}), 404)
    body = {"estate_id": estate_id, "kind": "move_in", "unit_id": "8-1-102", "resident_id": "res-9"}
    refused(stranger.post("intake", P, json=body), 404)
    refused(stranger.post("intake", "/v1/cards", json={"estate_id": estate_id, "unit_id": "8-1-1", "kind": "access",
                                                       "number": "X1"}), 404)


def test_a_reader_without_a_front_desk_role_may_not_open_a_case(intake, estate_id):
    viewer = Api(intake, user_id="ops-1", roles=["ops_viewer"], estates=[estate_id])
    body = {"estate_id": estate_id, "kind": "move_in", "unit_id": "9-1-101", "resident_id": "res-9"}
    refused(viewer.post("intake", P, json=body), 403, "forbidden")
    technician = Api(intake, user_id="tech-2", roles=["technician"], estates=[estate_id])
    refused(technician.post("intake", P, json=body), 403, "forbidden")


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b.update(kind="wedding"), "kind"),
    (lambda b: b.pop("unit_id"), "unit_id"),
    (lambda b: b.update(unit_id="3 栋/502"), "unit_id"),
    (lambda b: b.pop("decoration"), "decoration"),
    (lambda b: b.update(kind="move_in", resident_id="res-1"), "decoration"),  # details of another kind
    (lambda b: b.update(status="completed"), "status"),
    (lambda b: b["decoration"].update(end_date="2027-01-01"), "decoration"),
    (lambda b: b["decoration"].update(workers=[]), "decoration.workers"),
    (lambda b: b["decoration"]["contractor"].pop("phone"), "decoration.contractor.phone"),
    (lambda b: b["decoration"].update(allowed_hours=[{"start": "18:00", "end": "08:00"}]), "decoration.allowed_hours.0"),
])
def test_bad_cases_are_refused_with_the_field_named(estate_id, people, change, field):
    body = {"estate_id": estate_id, "kind": "decoration", "unit_id": "9-9-909",
            "decoration": {**DECORATION, "contractor": {**DECORATION["contractor"]}}}
    change(body)
    problem = refused(people["agent"].post("intake", P, json=body), 422, "invalid_input")
    assert field in [error["field"] for error in problem["errors"]], problem


def test_bad_action_bodies_are_refused_with_the_field_named(estate_id, people):
    agent, engineering = people["agent"], people["engineering"]
    refused(agent.post("intake", P, json={"estate_id": estate_id, "kind": "move_in", "unit_id": "9-1-1"}), 422)
    case = ok(act(agent, open_case(agent, estate_id, "move_in", "9-1-2", resident_id="res-92"), "submit"))
    for action, body, field in [
        ("keys", {"count": -1}, "count"),
        ("keys", {}, "count"),
        ("meter-readings", {"readings": [{"meter": "water", "reading": "-3"}]}, "readings.0.reading"),
        ("meter-readings", {"readings": [{"meter": "steam", "reading": "3"}]}, "readings.0.meter"),
        ("meter-readings", {"readings": [{"meter": "water", "reading": "1"}, {"meter": "water", "reading": "2"}]},
         "readings"),
        ("checklist", {"item": "no_such_item"}, "item"),
        ("cards", {"cards": [{"kind": "boat", "number": "1"}]}, "cards.0.kind"),
        ("complete", {"billing_starts_on": "soon"}, "billing_starts_on"),
    ]:
        problem = refused(act(agent, case, action, body), 422, "invalid_input")
        assert problem.get("field") == field or field in [e["field"] for e in problem.get("errors") or []], problem
    review = decoration_ready_for_review(agent, estate_id, "9-1-3")
    for fees, field in [({"deposit": "-1.00", "service_fee": "1.00"}, "fees.deposit"),
                        ({"deposit": "1.001", "service_fee": "1.00"}, "fees.deposit"),
                        ({"deposit": "100.00"}, "fees.service_fee")]:
        problem = refused(act(engineering, review, "approve", {"fees": fees}), 422)
        assert field in [e["field"] for e in problem["errors"]]
