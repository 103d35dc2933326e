"""An estate set up for billing tests through the public APIs: its directory from a CSV import,
billing's copy of it awaited, and short-hands for runs, lines and payments."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.helpers import Api, admin, all_pages, eventually, new_estate_id

HEADER = ["building", "unit", "floor", "area", "kind", "name", "phone", "role", "move_in_date"]


def csv_bytes(rows: list[list]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return text.getvalue().encode("utf-8-sig")


class BillingEstate:
    def __init__(self, stack, rows: list[list], *, clerk: str = "clerk-1") -> None:
        self.estate_id = new_estate_id()
        self.admin = admin(stack)
        response = self.admin.post("intake", "/v1/estates", json={"estate_id": self.estate_id, "name": "收费小区"})
        assert response.status_code == 201, response.text
        self.clerk = Api(stack, user_id=clerk, roles=["billing_clerk"], estates=[self.estate_id])
        if rows:
            manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[self.estate_id])
            response = manager.post("intake", f"/v1/estates/{self.estate_id}/directory/import",
                                    content=csv_bytes(rows), headers={"Content-Type": "text/csv"}, timeout=300)
            assert response.status_code == 201, response.text
        self.items = eventually(lambda: self.fee_items(), what="the estate's default fee items")
        moving_in = {row[1] for row in rows if row[8]}  # the import's parts may come in any order

        def all_known():
            units = self.billed_units()
            known = len(units) == len({row[1] for row in rows})
            return known and moving_in <= {u["number"] for u in units if u.get("first_move_in_on")} and units

        self.units = eventually(all_known, timeout=60, what="billing's copy of the units and move-ins")
        self.by_number = {unit["number"]: unit for unit in self.units}

    def fee_items(self) -> dict[str, dict]:
        response = self.clerk.get("billing", f"/v1/estates/{self.estate_id}/fee-items")
        return response.status_code == 200 and {item["code"]: item for item in response.json()}

    def billed_units(self) -> list[dict]:
        return all_pages(self.clerk, "billing", "/v1/units", {"estate_id": self.estate_id})

    def run(self, period: str, items: list[str] | None = None, *, timeout: float = 60) -> dict:
        body = {"estate_id": self.estate_id, "period": period, **({"items": items} if items else {})}
        response = self.clerk.post("billing", "/v1/billing-runs", json=body)
        assert response.status_code == 202, response.text
        return self.finished(response.json()["id"], timeout=timeout)

    def finished(self, run_id: str, *, timeout: float = 60) -> dict:
        def completed():
            run = self.clerk.get("billing", f"/v1/billing-runs/{run_id}").json()
            return run["status"] == "completed" and run
        return eventually(completed, timeout=timeout, what=f"billing run {run_id}")

    def lines(self, **filters: Any) -> list[dict]:
        return all_pages(self.clerk, "billing", "/v1/bill-lines", {"estate_id": self.estate_id, **filters})

    def pay(self, unit_number: str, amount: str, *, key: str | None = None, **fields: Any):
        body = {"unit_id": self.by_number[unit_number]["id"], "amount": amount, "method": "cash", **fields}
        return self.clerk.post("billing", "/v1/payments", json=body, headers={"Idempotency-Key": key} if key else {})

    def account(self, unit_number: str) -> dict:
        response = self.clerk.get("billing", f"/v1/units/{self.by_number[unit_number]['id']}/account")
        assert response.status_code == 200, response.text
        return response.json()

    def reconciliation(self) -> dict:
        response = self.clerk.get("billing", f"/v1/estates/{self.estate_id}/reconciliation")
        assert response.status_code == 200, response.text
        return response.json()
