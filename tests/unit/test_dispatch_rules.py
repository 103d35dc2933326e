from datetime import date

from services.dispatch.domain.positions import off_duty_holder
from services.dispatch.domain.work_orders import (
    Candidate,
    RoutingRule,
    assign,
    choose_assignee,
    fallback_for,
    route,
    work_order_number,
)


def test_requests_are_routed_by_the_most_specific_rule():
    assert route("repair", None, scope="in_unit").department == "engineering"
    assert route("repair", "elevator", scope="public_area").skill == "elevator"
    assert route("repair", "doors_access", scope="public_area").department == "security"
    assert route("complaint", "noise", scope="in_unit").kind == "complaint_handling"
    assert route("consultation", None, scope=None) is None


def test_an_estates_own_rules_come_first():
    own = (RoutingRule("repair", "cleaning", "repair", subcategory="drains"),)
    assert route("repair", "drains", scope="public_area", estate_rules=own).department == "cleaning"
    assert route("repair", "plumbing", scope="in_unit",
                 estate_rules=own).department == "engineering"  # defaults still apply


def test_the_least_loaded_person_with_the_skill_gets_the_order():
    on_duty = [Candidate("b", "乙", 2, frozenset({"elevator"})), Candidate("a", "甲", 1),
               Candidate("c", "丙", 1, frozenset({"elevator"}))]
    assert choose_assignee(on_duty).staff_id == "a"  # fewest open orders, ties by id
    assert choose_assignee(on_duty, "elevator").staff_id == "c"


def test_without_the_skill_on_duty_a_generalist_then_on_call_then_the_supervisors():
    on_duty = [Candidate("a", "甲", 0)]
    on_call = [Candidate("z", "值班", 3, on_call=True)]
    assert (assign(on_duty, on_call, skill="elevator").candidate.staff_id,
            assign(on_duty, on_call, skill="elevator").via) == (
        "a", "on_duty_without_skill")
    assert assign([], on_call, skill="elevator").candidate.staff_id == "z"
    assert assign([], on_call, skill="elevator").via == "on_call"
    queued = assign([], [], skill=None)
    assert (queued.candidate, queued.via) == (None, "supervisors_queue")


def test_work_order_numbers():
    assert work_order_number(date(2026, 1, 5), 7) == "PG-20260105-0007"


def test_off_duty_a_position_reaches_its_on_call_holder_else_anyone_holding_it_by_phone():
    holders = [{"_id": "b-mgr"}, {"_id": "a-mgr", "on_leave": True, "on_call": True}, {"_id": "c-mgr", "on_call": True}]
    assert off_duty_holder(holders) == ({"_id": "c-mgr", "on_call": True}, "on_call")
    assert off_duty_holder(holders[:2]) == ({"_id": "b-mgr"}, "phone")
    assert off_duty_holder([{"_id": "a", "on_leave": True}]) == (None, None)


def test_an_empty_department_falls_back_to_its_named_fallback_else_the_service_centre():
    assert fallback_for("security", {"security"}) is None
    assert fallback_for("security", {"customer_service"}).department == "customer_service"
    assert fallback_for("security", {"customer_service", "engineering"},
                        named="engineering").department == "engineering"
    nobody = fallback_for("security", {"engineering"})
    assert nobody.department is None and "customer_service" in nobody.reason
