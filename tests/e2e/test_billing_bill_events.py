"""`billing.bill.issued` for every bill once, naming who lives in the unit, and `billing.bill.overdue` once
per bill that passes its due date unpaid (a bill paid at once from the prepaid balance never is)."""

from __future__ import annotations

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import admin, archived_events, eventually

ISSUED = "estatedesk.billing.bill.issued.v1"
OVERDUE = "estatedesk.billing.bill.overdue.v1"


def test_bills_are_announced_once_when_issued_and_once_when_overdue(stack):
    rows = [
        ["1栋", "A-101", 1, "90.00", "residential", "张伟", "+8613800001001", "owner", ""],
        ["1栋", "A-102", 1, "80.00", "residential", "", "", "", ""],
        ["1栋", "A-103", 1, "100.00", "residential", "", "", "", ""],
    ]
    estate = BillingEstate(stack, rows)
    owned, vacant, prepaid = (estate.by_number[n]["id"] for n in ("A-101", "A-102", "A-103"))
    response = estate.pay("A-103", "500.00", key="prepay-a103")  # no bill yet: all of it to the balance
    assert response.status_code == 201, response.text
    archive = admin(stack)

    def events(kind: str) -> list[dict]:
        response = archive.get("reporting", "/v1/events", params={"estate_id": estate.estate_id, "limit": 1})
        if response.status_code != 200:
            return []
        return [e for e in archived_events(archive, estate.estate_id) if e["type"] == kind]

    run = estate.run("2025-06", ["property_fee"])
    assert run["created"] == 3
    lines = {line["unit_id"]: line for line in estate.lines(period="2025-06")}
    issued = eventually(lambda: len(found := events(ISSUED)) >= 3 and found, timeout=60, what="three bills issued")
    by_unit = {e["data"]["unit_id"]: e["data"] for e in issued}
    assert len(issued) == 3 and set(by_unit) == {owned, vacant, prepaid}
    first = by_unit[owned]
    assert first["bill_id"] == lines[owned]["id"] and first["period"] == "2025-06"
    assert (first["amount_fen"], first["amount"]) == (22500, "225.00")  # 90 m² × 2.50
    assert first["due_date"] == lines[owned]["due_date"] and first["item"] == "property_fee"
    assert len(first["resident_ids"]) == 1 and first["owner_ids"] == first["resident_ids"]
    assert by_unit[vacant]["resident_ids"] == [] and by_unit[vacant]["owner_ids"] == []
    assert by_unit[prepaid]["paid_fen"] == 25000  # paid at once from its balance

    overdue = eventually(lambda: len(found := events(OVERDUE)) >= 2 and found, timeout=60,
                         what="the two unpaid bills overdue")
    assert sorted(e["data"]["unit_id"] for e in overdue) == sorted([owned, vacant])
    late = next(e["data"] for e in overdue if e["data"]["unit_id"] == owned)
    assert (late["bill_id"], late["outstanding_fen"], late["outstanding"]) == (lines[owned]["id"], 22500, "225.00")
    assert late["overdue_since"] > late["due_date"] and late["owner_ids"] == first["owner_ids"]

    # A rerun issues nothing; a later period's overdue bills come while the first ones are not announced again.
    assert estate.run("2025-06", ["property_fee"])["created"] == 0
    assert estate.run("2025-07", ["property_fee"])["created"] == 3
    eventually(lambda: len(events(OVERDUE)) >= 4, timeout=60, what="the next period's bills overdue")
    announced = [(e["data"]["bill_id"]) for e in events(OVERDUE)]
    assert len(announced) == len(set(announced)) == 4
    assert len(events(ISSUED)) == 6
