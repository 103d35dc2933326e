"""Billing in the demo estate (阳光花园), through the public API: months billed (one of them a
year ago, so arrears fall in several aging buckets), payments with receipts, one reversed (冲正),
a line that explains its amount and its late fee, the arrears report and the reconciliation.
A second run bills nothing new and pays nothing twice (Idempotency-Key)."""

from __future__ import annotations

import time
from datetime import date

import httpx

from devstack.stack import Stack
from shared import clock
from shared.estates import local_day

ESTATE = "demo-estate"
ITEMS = ["property_fee", "garbage_fee"]
MONTHS_BACK = (13, 7, 4, 2, 1)


def _month(today: date, back: int) -> str:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{year}-{month + 1:02d}"


class Clerk:
    def __init__(self, client: httpx.Client, stack: Stack) -> None:
        self.client, self.base = client, f"{stack.url('billing')}/v1"
        self.headers = {"Authorization": f"Bearer {stack.token(user_id='clerk-demo', roles=['billing_clerk'], estates=[ESTATE])}"}

    def get(self, path: str, **params) -> dict:
        return self.client.get(f"{self.base}{path}", params=params, headers=self.headers).raise_for_status().json()

    def post(self, path: str, body: dict, key: str | None = None) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return self.client.post(f"{self.base}{path}", json=body, headers=headers)

    def until(self, probe, what: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := probe():
                return found
            time.sleep(0.2)
        raise TimeoutError(f"{what} did not happen within {timeout} s")


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    clerk = Clerk(client, stack)
    units = clerk.until(lambda: len(found := clerk.get("/units", estate_id=ESTATE, limit=100)["items"]) >= 16 and found,
                        "billing's copy of the demo directory")
    today = local_day(clock.now())
    # 违约金 on: each month's run charges the months before that are still owed (an explained late fee).
    client.put(f"{stack.url('billing')}/v1/estates/{ESTATE}/late-fee-policy", json={"enabled": True},
               headers=admin).raise_for_status()
    runs = []
    for back in MONTHS_BACK:
        run = clerk.post("/billing-runs", {"estate_id": ESTATE, "period": _month(today, back), "items": ITEMS})
        run = run.raise_for_status().json()
        runs.append(clerk.until(lambda run=run: (r := clerk.get(f"/billing-runs/{run['id']}"))["status"] == "completed"
                                and r, f"billing run {run['period']}"))
    by_number = {unit["number"]: unit for unit in units}
    paid = clerk.post("/payments", {"unit_id": by_number["1-502"]["id"], "amount": "1000.00", "method": "wechat_pay"},
                      key="demo-payment-1-502").raise_for_status().json()
    mistaken = clerk.post("/payments", {"unit_id": by_number["1-101"]["id"], "amount": "200.00", "method": "cash"},
                          key="demo-payment-1-101").raise_for_status().json()
    counter = clerk.post("/payments", {"unit_id": by_number["1-501"]["id"], "amount": "300.00", "method": "cash"},
                         key="demo-payment-1-501").raise_for_status().json()
    reversal = clerk.post(f"/payments/{mistaken['id']}/reversal", {"reason": "收错户，冲正"})
    if reversal.status_code not in (200, 409):  # 409: reversed by an earlier run of the demo
        reversal.raise_for_status()
    old = next(line for line in clerk.get("/bill-lines", estate_id=ESTATE, unit_id=by_number["1-202"]["id"])["items"]
               if line["period"] == _month(today, MONTHS_BACK[0]) and line["item_code"] == "property_fee")
    closed = clerk.post("/day-closes", {"estate_id": ESTATE, "day": counter["business_day"], "counted_cash": "295.00",
                                        "note": "短款5元"})
    if closed.status_code not in (201, 409):  # 409: closed by an earlier run of the demo
        closed.raise_for_status()
    dunning = clerk.post("/dunning-runs", {"estate_id": ESTATE, "threshold": "500.00"}).raise_for_status().json()
    explained = clerk.get(f"/bill-lines/{old['id']}/explanation")
    arrears = clerk.get(f"/estates/{ESTATE}/arrears")
    reconciled = clerk.get(f"/estates/{ESTATE}/reconciliation")
    buckets = ", ".join(f"{name} {amount}" for name, amount in arrears["buckets"].items() if amount != "0.00")
    return [
        (f"Billing: {len(runs)} months billed ({', '.join(r['period'] for r in runs)}), "
         f"{sum(r['created'] for r in runs)} lines this run — {clerk.base.removesuffix('/v1')}/docs"),
        (f"  payment {paid['receipt_number']} 3栋 1-502 {paid['amount']} (applied {paid['applied']}, prepaid "
         f"{paid['to_balance']}); {mistaken['receipt_number']} 1栋 1-101 reversed (冲正)"),
        f"  its receipt (收据): GET {clerk.base}/payments/{paid['id']}/receipt (add ?format=pdf for the PDF)",
        f"  day close of {counter['business_day']} (日结): counted 295.00 cash of 300.00, short 5.00 recorded",
        f"  {explained['zh']}",
        f"  {explained['late_fee']['zh']}",
        f"  arrears {arrears['total']} (当期 {arrears['current']}, 陈欠 {arrears['older']}): {buckets}",
        (f"  dunning run (催缴): {dunning['units_over_threshold']} units owe over {dunning['threshold']}, "
         f"{dunning['notices']} notices sent, {dunning['skipped_recently_notified']} notified within "
         f"{dunning['min_interval_days']} days"),
        (f"  reconciliation: {reconciled['units_checked']} units, balanced={reconciled['balanced']}: "
         f"GET {clerk.base}/estates/{ESTATE}/reconciliation"),
    ]
