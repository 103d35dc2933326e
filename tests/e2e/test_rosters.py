"""Duty rosters through dispatch's API: generation and its refusals, publication, changes with
approval, who is on duty (and so who gets a repair), attendance and its sheet."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from services.dispatch.domain.roster_changes import apply_change
from services.dispatch.domain.roster_checks import check
from services.dispatch.domain.rosters import grid_of, problem_of
from shared import clock
from tests.helpers import Api, add_staff, admin, archived, eventually, repair_contact, setup_estate

ZONE = ZoneInfo("Asia/Shanghai")
AGENTS = [f"cs-{n}" for n in range(1, 7)]
ENGINEERS = ["eng-r1", "eng-r2", "eng-r3"]
# Twelve-hour shifts; the night one crosses midnight.
DAY_AND_NIGHT = {"templates": [
    {"code": "day", "name": "白班", "starts": "08:00", "ends": "20:00", "minimum": 1},
    {"code": "night", "name": "夜班", "starts": "20:00", "ends": "08:00", "minimum": 1},
]}


def this_month() -> str:
    return clock.now().astimezone(ZONE).strftime("%Y-%m")


def months_of_the_shift_now() -> list[str]:
    """The month of now and, early on the 1st, the month before: a night shift that began on the
    last evening of last month is still running then."""
    return sorted({(clock.now() - timedelta(hours=12)).astimezone(ZONE).strftime("%Y-%m"), this_month()})


def local(day: str, clock: str) -> str:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZONE).isoformat()


@pytest.fixture(scope="module")
def estate(stack):
    estate_id = setup_estate(stack, engineers=0)
    for staff_id in AGENTS:
        add_staff(stack, estate_id, staff_id, department="customer_service", on_duty=False)
    add_staff(stack, estate_id, "cs-boss", department="customer_service", position="supervisor")
    add_staff(stack, estate_id, "eng-flag", on_duty=True)  # on duty by flag only
    for staff_id in ENGINEERS:
        add_staff(stack, estate_id, staff_id, on_duty=False)
    for department in ("customer_service", "engineering"):
        response = supervisor(stack, estate_id).call("PUT", "dispatch",
                                                     f"/v1/estates/{estate_id}/shift-templates/{department}",
                                                     json=DAY_AND_NIGHT)
        assert response.status_code == 200, response.text
    return estate_id


def supervisor(stack, estate_id) -> Api:
    return Api(stack, user_id="cs-boss", roles=["supervisor"], estates=[estate_id])


def path(estate_id: str, rest: str) -> str:
    return f"/v1/estates/{estate_id}{rest}"


def generate(stack, estate_id, month=None, **body):
    return supervisor(stack, estate_id).post("dispatch", path(estate_id, "/rosters"), json={
        "month": month or this_month(), "time_limit_s": 5, **body})


@pytest.fixture(scope="module")
def cs_roster(stack, estate):
    response = generate(stack, estate, department="customer_service")
    assert response.status_code == 201, response.text
    roster = response.json()
    assert roster["status"] == "draft"
    published = supervisor(stack, estate).post(
        "dispatch", path(estate, f"/rosters/customer_service/{this_month()}/publish"))
    assert published.status_code == 200, published.text
    return published.json()


def holders(roster: dict, day: str, shift: str) -> list[str]:
    return next(c["staff_ids"] for c in roster["cells"] if c["day"] == day and c["shift"] == shift)


def rostered(on_duty: dict) -> list[str]:
    return [s["id"] for s in on_duty["staff"] if s["duty_shift"]]


def problem(roster):
    return problem_of({**roster, "_id": roster["id"]}, leave={}, time_zone="Asia/Shanghai")


def broken_rules(roster, change) -> set[str] | None:
    """The rules `change` would break in `roster` (None: it does not fit the roster at all)."""
    stored = {**roster, "_id": roster["id"]}
    try:
        grid, _ = apply_change(change, grid=grid_of(stored), overtime={})
    except Exception:  # noqa: BLE001 — a change that does not fit the roster is no candidate
        return None
    return {v.rule for v in check(problem(roster), grid)}


def keeps_rules(roster, change) -> bool:
    return broken_rules(roster, change) == set()


def test_a_roster_that_cannot_meet_its_rules_names_the_rule_and_the_day(stack, estate):
    too_many = {"templates": [{"code": "day", "name": "白班", "starts": "08:30", "ends": "17:30", "minimum": 7}]}
    api = supervisor(stack, estate)
    assert api.call("PUT", "dispatch", path(estate, "/shift-templates/security"), json=too_many).status_code == 200
    add_staff(stack, estate, "sec-1", department="security", on_duty=False)
    refused = generate(stack, estate, department="security")
    assert refused.status_code == 422, refused.text
    first_day = f"{this_month()}-01"
    assert refused.json()["code"] == "roster_rule_broken"
    assert (refused.json()["rule"], refused.json()["day"]) == ("minimum_staff", first_day)

    second_day = f"{this_month()}-02"
    pinned = [{"day": first_day, "shift": "night", "staff_id": "cs-1"},
              {"day": second_day, "shift": "night", "staff_id": "cs-1"}]
    refused = generate(stack, estate, department="customer_service", fixed=pinned,
                       rules={"max_consecutive_nights": 1})
    assert refused.status_code == 422, refused.text
    assert [(v["rule"], v["day"], v["staff_ids"]) for v in refused.json()["violations"]] == [
        ("consecutive_nights", second_day, ["cs-1"])]
    assert "consecutive_nights" in refused.json()["detail"] and second_day in refused.json()["detail"]


def test_bad_requests_are_named(stack, estate):
    api = supervisor(stack, estate)
    bad = api.post("dispatch", path(estate, "/rosters"), json={"department": "engineering", "month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"
    bad = generate(stack, estate, department="engineering", staff_ids=["cs-1"])
    assert bad.status_code == 422 and bad.json()["field"] == "staff_ids"
    bad = api.call("PUT", "dispatch", path(estate, "/shift-templates/engineering"),
                   json={"templates": [{"code": "x", "name": "x", "starts": "08:00", "ends": "08:00"}]})
    assert bad.status_code == 422


def test_a_published_roster_is_archived_and_changes_only_through_approved_changes(stack, estate, cs_roster):
    assert cs_roster["status"] == "published"
    cells = [c for c in cs_roster["cells"]]
    assert all(len(c["staff_ids"]) == 1 for c in cells)
    assert set(cs_roster["totals"]) == set(AGENTS)
    [event] = eventually(lambda: archived(admin(stack), estate, "dispatch.roster.published"), what="the event")
    assert event["data"]["department"] == "customer_service" and event["data"]["month"] == this_month()
    assert {s["staff_id"] for s in event["data"]["staff"]} == set(AGENTS)

    api = supervisor(stack, estate)
    edit = api.call("PUT", "dispatch", path(estate, f"/rosters/customer_service/{this_month()}/cells"),
                    json={"day": cells[0]["day"], "shift": "day", "staff_ids": ["cs-1"]})
    assert edit.status_code == 409
    assert generate(stack, estate, department="customer_service").status_code == 409
    again = api.post("dispatch", path(estate, f"/rosters/customer_service/{this_month()}/publish"))
    assert again.status_code == 409


def test_on_duty_follows_the_roster_across_midnight(stack, estate, cs_roster):
    day = f"{this_month()}-10"
    night_holder = holders(cs_roster, day, "night")
    day_holder = holders(cs_roster, day, "day")
    api = supervisor(stack, estate)
    after_midnight = (datetime.fromisoformat(f"{day}T20:00").replace(tzinfo=ZONE) + timedelta(hours=6)).isoformat()
    at_night = api.get("dispatch", path(estate, "/on-duty"),
                       params={"at": after_midnight, "department": "customer_service"}).json()
    assert rostered(at_night) == night_holder
    [shift] = [s["duty_shift"] for s in at_night["staff"] if s["duty_shift"]]
    assert (shift["day"], shift["shift"]) == (day, "night")
    assert [s["id"] for s in at_night["staff"] if not s["duty_shift"]] == ["cs-boss"]  # not listed: the flag
    by_day = api.get("dispatch", path(estate, "/on-duty"), params={"at": local(day, "10:00")}).json()
    assert set(day_holder) <= {s["id"] for s in by_day["staff"]}
    assert by_day["chief_duty_officer"]["id"] == "cs-boss"  # a supervisor the roster does not list keeps the flag
    assert "eng-flag" in {s["id"] for s in by_day["staff"]}  # no engineering roster yet: the flags decide


def test_a_swap_is_re_checked_on_approval_and_may_be_refused(stack, estate, cs_roster):
    api = supervisor(stack, estate)
    days = [c["day"] for c in cs_roster["cells"] if c["shift"] == "day"]
    base = {"kind": "swap", "department": "customer_service"}
    # A swap that gives someone a night right after their own day shift breaks the rest rule, and
    # only that rule: chosen from the roster the solver built, whatever month and weekdays it has.
    tired = next(change for day in days for worker in holders(cs_roster, day, "day")
                 for other in holders(cs_roster, day, "night")
                 for far in cs_roster["cells"] if worker in far["staff_ids"] and other not in far["staff_ids"]
                 and abs((date.fromisoformat(far["day"]) - date.fromisoformat(day)).days) >= 4
                 for change in [{**base, "staff_id": worker, "day": far["day"], "shift": far["shift"],
                                 "with_staff_id": other, "with_day": day, "with_shift": "night"}]
                 if broken_rules(cs_roster, change) == {"rest"})
    requested = api.post("dispatch", path(estate, "/roster-changes"), json=tired)
    assert requested.status_code == 201, requested.text
    refused = api.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/approve"))
    assert refused.status_code == 422 and refused.json()["rule"] == "rest", refused.text
    assert api.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).json()["cells"] == \
        cs_roster["cells"]  # nothing applied

    technician = Api(stack, user_id="eng-r1", roles=["technician"], estates=[estate])
    assert technician.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/approve")
                           ).status_code == 403
    no = api.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/refuse"),
                  json={"reason": "休息不足"})
    assert no.status_code == 200 and no.json()["status"] == "refused"
    assert api.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/approve")).status_code == 409

    good = next(change for c1 in cs_roster["cells"] for c2 in cs_roster["cells"]
                for change in [{**base, "staff_id": c1["staff_ids"][0], "day": c1["day"], "shift": c1["shift"],
                                "with_staff_id": c2["staff_ids"][0], "with_day": c2["day"], "with_shift": c2["shift"]}]
                if c1["staff_ids"][0] != c2["staff_ids"][0] and c1["day"][:7] == c2["day"][:7]
                and keeps_rules(cs_roster, change))
    agent = Api(stack, user_id=good["staff_id"], roles=["agent"], estates=[estate])
    requested = agent.post("dispatch", path(estate, "/roster-changes"), json=good)
    assert requested.status_code == 201, requested.text
    approved = api.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/approve"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    after = api.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).json()
    assert holders(after, good["with_day"], good["with_shift"]) == [good["staff_id"]]
    assert holders(after, good["day"], good["shift"]) == [good["with_staff_id"]]
    at = local(good["with_day"], "09:00" if good["with_shift"] == "day" else "23:00")
    on_duty = api.get("dispatch", path(estate, "/on-duty"), params={"at": at, "department": "customer_service"})
    assert rostered(on_duty.json()) == [good["staff_id"]]


def test_approved_leave_takes_the_person_off_duty(stack, estate, cs_roster):
    api = supervisor(stack, estate)
    roster = api.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).json()
    stored = {**roster, "_id": roster["id"]}

    def leave_of(day: str) -> dict:
        return {"kind": "leave", "department": "customer_service", "staff_id": holders(roster, day, "day")[0],
                "day": day, "to_day": day, "reason": "病假"}

    def fits(day: str, substitute: str) -> bool:
        leave = leave_of(day)
        if substitute == leave["staff_id"]:
            return False
        on_leave = problem_of(stored, leave={leave["staff_id"]: frozenset({date.fromisoformat(day)})},
                              time_zone="Asia/Shanghai")
        changed, _ = apply_change({**leave, "substitute_id": substitute}, grid=grid_of(stored), overtime={})
        return not check(on_leave, changed)

    # A day shift someone else can take over within the rules (weekly hours allow few such pairs).
    day, substitute = next((c["day"], s) for c in roster["cells"] if c["shift"] == "day" for s in AGENTS
                           if fits(c["day"], s))
    leave = leave_of(day)
    alone = api.post("dispatch", path(estate, "/roster-changes"), json=leave).json()
    short = api.post("dispatch", path(estate, f"/roster-changes/{alone['id']}/approve"))
    assert short.status_code == 422 and (short.json()["rule"], short.json()["day"]) == ("minimum_staff", day)

    covered = api.post("dispatch", path(estate, "/roster-changes"), json={**leave, "substitute_id": substitute})
    approved = api.post("dispatch", path(estate, f"/roster-changes/{covered.json()['id']}/approve"))
    assert approved.status_code == 200, approved.text
    on_duty = api.get("dispatch", path(estate, "/on-duty"),
                      params={"at": local(day, "12:00"), "department": "customer_service"}).json()
    assert rostered(on_duty) == [substitute]


def test_a_repair_goes_to_the_rostered_engineer_and_clock_in_counts_lateness(stack, estate):
    api = supervisor(stack, estate)
    for month in months_of_the_shift_now():
        response = generate(stack, estate, month, department="engineering", staff_ids=ENGINEERS,
                            rules={"weekly_hours_limit": 84})
        assert response.status_code == 201, response.text
        assert api.post("dispatch", path(estate, f"/rosters/engineering/{month}/publish")).status_code == 200
    now = api.get("dispatch", path(estate, "/on-duty"), params={"department": "engineering"}).json()
    [engineer] = now["staff"]
    assert engineer["id"] in ENGINEERS and engineer["id"] != "eng-flag"

    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate])
    ticket = agent.post("intake", "/v1/contacts", json=repair_contact(estate, "水管爆裂")).json()["ticket"]
    [order] = eventually(lambda: api.get("dispatch", "/v1/work-orders",
                                         params={"estate_id": estate, "ticket_id": ticket["id"]}).json()["items"],
                         what="the work order")
    assert order["assignee_id"] == engineer["id"]

    me = Api(stack, user_id=engineer["id"], roles=["technician"], estates=[estate])
    punch = me.post("dispatch", path(estate, "/attendance/clock-in"))
    assert punch.status_code == 201, punch.text
    starts_at = datetime.fromisoformat(engineer["duty_shift"]["starts_at"].replace("Z", "+00:00"))
    late_minutes = int((datetime.fromisoformat(punch.json()["at"].replace("Z", "+00:00")) - starts_at
                        ).total_seconds() // 60)
    expected_late = late_minutes if late_minutes > 5 else 0
    assert punch.json()["late_minutes"] == expected_late
    assert punch.json()["shift"]["day"] == engineer["duty_shift"]["day"]
    assert me.post("dispatch", path(estate, "/attendance/clock-in"),
                   json={"staff_id": "eng-flag"}).status_code == 403  # only a supervisor corrects others

    params = {"month": engineer["duty_shift"]["day"][:7], "department": "engineering"}
    rows = {r["staff_id"]: r for r in api.get("dispatch", path(estate, "/attendance/sheet"), params=params
                                                ).json()["rows"]}
    assert rows[engineer["id"]]["late"] == int(expected_late > 0)
    assert set(rows) == set(ENGINEERS)
    csv_rows = list(csv.reader(io.StringIO(api.get("dispatch", path(estate, "/attendance/sheet"),
                                                   params={**params, "format": "csv"}).content.decode("utf-8-sig"))))
    assert csv_rows[0][0] == "工号" and {r[0] for r in csv_rows[1:]} == set(ENGINEERS)
    workbook = load_workbook(io.BytesIO(api.get("dispatch", path(estate, "/attendance/sheet"),
                                                params={**params, "format": "xlsx"}).content))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert sheet_rows[0][0] == "工号" and {r[0] for r in sheet_rows[1:]} == set(ENGINEERS)
    mine = next(r for r in sheet_rows[1:] if r[0] == engineer["id"])
    assert mine[9] == rows[engineer["id"]]["late"]


def test_other_estates_and_roles_are_refused(stack, estate, cs_roster):
    stranger = Api(stack, user_id="x", roles=["supervisor"], estates=["estate-elsewhere"])
    assert stranger.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).status_code == 404
    assert stranger.get("dispatch", path(estate, "/on-duty")).status_code == 404
    technician = Api(stack, user_id="eng-r2", roles=["technician"], estates=[estate])
    assert technician.post("dispatch", path(estate, "/rosters"),
                           json={"department": "engineering", "month": this_month()}).status_code == 403
    day = f"{this_month()}-05"
    not_mine = technician.post("dispatch", path(estate, "/roster-changes"), json={
        "kind": "leave", "department": "customer_service", "staff_id": "cs-1", "day": day, "to_day": day})
    assert not_mine.status_code == 403
    assert supervisor(stack, estate).get("dispatch", path(estate, "/on-duty"),
                                         params={"at": "2026-01-01T00:00:00"}).status_code == 422


def test_the_demo_roster_loads_twice(stack):
    import httpx

    from devstack import demo_rosters

    api = admin(stack)
    registered = api.post("intake", "/v1/estates", json={"estate_id": "demo-estate", "name": "阳光花园"})
    assert registered.status_code in (201, 409), registered.text
    headers = {"Authorization": f"Bearer {stack.token(user_id='admin-1', roles=['company_admin'], estates='*')}"}
    with httpx.Client(timeout=30) as client:
        first = demo_rosters.load(client, stack, headers)
        second = demo_rosters.load(client, stack, headers)
    assert first == second and "On duty now" in first[1] and "nobody rostered" not in first[1]


def test_a_draft_cell_edit_is_re_checked(stack, estate):
    greeners = ["green-1", "green-2", "green-3"]
    for staff_id in greeners:
        add_staff(stack, estate, staff_id, department="greening", on_duty=False)
    api = supervisor(stack, estate)
    assert api.call("PUT", "dispatch", path(estate, "/shift-templates/greening"), json=DAY_AND_NIGHT
                    ).status_code == 200
    draft = generate(stack, estate, department="greening", rules={"weekly_hours_limit": 84})
    assert draft.status_code == 201, draft.text
    draft = draft.json()
    cells_path = path(estate, f"/rosters/greening/{this_month()}/cells")
    day, next_day = draft["cells"][10]["day"], draft["cells"][12]["day"]
    [morning] = holders(draft, next_day, "day")  # working the next morning: no night before it
    tired = api.call("PUT", "dispatch", cells_path, json={"day": day, "shift": "night", "staff_ids": [morning]})
    assert tired.status_code == 422 and tired.json()["code"] == "roster_rule_broken"
    assert ("rest", next_day, [morning]) in [(v["rule"], v["day"], v["staff_ids"]) for v in tired.json()["violations"]]
    assert api.call("PUT", "dispatch", cells_path, json={"day": day, "shift": "day", "staff_ids": []}
                    ).json()["rule"] == "minimum_staff"
    assert api.call("PUT", "dispatch", cells_path, json={"day": day, "shift": "day", "staff_ids": ["cs-1"]}
                    ).json()["field"] == "staff_ids"

    stored = {**draft, "_id": draft["id"]}
    replacement = next((c, s) for c in draft["cells"] for s in greeners if s not in c["staff_ids"] and not check(
        problem(draft), {**grid_of(stored), **grid_of({"cells": [{**c, "staff_ids": [s]}]})}))
    cell, staff_id = replacement
    edited = api.call("PUT", "dispatch", cells_path, json={"day": cell["day"], "shift": cell["shift"],
                                                           "staff_ids": [staff_id]})
    assert edited.status_code == 200, edited.text
    assert holders(edited.json(), cell["day"], cell["shift"]) == [staff_id]
    assert edited.json()["version"] == draft["version"] + 1


def test_cover_and_overtime_apply_once_approved(stack, estate, cs_roster):
    api = supervisor(stack, estate)
    roster = api.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).json()
    stored = {**roster, "_id": roster["id"]}

    def applied(change):
        try:
            return apply_change(change, grid=grid_of(stored), overtime=grid_of(stored, "overtime_ids"))
        except Exception:  # noqa: BLE001 — does not fit the roster
            return None

    def fits(change) -> bool:
        after = applied(change)
        return after is not None and not check(problem(roster), after[0], overtime=after[1])

    def candidates(kind: str):
        return [{"kind": kind, "department": "customer_service", "day": c["day"], "shift": c["shift"],
                 **({"staff_id": c["staff_ids"][0], "substitute_id": s} if kind == "cover" else {"staff_id": s})}
                for c in roster["cells"] if c["day"] >= f"{this_month()}-22" for s in AGENTS
                if s not in c["staff_ids"]]  # nobody covers for themself or works overtime beside themself

    approved_changes = {}
    for kind in ("cover", "overtime"):
        change = next(c for c in candidates(kind) if fits(c))
        requested = api.post("dispatch", path(estate, "/roster-changes"), json=change)
        assert requested.status_code == 201, requested.text
        listed = api.get("dispatch", path(estate, "/roster-changes"), params={"status": "requested"}).json()
        assert requested.json()["id"] in [c["id"] for c in listed["items"]]
        approved = api.post("dispatch", path(estate, f"/roster-changes/{requested.json()['id']}/approve"))
        assert approved.status_code == 200, approved.text
        roster = api.get("dispatch", path(estate, f"/rosters/customer_service/{this_month()}")).json()
        stored = {**roster, "_id": roster["id"]}
        approved_changes[kind] = change
    cover, overtime = approved_changes["cover"], approved_changes["overtime"]
    [covered] = [c for c in roster["cells"] if (c["day"], c["shift"]) == (cover["day"], cover["shift"])]
    assert cover["substitute_id"] in covered["staff_ids"] and cover["staff_id"] not in covered["staff_ids"]
    at = local(overtime["day"], "12:00" if overtime["shift"] == "day" else "23:00")
    on_duty = api.get("dispatch", path(estate, "/on-duty"), params={"at": at, "department": "customer_service"})
    extra = [s for s in on_duty.json()["staff"] if s["id"] == overtime["staff_id"]]
    assert extra and extra[0]["duty_shift"]["overtime"] is True


def test_attendance_tolerances_are_estate_settings(stack, estate):
    api = supervisor(stack, estate)
    settings = path(estate, "/attendance/settings")
    assert api.get("dispatch", settings).json() == {"estate_id": estate, "late_minutes": 5, "early_leave_minutes": 5}
    changed = api.call("PUT", "dispatch", settings, json={"late_minutes": 10, "early_leave_minutes": 0})
    assert changed.status_code == 200 and changed.json()["late_minutes"] == 10
    assert api.get("dispatch", settings).json()["late_minutes"] == 10
    assert api.call("PUT", "dispatch", settings, json={"late_minutes": -1}).json()["errors"][0]["field"] == \
        "late_minutes"
    technician = Api(stack, user_id="eng-r1", roles=["technician"], estates=[estate])
    assert technician.call("PUT", "dispatch", settings, json={"late_minutes": 60}).status_code == 403
    api.call("PUT", "dispatch", settings, json={"late_minutes": 5, "early_leave_minutes": 5})
