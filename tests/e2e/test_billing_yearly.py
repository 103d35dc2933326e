"""A yearly item through the API: the estate's default 供暖费 (heating, by area, for the heating
season 15 November – 15 March), billed once per year period for the season beginning in it, pro
rata by the season's days for a move-in during the season, in full for one before it, nothing for
one after it; a rerun creates nothing, and a monthly run never bills it."""

from __future__ import annotations

import pytest

from tests.e2e.billing_estate import BillingEstate

ROWS = [
    ["1栋", "1-101", 1, "100", "residential", "张三", "13812345678", "owner", "2020-05-01"],
    ["1栋", "1-102", 1, "80", "residential", "李四", "13900001111", "owner", "2024-07-01"],  # before the season
    ["1栋", "1-201", 2, "90", "residential", "王五", "13900002222", "owner", "2024-12-15"],  # during it
    ["1栋", "1-202", 2, "60", "residential", "赵六", "13900003333", "owner", "2025-02-01"],  # late in it
    ["1栋", "1-301", 3, "70", "residential", "钱七", "13900004444", "owner", "2025-06-01"],  # after it
    ["1栋", "P-001", -2, "12.5", "parking_space", "张三", "13812345678", "owner", ""],  # not heated
]


@pytest.fixture(scope="module")
def estate(stack) -> BillingEstate:
    return BillingEstate(stack, ROWS)


def heating_lines(estate: BillingEstate, period: str) -> dict[str, dict]:
    numbers = {unit["id"]: unit["number"] for unit in estate.units}
    return {numbers[line["unit_id"]]: line for line in estate.lines(period=period)
            if line["item_code"] == "heating_fee"}


def test_the_heating_fee_is_a_default_yearly_item_by_area_for_the_heating_season(estate):
    heating = estate.items["heating_fee"]
    assert (heating["name_zh"], heating["formula"], heating["cycle"]) == ("供暖费", "area", "yearly")
    assert heating["season"] == {"starts": "11-15", "ends": "03-15"}
    assert heating["unit_kinds"] == ["residential", "commercial"]


def test_a_yearly_run_bills_the_season_once_pro_rata_for_a_move_in_during_it(estate):
    run = estate.run("2024")  # every recurring yearly item: the heating fee
    assert run["items"] == ["heating_fee"]
    assert (run["total"], run["done"], run["created"], run["existing"]) == (5, 5, 4, 0)
    lines = heating_lines(estate, "2024")
    assert {number: line["amount"] for number, line in lines.items()} == {
        "1-101": "2500.00",  # 100 m² × 25.00, the whole season of 121 days
        "1-102": "2000.00",  # moved in before the season: the whole of it
        "1-201": "1692.15",  # 90 × 25.00 × 91/121 (from 2024-12-15)
        "1-202": "533.06",  # 60 × 25.00 × 43/121 (from 2025-02-01)
    }
    assert {line["due_date"] for line in lines.values()} == {"2024-11-15"}
    response = estate.clerk.get("billing", f"/v1/bill-lines/{lines['1-201']['id']}/explanation")
    assert response.status_code == 200, response.text
    explained = response.json()
    assert explained["matches"] is True and explained["recomputed"] == "1692.15"
    rule = explained["rule"]
    assert (rule["billed_from"], rule["billed_days"], rule["period_days"]) == ("2024-12-15", 91, 121)
    assert rule["season"] == {"starts": "2024-11-15", "ends": "2025-03-15"}
    assert "2024-11-15 至 2025-03-15" in explained["zh"] and "91/121 天" in explained["zh"]
    assert "2024-11-15 to 2025-03-15" in explained["en"] and "1692.15 yuan" in explained["en"]


def test_a_seasons_lines_are_current_arrears_while_the_season_lasts_and_older_after_it(estate):
    def arrears(as_of: str) -> dict:
        response = estate.clerk.get("billing", f"/v1/estates/{estate.estate_id}/arrears", params={"as_of": as_of})
        assert response.status_code == 200, response.text
        return next(item for item in response.json()["by_item"] if item["item_code"] == "heating_fee")

    during, after = arrears("2025-01-10"), arrears("2025-04-01")  # the season 2024 runs to 2025-03-15
    assert (during["total"], during["current"], during["older"]) == ("6725.21", "6725.21", "0.00")
    assert (after["total"], after["current"], after["older"]) == ("6725.21", "0.00", "6725.21")


def test_a_rerun_of_the_year_creates_nothing_and_the_next_year_bills_the_next_season(estate):
    first = estate.run("2024", ["heating_fee"])  # after the test above, or on its own: once per year either way
    again = estate.run("2024", ["heating_fee"])
    assert (again["created"], again["existing"], again["amount_created"]) == (0, 4, "0.00")
    assert first["created"] + first["existing"] == 4
    assert len(heating_lines(estate, "2024")) == 4
    next_year = estate.run("2025", ["heating_fee"])
    assert next_year["created"] == 5
    lines = heating_lines(estate, "2025")
    assert lines["1-202"]["amount"] == "1500.00" and lines["1-301"]["amount"] == "1750.00"  # whole seasons now
    assert {line["due_date"] for line in lines.values()} == {"2025-11-15"}


def test_a_monthly_run_never_bills_the_yearly_item_and_a_month_is_refused_for_it(estate):
    december = estate.run("2024-12")
    assert "heating_fee" not in december["items"]
    assert not heating_lines(estate, "2024-12")
    response = estate.clerk.post("billing", "/v1/billing-runs",
                                 json={"estate_id": estate.estate_id, "period": "2024-12", "items": ["heating_fee"]})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "period"


def test_a_season_belongs_to_a_yearly_item_and_is_a_day_of_every_year(estate):
    path = f"/v1/estates/{estate.estate_id}/fee-items"
    base = {"name_zh": "制冷费", "name_en": "Cooling fee", "formula": "area", "unit_kinds": ["residential"],
            "prices": [{"price": "10.00", "valid_from": "2020-01-01"}]}
    for body, field in (({"code": "cooling_m", "cycle": "monthly", "season": {"starts": "06-01", "ends": "09-30"}},
                         "season"),
                        ({"code": "cooling_y", "cycle": "yearly", "season": {"starts": "02-30", "ends": "09-30"}},
                         "season.starts")):
        response = estate.clerk.post("billing", path, json={**base, **body})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
    response = estate.clerk.post("billing", path, json={**base, "code": "cooling", "cycle": "yearly",
                                                        "season": {"starts": "06-01", "ends": "09-30"}})
    assert response.status_code == 201, response.text
    assert response.json()["season"] == {"starts": "06-01", "ends": "09-30"}
