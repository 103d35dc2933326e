"""缴N送M in a billing run: what a chunk's units bring to it (balances, prepayments, offers, paid months),
and the decision for each line (`domain/prepay.py` holds the rule).

All of it is read in the chunk's transaction with one range query per collection, and only when one
of the run's items has the rule. An offer is stored (`prepay_offers`, its `_id` the payment's, so a
payment earns one offer at most) in the transaction that issues the line starting it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from services.billing import store
from services.billing.domain import fees, prepay
from services.billing.domain.balances import GENERAL, kind_of
from shared.db import UnitOfWork


def rule_of(item: dict[str, Any]) -> prepay.PrepayRule | None:
    found = next((d for d in item.get("discounts") or [] if d["kind"] == prepay.KIND), None)
    return prepay.PrepayRule.from_document(found) if found else None


def _unit_range(units: list[dict[str, Any]]) -> dict[str, Any]:
    return {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]}


async def with_prepayments(uow: UnitOfWork, run: dict[str, Any], *, items: list[dict[str, Any]],
                           units: list[dict[str, Any]], period_code: str) -> list[dict[str, Any]]:
    """The units, each with its `prepay` state when one of the items has 缴N送M."""
    codes = [item["code"] for item in items if rule_of(item)]
    if not units or not codes:
        return units
    estate, in_range = {"estate_id": run["estate_id"]}, _unit_range(units)
    # 缴N送M is earned by prepaying the general balance: an electricity top-up is the meter's, not a prepayment.
    balances = {b["unit_id"]: b["balance_fen"] for b in await store.find_all(
        uow, store.BALANCES, query={**estate, "unit_id": in_range}, projection={"unit_id": 1, "kind": 1, "balance_fen": 1})
        if kind_of(b) == GENERAL}
    reversed_ = {r["_id"] for r in await store.find_all(uow, store.REVERSALS, query={**estate, "unit_id": in_range},
                                                         projection={"_id": 1})}
    prepayments: dict[str, list[prepay.Prepayment]] = defaultdict(list)
    for p in await store.find_all(uow, store.PAYMENTS, query={**estate, "unit_id": in_range, "to_balance_fen": {"$gt": 0}},
                                  projection={"unit_id": 1, "receipt_number": 1, "to_balance_fen": 1, "received_at": 1,
                                   "balance_kind": 1}):
        if p["_id"] not in reversed_ and kind_of(p, "balance_kind") == GENERAL:
            prepayments[p["unit_id"]].append(prepay.Prepayment(p["_id"], p["receipt_number"], p["to_balance_fen"],
                                                               p["received_at"].isoformat()))
    offers: dict[str, dict[str, list[prepay.Offer]]] = defaultdict(lambda: defaultdict(list))
    used: dict[str, set[str]] = defaultdict(set)
    wanted: set[tuple[str, str, str]] = set()  # (unit, item, paid month) of offers whose free months are now
    for o in await store.find_all(uow, store.PREPAY_OFFERS, query={**estate, "unit_id": in_range}):
        offer = prepay.Offer.from_document(o)
        offers[o["unit_id"]][o["item_code"]].append(offer)
        used[o["unit_id"]].add(offer.payment_id)
        if period_code in offer.free_periods:
            wanted |= {(o["unit_id"], o["item_code"], p) for p in offer.paid_periods}
    paid: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if wanted:
        for line in await store.find_all(uow, store.BILL_LINES, query={
                "unit_id": in_range, "status": "paid", "item_code": {"$in": codes},
                "period": {"$in": sorted({p for _u, _i, p in wanted})}},
                                         projection={"unit_id": 1, "item_code": 1, "period": 1}):
            if (line["unit_id"], line["item_code"], line["period"]) in wanted:
                paid[line["unit_id"]][line["item_code"]].add(line["period"])
    return [{**unit, "prepay": {"balance_fen": balances.get(unit["_id"], 0), "prepayments": prepayments[unit["_id"]],
                                "offers": offers[unit["_id"]], "used": used[unit["_id"]], "paid": paid[unit["_id"]]}}
            for unit in units]


def decide(item: dict[str, Any], unit: dict[str, Any], *, period_code: str,
           rule: dict[str, Any]) -> prepay.Offer | None:
    """Make a line's rule a free month, or note its offer; the offer this month starts, if any.

    Lines are decided in the order the run builds them, each drawing (in this reckoning) on the unit's
    balance as the chunk will, so a later item's offer sees what an earlier item's line leaves."""
    state = unit.get("prepay")
    if state is None:
        return None
    started = None
    if (chosen := rule_of(item)) is not None:
        offers = state["offers"][item["code"]]
        offer = prepay.covering(offers, period_code)
        if offer is None:
            offer = started = prepay.new_offer(chosen, period=period_code, monthly_fen=fees.compute(rule),
                                               balance_fen=state["balance_fen"], prepayments=state["prepayments"],
                                               used=state["used"])
            if offer is not None:
                offers.append(offer)
                state["used"].add(offer.payment_id)
        if offer is not None:
            at = prepay.standing(offer, period_code, paid_in_full=state["paid"][item["code"]])
            if at.kind == "free":
                rule["discount"] = prepay.free_discount(at)
            else:
                rule["prepay"] = prepay.note(at)
    state["balance_fen"] = max(0, state["balance_fen"] - fees.compute(rule))
    return started


def offer_document(offer: prepay.Offer, line: dict[str, Any]) -> dict[str, Any]:
    return {"_id": offer.payment_id, "estate_id": line["estate_id"], "company_id": line["company_id"],
            "unit_id": line["unit_id"], "item_code": line["item_code"], "started_by_line": line["_id"],
            "billing_run_id": line.get("billing_run_id"), "at": line["issued_at"], **offer.document()}
