"""Bulk onboarding of an estate's directory from one CSV or XLSX file: all or nothing."""

from __future__ import annotations

import csv
import io
import time

import openpyxl
import pytest

from tests.helpers import Api, admin, all_pages, archived, eventually, new_estate_id

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["building", "unit", "floor", "area", "kind", "name", "phone", "role", "move_in_date"]
SMALL = [
    ["1栋", "1-101", 1, "89.50", "residential", "张三", "13812345678", "owner", "2020-05-01"],
    ["1栋", "1-101", 1, "89.50", "residential", "李梅", "", "family_member", ""],
    ["1栋", "1-102", 1, "120", "residential", "王五", "139 0000 1111", "tenant", "2023-09-01"],
    ["1栋", "P-001", -2, "12.5", "parking_space", "张三", "13812345678", "owner", ""],
    ["2栋", "1-201", 2, "76", "residential", "", "", "", ""],
    ["商业街", "S-01", 1, "45", "commercial", "赵六", "021-12345678", "owner", "2021-01-15"],
]


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("一户一档")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Estate:
    def __init__(self, stack) -> None:
        self.estate_id = new_estate_id()
        self.admin = admin(stack)
        response = self.admin.post("intake", "/v1/estates", json={"estate_id": self.estate_id, "name": "导入小区"})
        assert response.status_code == 201, response.text
        self.manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[self.estate_id])

    def load(self, content: bytes, media_type: str = CSV, **headers):
        return self.manager.post("intake", f"/v1/estates/{self.estate_id}/directory/import", content=content,
                                 headers={"Content-Type": media_type, **headers}, timeout=300)

    def counts(self) -> tuple[int, int, int]:
        return tuple(len(all_pages(self.manager, "intake", f"/v1/estates/{self.estate_id}/{what}", {}))
                     for what in ("buildings", "units", "residents"))

    def caller(self, phone: str):
        return self.manager.get("intake", f"/v1/estates/{self.estate_id}/callers/{phone}")


@pytest.fixture(scope="module")
def estate(stack) -> Estate:
    """An estate whose directory came from the small CSV."""
    estate = Estate(stack)
    response = estate.load(csv_bytes([HEADER, *SMALL]))
    assert response.status_code == 201, response.text
    assert {k: v for k, v in response.json().items() if k.endswith("registered")} == {
        "buildings_registered": 3, "units_registered": 5, "residents_registered": 4}
    return estate


def test_a_csv_file_becomes_buildings_units_and_residents(estate):
    assert estate.counts() == (3, 5, 4)
    zhang = estate.caller("13812345678").json()
    assert sorted(u["number"] for u in zhang["units"]) == ["1-101", "P-001"]
    assert {u["area_m2"] for u in zhang["units"]} == {"89.50", "12.50"}
    assert zhang["resident"]["move_in_date"] == "2020-05-01"
    assert estate.caller("02112345678").json()["resident"]["name"] == "赵六"
    parts = eventually(lambda: len(found := archived(estate.admin, estate.estate_id,
                                                      "intake.directory.imported")) == 2 and found)
    assert sorted((p["data"]["part"], p["data"]["parts"], p["data"]["units_registered"]) for p in parts) == [
        (1, 2, 5), (2, 2, 5)]
    units = [unit["number"] for part in parts for unit in part["data"]["units"]]
    assert sorted(units) == ["1-101", "1-102", "1-201", "P-001", "S-01"]
    assert {r["name"] for part in parts for r in part["data"]["residents"]} == {"张三", "李梅", "王五", "赵六"}


def test_importing_the_same_units_again_is_a_conflict_and_changes_nothing(estate):
    again = estate.load(csv_bytes([HEADER, *SMALL, ["3栋", "1-301", 3, "90", "", "", "", "", ""]]))
    assert again.status_code == 409, again.text
    problem = again.json()
    assert problem["code"] == "import_rejected" and problem["error_count"] == 5
    assert [e["line"] for e in problem["errors"]] == [2, 4, 5, 6, 7]
    assert estate.counts() == (3, 5, 4)
    more = estate.load(csv_bytes([HEADER, ["1栋", "2-101", 2, "88", "", "钱七", "13700003333", "owner", ""]]))
    assert more.status_code == 201 and more.json()["buildings_registered"] == 0
    assert estate.counts() == (3, 6, 5)


def test_a_retried_import_with_its_idempotency_key_imports_once(stack):
    estate = Estate(stack)
    content = csv_bytes([HEADER, *SMALL[:2]])
    first = estate.load(content, **{"Idempotency-Key": "onboarding-1"})
    retry = estate.load(content, **{"Idempotency-Key": "onboarding-1"})
    assert first.status_code == retry.status_code == 201
    assert first.json()["import_id"] == retry.json()["import_id"]
    assert estate.counts() == (1, 1, 2)


def test_an_xlsx_workbook_with_chinese_headers_and_values_is_imported(stack):
    estate = Estate(stack)
    rows = [["楼栋", "房号", "楼层", "面积", "类型", "姓名", "电话", "身份", "入住日期"],
            [5, 502, 5, 89.5, "住宅", "孙八", 13612345678, "业主", "2019-03-08"],
            [5, "P-9", -1, 13, "车位", "孙八", 13612345678, "业主", None],
            [5, 503, 5, 91, "住宅", "周九", "13612340000/13612340001", "租户", None]]
    response = estate.load(xlsx_bytes(rows), XLSX)
    assert response.status_code == 201, response.text
    assert estate.counts() == (1, 3, 2)
    sun = estate.caller("13612345678").json()
    assert sorted((u["number"], u["kind"]) for u in sun["units"]) == [("502", "residential"), ("P-9", "parking_space")]
    assert estate.caller("13612340001").json()["resident"]["phones"] == ["+8613612340000", "+8613612340001"]


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(stack):
    estate = Estate(stack)
    content = csv_bytes([["楼栋", "房号", "姓名", "电话", "身份"], ["东区1栋", "101", "欧阳娜娜", "13512345678", "业主"]],
                        encoding="gb18030")
    assert estate.load(content).status_code == 201
    assert estate.caller("13512345678").json()["resident"]["name"] == "欧阳娜娜"


def test_a_file_with_bad_lines_lists_every_line_and_field_and_imports_nothing(estate):
    before = estate.counts()
    rows = [HEADER,
            ["4栋", "1-401", 4, "90", "residential", "好人", "13800001111", "owner", "2020-01-01"],
            ["4栋", "1-402", "four", "90", "villa", "坏人", "call me", "landlord", "someday"],
            ["4栋", "", 4, "-3", "", "", "", "", ""],
            ["4栋", "1-403", 4, "90", "", "", "13800002222", "", ""]]
    for content, media_type in ((csv_bytes(rows), CSV), (xlsx_bytes(rows), XLSX)):
        response = estate.load(content, media_type)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert {(e["line"], e["field"]) for e in problem["errors"]} == {
            (3, "floor"), (3, "kind"), (3, "phone"), (3, "role"), (3, "move_in_date"),
            (4, "unit"), (4, "area"), (5, "name")}
    assert estate.counts() == before
    assert estate.caller("13800001111").status_code == 404


@pytest.mark.parametrize(
    ("content", "media_type", "status", "field"),
    [
        (b"colour,unit\nred,1\n", CSV, 422, "colour"),
        (b"", CSV, 422, None),
        (b"not a workbook", XLSX, 422, "file"),
        (b'{"building": "1"}', "application/json", 415, "Content-Type"),
        (b"\xff\xfe\x00garbage\x81", CSV, 422, "file"),
    ],
)
def test_files_that_cannot_be_read_are_refused(estate, content, media_type, status, field):
    response = estate.load(content, media_type)
    assert response.status_code == status, response.text
    if field:
        assert field in [e["field"] for e in response.json()["errors"]]


def test_too_large_a_file_is_413_and_agents_may_not_import(stack, estate):
    line = "9栋,1-901,9,90,residential,某人,,family_member,\n".encode()
    oversized = HEADER_LINE + line * (17 * 2**20 // len(line))
    response = estate.load(oversized)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert "16 MiB" in response.json()["detail"]  # the import's own limit, above the 1 MiB of JSON bodies
    too_many_lines = HEADER_LINE + b"".join(f"9栋,{n},,,,,,,\n".encode() for n in range(50_001))
    assert estate.load(too_many_lines).status_code == 413
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate.estate_id])
    response = agent.post("intake", f"/v1/estates/{estate.estate_id}/directory/import",
                          content=csv_bytes([HEADER, *SMALL]), headers={"Content-Type": CSV})
    assert response.status_code == 403


HEADER_LINE = (",".join(HEADER) + "\n").encode()


def realistic_estate(buildings: int = 20, floors: int = 25, per_floor: int = 10) -> list[list]:
    """5,000 flats, two people each (an owner, and a family member or tenant): 10,000 residents."""
    rows = [HEADER]
    n = 0
    for b in range(1, buildings + 1):
        for floor in range(1, floors + 1):
            for door in range(1, per_floor + 1):
                unit = f"{(door - 1) // 2 + 1}-{floor:02d}{door:02d}"
                area = f"{70 + (n % 60)}.{n % 100:02d}"
                rows.append([f"{b}栋", unit, floor, area, "residential", f"业主{n}", f"139{n:08d}", "owner", "2019-06-01"])
                second = "tenant" if n % 5 == 0 else "family_member"
                rows.append([f"{b}栋", unit, floor, area, "residential", f"住户{n}", f"137{n:08d}", second, ""])
                n += 1
    return rows


def test_a_realistic_estate_of_5000_units_and_10000_residents_loads_in_one_request(stack):
    estate = Estate(stack)
    content = csv_bytes(realistic_estate())
    started = time.perf_counter()
    response = estate.load(content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text[:2000]
    result = response.json()
    print(f"\nimport of {len(content)} bytes: {elapsed:.1f} s over HTTP, {result['duration_ms']} ms in the service")
    assert (result["buildings_registered"], result["units_registered"], result["residents_registered"]) == (
        20, 5000, 10000)
    for n in (0, 2499, 4999):
        owner = estate.caller(f"139{n:08d}").json()
        assert owner["resident"]["name"] == f"业主{n}" and len(owner["units"]) == 1
        people = estate.manager.get("intake", f"/v1/estates/{estate.estate_id}/residents",
                                    params={"unit_id": owner["units"][0]["id"]}).json()["items"]
        assert {p["name"] for p in people} == {f"住户{n}", f"业主{n}"}
    # The records travel in parts of 500: 10 of units, 20 of residents.
    def parts_archived() -> list[dict] | None:
        page = estate.admin.get("reporting", "/v1/events", params={"estate_id": estate.estate_id, "limit": 100})
        parts = [e["data"] for e in page.json()["items"] if e["type"] == "estatedesk.intake.directory.imported.v1"]
        return len(parts) == 30 and parts

    parts = eventually(parts_archived, timeout=120, interval=1)
    print(f"its 30 events archived by reporting {time.perf_counter() - started:.0f} s after the request was sent")
    assert sum(len(p["units"]) for p in parts) == 5000 and sum(len(p["residents"]) for p in parts) == 10000
    assert {p["part"] for p in parts} == set(range(1, 31)) and {p["parts"] for p in parts} == {30}
    # Notification and billing take the directory in too (its residents are recipients, its units billed): the
    # last unit's people and the unit itself reach them, so the 10,000 records are no backlog later tests wait behind.
    last = estate.caller("139" + f"{4999:08d}").json()["units"][0]["id"]
    people = estate.manager.get("intake", f"/v1/estates/{estate.estate_id}/residents", params={"unit_id": last}).json()
    for person in people["items"]:
        path = f"/v1/estates/{estate.estate_id}/recipients/{person['id']}"
        eventually(lambda p=path: estate.manager.get("notification", p).status_code == 200, timeout=300, interval=1,
                   what=f"notification's copy of {person['name']}")
    eventually(lambda: estate.manager.get("billing", f"/v1/units/{last}/account").status_code == 200, timeout=300,
               interval=1, what="billing's copy of the last unit")


def test_a_later_file_adds_units_to_residents_already_in_the_directory(estate):
    buildings, units, residents = estate.counts()
    rows = [HEADER,
            ["地下车库", "P-101", -1, "12.5", "车位", "张三", "13812345678", "owner", "2026-11-01"],
            ["地下车库", "P-102", -1, "12.5", "车位", "张三丰", "13812345678", "owner", ""]]
    response = estate.load(csv_bytes(rows))
    assert response.status_code == 201, response.text
    assert (response.json()["residents_registered"], response.json()["residents_joined"]) == (1, 1)
    assert estate.counts() == (buildings + 1, units + 2, residents + 1)
    zhang = estate.caller("13812345678").json()["resident"]
    assert zhang["name"] == "张三" and len(zhang["unit_ids"]) == 3
    assert zhang["history"][-1]["change"] == "moved_in"
    assert zhang["history"][-1]["import_id"] == response.json()["import_id"]
    updated = eventually(lambda: [e for e in archived(estate.admin, estate.estate_id, "intake.resident.updated")
                                  if e["data"]["resident_id"] == zhang["id"]])
    assert updated[0]["data"]["change"] == "moved_in" and len(updated[0]["data"]["unit_ids"]) == 3
