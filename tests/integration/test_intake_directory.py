"""The directory (一户一档) through intake's API: files, callers, history, scope and every bad path."""

from __future__ import annotations

import pytest

from tests.directory_kit import Directory, register_estate
from tests.helpers import Api, admin, eventually, new_estate_id, repair_contact

PHONE = "13812345678"


@pytest.fixture(scope="module")
def directory(intake) -> Directory:
    return Directory(intake, register_estate(intake))


@pytest.fixture(scope="module")
def building(directory) -> dict:
    return directory.building("3栋")


def test_an_estate_keeps_its_address_hotline_and_business_hours(intake):
    details = {"address": "深圳市南山区阳光路1号", "hotline_number": "400-888-1234",
               "business_hours": {"opens": "08:30", "closes": "17:30"}}
    estate_id = register_estate(intake, **details)
    estate = admin(intake).get("intake", f"/v1/estates/{estate_id}").json()
    assert estate["address"] == details["address"] and estate["hotline_number"] == "+864008881234"
    assert estate["business_hours"] == {"opens": "08:30:00", "closes": "17:30:00"}
    plain = admin(intake).get("intake", f"/v1/estates/{register_estate(intake)}").json()
    assert plain["hotline_number"] is None and plain["time_zone"] == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("details", "field"),
    [({"hotline_number": "hotline"}, "hotline_number"),
     ({"business_hours": {"opens": "18:00", "closes": "08:00"}}, "business_hours"),
     ({"address": "路" * 201}, "address")],
)
def test_bad_estate_details_are_refused(intake, details, field):
    body = {"estate_id": new_estate_id(), "name": "测试", **details}
    response = admin(intake).post("intake", "/v1/estates", json=body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


def test_buildings_units_and_residents_are_registered_and_read(intake, directory, building):
    flat = directory.unit(building, "1-502", area_m2=89.5)
    parking = directory.unit(building, "P-007", floor=-2, area_m2="12", kind="parking_space")
    assert (flat["area_m2"], parking["area_m2"], parking["kind"]) == ("89.50", "12.00", "parking_space")
    zhang = directory.resident("张三", [flat, parking], ["138 1234 5678"], preferred_channels=["wechat", "sms"])
    assert zhang["phones"] == ["+8613812345678"] and zhang["status"] == "active"
    assert zhang["history"][0]["change"] == "registered"
    assert directory.get(f"/v1/residents/{zhang['id']}").json()["unit_ids"] == [flat["id"], parking["id"]]
    assert directory.get(f"/v1/units/{flat['id']}").json()["building_name"] == "3栋"
    by_unit = directory.get(f"/v1/estates/{directory.estate_id}/residents", unit_id=parking["id"]).json()["items"]
    by_phone = directory.get(f"/v1/estates/{directory.estate_id}/residents", phone="+86 138-1234-5678").json()
    assert [r["id"] for r in by_unit] == [r["id"] for r in by_phone["items"]] == [zhang["id"]]
    units = directory.get(f"/v1/estates/{directory.estate_id}/units", building_id=building["id"]).json()["items"]
    assert {u["id"] for u in units} >= {flat["id"], parking["id"]}
    assert directory.get(f"/v1/estates/{directory.estate_id}/buildings").json()["items"][0]["name"] == "3栋"
    events = eventually(lambda: directory.events("intake.resident.registered"))
    assert events[0]["data"]["phones"] == ["+8613812345678"]
    units_registered = directory.events("intake.unit.registered")
    assert {e["data"]["area_m2"] for e in units_registered} >= {"89.50", "12.00"}


def test_a_unit_update_is_kept_in_its_history(directory, building):
    unit = directory.unit(building, "1-601", floor=6, area_m2="100")
    response = directory.api.call("PATCH", "intake", f"/v1/units/{unit['id']}", json={"area_m2": "101.25"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["area_m2"] == "101.25"
    assert updated["history"][-1]["old"] == {"area_m2": "100.00"}
    assert directory.api.call("PATCH", "intake", f"/v1/units/{unit['id']}", json={"kind": "villa"}).status_code == 422


def test_a_logged_call_recognises_the_caller_and_their_unit(directory, building):
    unit = directory.unit(building, "2-301")
    li = directory.resident("李四", [unit], ["13900002222"])
    contact = directory.call("139 0000 2222")
    assert contact["resident_id"] == li["id"] and contact["unit_id"] == unit["id"]
    assert contact["ticket"]["resident_id"] == li["id"] and contact["ticket"]["unit_id"] == unit["id"]
    screen = directory.caller("13900002222").json()
    assert screen["resident"]["id"] == li["id"] and [u["id"] for u in screen["units"]] == [unit["id"]]
    assert screen["phone"] == "+8613900002222"


def test_an_unknown_caller_is_served_and_linked_to_a_resident_later(directory, building):
    contact = directory.call("13900003333")
    assert contact["resident_id"] is None and contact["ticket"]["number"].startswith("DH-")
    assert directory.caller("13900003333").status_code == 404
    unit = directory.unit(building, "2-302")
    wang = directory.resident("王五", [unit], [])
    linked = directory.api.post("intake", f"/v1/contacts/{contact['id']}/link-resident", json={"resident_id": wang["id"]})
    assert linked.status_code == 200, linked.text
    assert linked.json()["resident_id"] == wang["id"] and linked.json()["unit_id"] == unit["id"]
    assert directory.get(f"/v1/contacts/{contact['id']}").json()["resident_id"] == wang["id"]
    assert directory.get(f"/v1/tickets/{contact['ticket']['id']}").json()["resident_id"] == wang["id"]
    other = directory.resident("赵六", [unit], [], role="tenant")
    again = directory.api.post("intake", f"/v1/contacts/{contact['id']}/link-resident", json={"resident_id": other["id"]})
    assert again.status_code == 409


def test_a_phone_change_keeps_the_old_number_in_the_history(directory, building):
    resident = directory.resident("孙七", [directory.unit(building, "2-401")], ["13900004444"])
    response = directory.api.call("PUT", "intake", f"/v1/residents/{resident['id']}/phones",
                                  json={"phones": ["13900005555"]})
    assert response.status_code == 200, response.text
    entry = response.json()["history"][-1]
    assert entry["change"] == "phones_changed" and entry["old"] == ["+8613900004444"]
    assert directory.caller("13900005555").json()["resident"]["id"] == resident["id"]
    assert directory.caller("13900004444").status_code == 404
    events = eventually(lambda: directory.events("intake.resident.updated"))
    assert "phones_changed" in {e["data"]["change"] for e in events}


def test_a_move_out_keeps_the_file_and_ends_recognition(directory, building):
    flat, storage = directory.unit(building, "2-501"), directory.unit(building, "S-01", kind="storage")
    resident = directory.resident("周八", [flat, storage], ["13900006666"])
    path = f"/v1/residents/{resident['id']}/move-out"
    partly = directory.api.post("intake", path, json={"moved_out_on": "2026-11-01", "unit_ids": [storage["id"]]})
    assert partly.status_code == 200 and partly.json()["status"] == "active"
    gone = directory.api.post("intake", path, json={"moved_out_on": "2026-11-20"})
    assert gone.status_code == 200, gone.text
    assert (gone.json()["status"], gone.json()["unit_ids"], gone.json()["moved_out_on"]) == ("moved_out", [], "2026-11-20")
    assert [e["change"] for e in gone.json()["history"]] == ["registered", "moved_out", "moved_out"]
    assert directory.api.post("intake", path, json={"moved_out_on": "2026-11-21"}).status_code == 409
    assert directory.caller("13900006666").status_code == 404
    assert directory.get(f"/v1/residents/{resident['id']}").json()["status"] == "moved_out"
    moved = eventually(lambda: directory.events("intake.resident.moved_out"))
    assert any(e["data"]["resident_id"] == resident["id"] and e["data"]["unit_ids"] == [flat["id"]] for e in moved)
    back = directory.api.post("intake", f"/v1/residents/{resident['id']}/move-in",
                              json={"unit_id": flat["id"], "moved_in_on": "2026-12-01"})
    assert back.status_code == 200 and back.json()["status"] == "active"


def test_an_ownership_transfer_ends_the_old_owners_membership_and_keeps_it_in_history(directory, building):
    unit, parking = directory.unit(building, "2-601"), directory.unit(building, "P-101", kind="parking_space")
    seller = directory.resident("吴九", [unit, parking], ["13900007777"])
    family = directory.resident("吴小九", [unit], [], role="family_member")
    response = directory.api.post("intake", f"/v1/units/{unit['id']}/ownership-transfer", json={
        "transferred_on": "2026-11-15", "new_owner": {"name": "郑十", "phones": ["13900008888"]}})
    assert response.status_code == 200, response.text
    result = response.json()
    assert [p["id"] for p in result["previous_owners"]] == [seller["id"]]
    assert result["previous_owners"][0]["unit_ids"] == [parking["id"]]
    assert result["previous_owners"][0]["history"][-1]["change"] == "ownership_transferred_out"
    buyer = result["new_owner"]
    assert buyer["unit_ids"] == [unit["id"]] and buyer["role"] == "owner" and buyer["move_in_date"] == "2026-11-15"
    assert result["unit"]["history"][-1]["previous_owner_ids"] == [seller["id"]]
    people = directory.get(f"/v1/estates/{directory.estate_id}/residents", unit_id=unit["id"]).json()["items"]
    assert {p["id"] for p in people} == {family["id"], buyer["id"]}
    assert directory.caller("13900008888").json()["resident"]["id"] == buyer["id"]
    tenant = directory.resident("钱十一", [parking], [], role="tenant")
    refused = directory.api.post("intake", f"/v1/units/{unit['id']}/ownership-transfer",
                                 json={"transferred_on": "2026-11-16", "new_owner_id": tenant["id"]})
    assert refused.status_code == 422 and refused.json()["field"] == "new_owner_id"
    neither = directory.api.post("intake", f"/v1/units/{unit['id']}/ownership-transfer",
                                 json={"transferred_on": "2026-11-16"})
    assert neither.status_code == 422
    updated = eventually(lambda: [e for e in directory.events("intake.unit.updated")
                                  if e["data"]["change"] == "ownership_transferred"])
    assert updated[0]["data"]["owner_resident_ids"] == [buyer["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(phones=["call me maybe"]), "phones.0"),
        (lambda b: b.update(phones=["12345678901"]), "phones.0"),
        (lambda b: b.update(role="landlord"), "role"),
        (lambda b: b.pop("name"), "name"),
        (lambda b: b.update(name="名" * 61), "name"),
        (lambda b: b.update(preferred_channels=["pigeon"]), "preferred_channels.0"),
        (lambda b: b.update(move_in_date="yesterday"), "move_in_date"),
        (lambda b: b.update(unit_ids=[]), "unit_ids"),
        (lambda b: b.update(status="active"), "status"),
    ],
)
def test_bad_residents_are_refused_with_the_field_named(directory, building, change, field):
    body = {"name": "测试", "phones": [PHONE], "role": "owner", "unit_ids": ["x"]}
    change(body)
    response = directory.api.post("intake", f"/v1/estates/{directory.estate_id}/residents", json=body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(kind="villa"), "kind"),
        (lambda b: b.update(area_m2="-5"), "area_m2"),
        (lambda b: b.update(area_m2="eighty"), "area_m2"),
        (lambda b: b.pop("number"), "number"),
        (lambda b: b.update(floor=500), "floor"),
    ],
)
def test_bad_units_are_refused_with_the_field_named(directory, building, change, field):
    body = {"building_id": building["id"], "number": "9-999", "area_m2": "80"}
    change(body)
    response = directory.api.post("intake", f"/v1/estates/{directory.estate_id}/units", json=body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


def test_unknown_things_and_repeats_answer_404_and_409(directory, building):
    base = f"/v1/estates/{directory.estate_id}"
    assert directory.api.post("intake", f"{base}/units", json={"building_id": "nope", "number": "1"}).status_code == 404
    missing_unit = {"name": "测试", "role": "owner", "unit_ids": ["no-such-unit"]}
    assert directory.api.post("intake", f"{base}/residents", json=missing_unit).status_code == 404
    assert directory.get("/v1/residents/no-such-resident").status_code == 404
    assert directory.caller("call-me").status_code == 422
    assert directory.get(f"{base}/residents", phone="abc").json()["field"] == "phone"
    assert directory.api.post("intake", f"{base}/buildings", json={"name": "3栋"}).status_code == 409
    directory.unit(building, "7-707")
    again = directory.api.post("intake", f"{base}/units", json={"building_id": building["id"], "number": "7-707"})
    assert again.status_code == 409 and again.json()["field"] == "number"
    bad_call = directory.api.post("intake", "/v1/contacts", json={**repair_contact(directory.estate_id),
                                                                  "caller_phone": "12345678901"})
    assert bad_call.status_code == 422 and bad_call.json()["errors"][0]["field"] == "caller_phone"
    app_request = {"estate_id": directory.estate_id, "unit_id": "x", "caller_phone": "000",
                   "ticket": repair_contact(directory.estate_id)["ticket"]}
    bad_app_phone = directory.api.post("intake", "/v1/tickets", json=app_request)
    assert bad_app_phone.status_code == 422 and bad_app_phone.json()["errors"][0]["field"] == "caller_phone"


def test_another_estates_staff_find_nothing(intake, directory, building):
    unit = directory.unit(building, "8-801")
    resident = directory.resident("冯十二", [unit], ["13900009999"])
    outsider = Api(intake, user_id="agent-9", roles=["agent", "supervisor"], estates=[register_estate(intake)])
    base = f"/v1/estates/{directory.estate_id}"
    for path in (f"/v1/residents/{resident['id']}", f"/v1/units/{unit['id']}", f"{base}/residents", f"{base}/units",
                 f"{base}/buildings", f"{base}/callers/13900009999"):
        assert outsider.get("intake", path).status_code == 404, path
    assert outsider.post("intake", f"{base}/buildings", json={"name": "X"}).status_code == 404
    assert outsider.post("intake", f"/v1/residents/{resident['id']}/move-out",
                         json={"moved_out_on": "2026-11-20"}).status_code == 404
    assert outsider.post("intake", f"{base}/directory/import", content=b"building,unit\n1,1\n",
                         headers={"Content-Type": "text/csv"}).status_code == 404
    assert directory.get(f"/v1/residents/{resident['id']}").json()["status"] == "active"


def test_a_resident_reads_only_their_own_file_and_units(intake, directory, building):
    unit, other_unit = directory.unit(building, "9-901"), directory.unit(building, "9-902")
    me = directory.resident("陈十三", [unit], ["13700001111"])
    neighbour = directory.resident("褚十四", [other_unit], ["13700002222"])
    app = Api(intake, user_id=me["id"], roles=["resident"], estates=[directory.estate_id], unit_ids=[unit["id"]])
    assert app.get("intake", f"/v1/residents/{me['id']}").json()["name"] == "陈十三"
    assert app.get("intake", f"/v1/units/{unit['id']}").status_code == 200
    assert app.get("intake", f"/v1/residents/{neighbour['id']}").status_code == 404
    assert app.get("intake", f"/v1/units/{other_unit['id']}").status_code == 404
    assert app.get("intake", f"/v1/estates/{directory.estate_id}/residents").status_code == 403
    assert app.post("intake", f"/v1/residents/{me['id']}/move-out", json={"moved_out_on": "2026-11-20"}).status_code == 403
    technician = Api(intake, user_id="tech-1", roles=["technician"], estates=[directory.estate_id])
    assert technician.get("intake", f"/v1/residents/{me['id']}").status_code == 403


def test_details_of_a_resident_change_with_their_history(directory, building):
    resident = directory.resident("卫十五", [directory.unit(building, "9-903")], ["13700003333"])
    path = f"/v1/residents/{resident['id']}"
    changed = directory.api.call("PATCH", "intake", path, json={"language": "en", "preferred_channels": ["email"]})
    assert changed.status_code == 200, changed.text
    entry = changed.json()["history"][-1]
    assert entry["change"] == "details_changed" and entry["old"] == {"language": "zh", "preferred_channels": []}
    assert directory.api.call("PATCH", "intake", path, json={"language": "en"}).status_code == 422
    assert directory.api.call("PATCH", "intake", path, json={"phones": ["13700004444"]}).status_code == 422
    bad_phone = directory.api.call("PUT", "intake", f"{path}/phones", json={"phones": ["555"]})
    assert bad_phone.status_code == 422 and bad_phone.json()["errors"][0]["field"] == "phones.0"
    contact = directory.call("13600001111")
    wrong_unit = directory.api.post("intake", f"/v1/contacts/{contact['id']}/link-resident",
                                    json={"resident_id": resident["id"], "unit_id": "someone-elses"})
    assert wrong_unit.status_code == 422 and wrong_unit.json()["field"] == "unit_id"
