"""Directory rules: phone numbers, areas, the residents' history and the lines of an import file."""

from datetime import UTC, date, datetime

import pytest

from services.intake.domain import directory as rules
from services.intake.domain.directory_import import plan_import
from shared.errors import InvalidInput, InvalidTransition

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("021-12345678", "+862112345678"),
        ("400-888-1234", "+864008881234"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phones_are_normalised_to_e164(written, e164):
    assert rules.normalise_phone(written) == e164


@pytest.mark.parametrize("written", ["call me maybe", "12345", "12345678901", "", "138123456789999"])
def test_malformed_phones_are_refused(written):
    with pytest.raises(ValueError):
        rules.normalise_phone(written)


@pytest.mark.parametrize(("written", "area"), [("89.5", "89.50"), (120, "120.00"), (89.25, "89.25"), (" 12 ", "12.00")])
def test_areas_are_decimal_strings_with_two_places(written, area):
    assert rules.normalise_area(written) == area


@pytest.mark.parametrize("written", ["0", "-3", "abc", "12.345", "NaN", "1e9"])
def test_bad_areas_are_refused(written):
    with pytest.raises(ValueError):
        rules.normalise_area(written)


def resident(**fields):
    return {"_id": "r1", "role": "owner", "status": "active", "unit_ids": ["u1"], "phones": ["+8613812345678"],
            "move_in_date": "2020-05-01", **fields}


def test_a_phone_change_keeps_the_old_numbers_in_the_entry():
    change = rules.change_phones(resident(), ["+8613900001111"], by="agent-1", at=NOW)
    assert change.fields == {"phones": ["+8613900001111"]}
    assert change.entry["change"] == "phones_changed"
    assert (change.entry["old"], change.entry["new"]) == (["+8613812345678"], ["+8613900001111"])
    with pytest.raises(InvalidInput):
        rules.change_phones(resident(), ["+8613812345678"], by="agent-1", at=NOW)


def test_moving_out_of_one_of_two_units_keeps_the_resident_active():
    change = rules.move_out(resident(unit_ids=["u1", "u2"]), ["u1"], on=date(2026, 11, 1), by="a", at=NOW)
    assert change.fields == {"unit_ids": ["u2"]} and not change.moved_out
    assert change.entry == {"change": "moved_out", "on": "2026-11-01", "by": "a", "at": NOW, "unit_ids": ["u1"]}


def test_moving_out_of_the_last_unit_marks_the_file_moved_out():
    change = rules.move_out(resident(), None, on=date(2026, 11, 1), by="a", at=NOW)
    assert change.moved_out
    assert change.fields == {"unit_ids": [], "status": "moved_out", "moved_out_on": "2026-11-01"}


def test_move_out_rules():
    with pytest.raises(InvalidTransition):
        rules.move_out(resident(status="moved_out", unit_ids=[]), None, on=date(2026, 11, 1), by="a", at=NOW)
    with pytest.raises(InvalidInput):
        rules.move_out(resident(), ["u9"], on=date(2026, 11, 1), by="a", at=NOW)
    with pytest.raises(InvalidInput):
        rules.move_out(resident(), None, on=date(2019, 1, 1), by="a", at=NOW)


def test_moving_back_in_reactivates_the_file():
    change = rules.move_in(resident(status="moved_out", unit_ids=[]), "u3", on=date(2026, 12, 1), by="a", at=NOW)
    assert change.fields["status"] == "active" and change.fields["unit_ids"] == ["u3"]
    assert change.fields["move_in_date"] == "2026-12-01"
    with pytest.raises(InvalidTransition):
        rules.move_in(resident(), "u1", on=date(2026, 12, 1), by="a", at=NOW)


def test_an_ownership_transfer_ends_the_old_owners_membership_and_starts_the_new_one():
    old = resident(_id="old", unit_ids=["u1", "p7"])
    new = resident(_id="new", unit_ids=[], phones=[])
    leaving, joining = rules.transfer_ownership([old], new, unit_id="u1", on=date(2026, 11, 20), by="a", at=NOW)
    [(owner, change)] = leaving
    assert owner["_id"] == "old" and change.fields == {"unit_ids": ["p7"]}
    assert change.entry["change"] == "ownership_transferred_out" and not change.moved_out
    assert joining.fields["unit_ids"] == ["u1"]
    assert joining.entry["change"] == "ownership_transferred_in" and joining.entry["previous_owner_ids"] == ["old"]
    with pytest.raises(InvalidTransition):
        rules.transfer_ownership([old], old, unit_id="u1", on=date(2026, 11, 20), by="a", at=NOW)
    with pytest.raises(InvalidInput):
        rules.transfer_ownership([old], resident(_id="t", role="tenant", unit_ids=[]), unit_id="u1",
                                 on=date(2026, 11, 20),
                                 by="a", at=NOW)


def test_a_shared_number_stands_for_the_active_owner_first():
    family = resident(_id="r3", role="family_member")
    owner = resident(_id="r2", role="owner")
    gone = resident(_id="r1", role="owner", status="moved_out")
    assert rules.pick_caller([family, gone, owner])["_id"] == "r2"
    assert rules.pick_caller([gone]) is None
    assert rules.pick_caller([]) is None


HEADER = ["building", "unit", "floor", "area", "kind", "name", "phone", "role", "move_in_date"]


def test_an_import_plan_groups_lines_into_units_and_people():
    plan = plan_import([
        HEADER,
        ["3", "1-502", "5", "89.5", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["3", "1-502", "", "", "", "李梅", "", "family_member", ""],
        ["3", "P-007", "-2", "12", "车位", "张三", "138 1234 5678", "业主", ""],
        ["5", "2-101", "1", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", ""],
    ])
    assert plan.error_count == 0, plan.errors
    assert plan.buildings == ["3", "5"]
    assert [(u.building, u.number, u.floor, u.area_m2, u.kind) for u in plan.units] == [
        ("3", "1-502", 5, "89.50", "residential"), ("3", "P-007", -2, "12.00", "parking_space"),
        ("5", "2-101", 1, None, "residential")]
    zhang, li = plan.residents
    assert zhang.phones == ["+8613812345678"] and zhang.units == [("3", "1-502"), ("3", "P-007")]
    assert zhang.move_in_date == "2020-05-01"
    assert (li.role, li.units, li.phones) == ("family_member", [("3", "1-502")], [])


def test_an_import_plan_names_each_bad_line_and_field():
    plan = plan_import([
        HEADER,
        ["3", "1-502", "5", "89.5", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["3", "", "5", "89.5", "residential", "", "", "", ""],
        ["3", "1-503", "five", "-1", "villa", "王五", "call me", "boss", "yesterday"],
        ["3", "1-502", "6", "", "", "赵六", "", "tenant", ""],
        ["3", "1-502", "5", "", "", "张三", "13812345678", "owner", ""],
    ])
    problems = {(e["line"], e["field"]) for e in plan.errors}
    assert problems == {(3, "unit"), (4, "floor"), (4, "area"), (4, "kind"), (4, "phone"), (4, "role"),
                        (4, "move_in_date"), (5, "floor"), (6, "name")}
    assert plan.error_count == len(plan.errors)


def test_an_import_needs_its_columns_and_knows_chinese_headers():
    plan = plan_import([["楼栋", "房号", "面积", "姓名", "电话", "身份", "colour"]])
    assert plan.errors == [{"line": 1, "field": "colour", "message": "unknown column"}]
    plan = plan_import([["name", "phone"]])
    assert {e["field"] for e in plan.errors} == {"building", "unit"}
    plan = plan_import([])
    assert plan.error_count == 1


def test_spreadsheet_cells_are_read_as_people_typed_them():
    plan = plan_import([
        HEADER,
        [3, 502, 5.0, 89.5, None, "张三", 13812345678.0, "owner", datetime(2020, 5, 1)],
    ])
    assert plan.error_count == 0, plan.errors
    assert (plan.units[0].building, plan.units[0].number, plan.units[0].floor) == ("3", "502", 5)
    assert plan.residents[0].phones == ["+8613812345678"] and plan.residents[0].move_in_date == "2020-05-01"


def test_a_title_line_above_the_header_is_skipped_and_lines_keep_their_numbers():
    plan = plan_import([
        ["阳光花园业户档案（2026年11月）", None, None],
        [None, None, None],
        ["楼栋", "房号", "姓名", "身份"],
        ["3栋", "1-502", "张三", "业主"],
        ["3栋", "", "李四", "租户"],
    ])
    assert plan.errors == [{"line": 5, "field": "unit", "message": "required"}]
    assert plan.units[0].line == 4
