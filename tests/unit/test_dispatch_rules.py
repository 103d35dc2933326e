from datetime import date

from services.dispatch.domain.work_orders import Candidate, choose_assignee, department_for, work_order_number


def test_tickets_go_to_their_department():
    assert department_for("repair") == "engineering"
    assert department_for("complaint") == "customer_service"
    assert department_for("consultation") is None


def test_the_least_loaded_person_on_duty_gets_the_order():
    on_duty = [Candidate("b", "乙", 2), Candidate("a", "甲", 1), Candidate("c", "丙", 1)]
    assert choose_assignee(on_duty).staff_id == "a"  # fewest open orders, ties by id


def test_nobody_on_duty_means_no_assignee():
    assert choose_assignee([]) is None


def test_work_order_numbers():
    assert work_order_number(date(2026, 1, 5), 7) == "PG-20260105-0007"
