"""Late fees (违约金) as lines of their own, through the API against the real broker and database:
the estate's policy (off until a manager turns it on, If-Match), a monthly run charging each
overdue line the days of lateness not charged yet on its principal, a late-fee line that explains
and recomputes itself, a rerun that charges nothing, late fees never charged on late fees, and
late-fee lines counted in arrears and reconciliation like other lines."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api

ROWS = [["1栋", "1-101", 1, "100", "residential", "张三", "13812345678", "owner", "2020-05-01"]]
ITEMS = ["property_fee"]  # 100 m² × 2.50 = 250.00 a month, due on the 15th


def late_lines(estate: BillingEstate, period: str | None = None) -> list[dict]:
    lines = estate.lines(**({"period": period} if period else {}))
    return [line for line in lines if line["item_code"] == "late_fee"]


def test_an_estate_s_late_fee_policy_charges_overdue_lines_once_as_lines_that_explain_themselves(stack):
    estate = BillingEstate(stack, ROWS)
    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate.estate_id])
    path = f"/v1/estates/{estate.estate_id}/late-fee-policy"
    default = estate.clerk.get("billing", path)
    assert default.status_code == 200 and default.headers["ETag"] == '"0"', default.text
    assert {k: default.json()[k] for k in ("enabled", "daily_rate", "grace_days", "cap_ratio")} == {
        "enabled": False, "daily_rate": "0.0005", "grace_days": 15, "cap_ratio": "1"}

    estate.run("2025-03", ITEMS)
    estate.run("2025-04", ITEMS)
    off = estate.run("2025-05", ITEMS)  # the March line is overdue, but late fees are off
    assert (off["late_fees_created"], late_lines(estate)) == (0, [])

    policy = {"enabled": True, "daily_rate": "0.0005", "grace_days": 15, "cap_ratio": "1"}
    assert estate.clerk.call("PUT", "billing", path, json=policy).status_code == 403  # a manager's decision
    bad = manager.call("PUT", "billing", path, json={**policy, "daily_rate": "5%"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("daily_rate"), bad.text
    turned_on = manager.call("PUT", "billing", path, json=policy, headers={"If-Match": '"0"'})
    assert turned_on.status_code == 200 and turned_on.json()["version"] == 1, turned_on.text
    stale = manager.call("PUT", "billing", path, json=policy, headers={"If-Match": '"0"'})
    assert stale.status_code == 409 and stale.json()["field"] == "If-Match"

    # A rerun of May now charges March's line from 03-31 (15 days' grace after 03-15) to 04-30: 31 days.
    may = estate.run("2025-05", ITEMS)
    assert (may["created"], may["late_fees_created"], may["late_fee_amount"]) == (0, 1, "3.88")
    [charged] = late_lines(estate)
    march = next(line for line in estate.lines(period="2025-03") if line["item_code"] == "property_fee")
    assert (charged["period"], charged["amount"], charged["status"]) == ("2025-05", "3.88", "issued")
    explained = estate.clerk.get("billing", f"/v1/bill-lines/{charged['id']}/explanation").json()
    assert explained["matches"] is True and explained["recomputed"] == "3.88"  # 250.00 × 31 × 0.05% = 3.875
    rule = explained["rule"]
    assert (rule["line_id"], rule["from"], rule["through"], rule["days"]) == (march["id"], "2025-03-31",
                                                                            "2025-04-30", 31)
    assert rule["ranges"] == [{"from": "2025-03-31", "to": "2025-04-30", "days": 31, "principal": "250.00"}]
    assert (rule["daily_rate"], rule["grace_days"], rule["cap"], rule["charged_before"]) == ("0.0005", 15,
                                                                                              "250.00", "0.00")
    assert "违约金" in explained["zh"] and "宽限 15 天" in explained["zh"] and "250.00 元 × 31 天" in explained["zh"]
    assert "31 days" in explained["en"] and "capped at" in explained["en"] and "never compounded" in explained["en"]
    on_march = estate.clerk.get("billing", f"/v1/bill-lines/{march['id']}/explanation").json()["late_fee"]
    assert (on_march["charged"], on_march["through"], [d["id"] for d in on_march["lines"]]) == (
        "3.88", "2025-04-30", [charged["id"]])

    again = estate.run("2025-05", ITEMS)
    assert (again["created"], again["late_fees_created"]) == (0, 0)
    assert len(late_lines(estate)) == 1

    # June: March's and April's lines for May's 31 days, May's line for 05-31; May's late fee accrues nothing.
    june = estate.run("2025-06", ITEMS)
    assert (june["late_fees_created"], june["late_fee_amount"]) == (3, "7.89")  # 3.88 + 3.88 + 0.13
    assert sorted(line["amount"] for line in late_lines(estate, "2025-06")) == ["0.13", "3.88", "3.88"]
    assert all(line["id"].split(":late_fee:")[0] != charged["id"] for line in late_lines(estate))

    lines = estate.lines()
    owed = sum(Decimal(line["outstanding"]) for line in lines)
    assert Decimal(estate.account("1-101")["arrears"]) == owed == 4 * Decimal("250.00") + Decimal("11.77")
    report = estate.clerk.get("billing", f"/v1/estates/{estate.estate_id}/arrears").json()
    assert {i["item_code"]: i["total"] for i in report["by_item"]}["late_fee"] == "11.77"
    paid = estate.pay("1-101", "1011.77")
    assert paid.status_code == 201 and paid.json()["applied"] == "1011.77", paid.text
    assert estate.account("1-101")["arrears"] == "0.00"
    assert estate.reconciliation()["balanced"] is True

    turned_off = manager.call("PUT", "billing", path, json={**policy, "enabled": False})
    assert turned_off.status_code == 200 and turned_off.json()["version"] == 2
    # March to June were overdue all July (paid only today), but late fees are off now: none is charged.
    assert estate.run("2025-08", ITEMS)["late_fees_created"] == 0
    assert late_lines(estate, "2025-08") == []
