"""Reading the accounts: reconciliation, arrears by age, building and item, collection rate, explanations."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from services.billing import store
from services.billing.commands.late_fee_accrual import charged_on
from services.billing.domain import fees
from services.billing.domain.arrears import bucket_of, collection_rate_percent, empty_buckets
from services.billing.domain.balances import ELECTRICITY, KINDS, kind_of, line_kind
from services.billing.domain.bills import outstanding
from services.billing.domain.periods import parse_period
from services.billing.domain.receipts import receipt_html
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound
from shared.estates import DEFAULT_TIME_ZONE, ESTATES
from shared.money import fen_to_text


async def reconcile(database: Database, query: dict[str, Any]) -> dict[str, Any]:
    """Per unit: lines − payments applied − prepaid balance used − waived = arrears, and every running total
    (line `paid_fen` and `refunded_fen`, each kind of the unit's balance) equal to the sum of its entries, to
    the fen; deposits refunded (退押金) are money paid out, beside what was received. Each kind of balance is
    proved on its own (what went in less what lines used = its entries = its running total), and no balance
    paid a line of the other kind (shares stored before kinds name none and are not checked)."""
    units: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    electricity_lines = set()
    for line in await store.find_all(database, store.BILL_LINES, query=query,
                                     projection={"unit_id": 1, "amount_fen": 1, "paid_fen": 1, "waived_fen": 1,
                                      "refunded_fen": 1, "rule.formula": 1, "rule.meter": 1}):
        figures = units[line["unit_id"]]
        figures["lines"] += line["amount_fen"]
        figures["refunded_on_lines"] += line.get("refunded_fen", 0)
        figures["refunds_over_paid"] += max(0, line.get("refunded_fen", 0) - line["paid_fen"])
        figures["arrears_of_lines"] += outstanding(line)
        figures["waived_on_lines"] += line.get("waived_fen", 0)
        if line_kind(line) == ELECTRICITY:
            electricity_lines.add(line["_id"])
    for refund in await store.find_all(database, store.DEPOSIT_REFUNDS, query=query,
                                       projection={"unit_id": 1, "amount_fen": 1}):
        units[refund["unit_id"]]["refunded"] += refund["amount_fen"]
    for waiver in await store.find_all(database, store.WAIVERS, query=query,
                                       projection={"unit_id": 1, "amount_fen": 1}):
        units[waiver["unit_id"]]["waived"] += waiver["amount_fen"]
    for share in await store.find_all(database, store.ALLOCATIONS, query=query,
                                      projection={"unit_id": 1, "source": 1, "amount_fen": 1, "line_id": 1,
                                                  "balance_kind": 1}):
        figures = units[share["unit_id"]]
        if share["source"] == "payment":
            figures["payments_applied"] += share["amount_fen"]
            continue
        kind = kind_of(share, "balance_kind")
        figures["balance_used"] += share["amount_fen"]
        figures[f"balance_used:{kind}"] += share["amount_fen"]
        if share.get("balance_kind") and (kind == ELECTRICITY) != (share["line_id"] in electricity_lines):
            figures["drawn_on_other_kind"] += share["amount_fen"]
    for payment in await store.find_all(database, store.PAYMENTS, query=query,
                                        projection={"unit_id": 1, "amount_fen": 1, "to_balance_fen": 1,
                                                    "balance_kind": 1}):
        units[payment["unit_id"]]["received"] += payment["amount_fen"]
        units[payment["unit_id"]]["prepaid_in"] += payment["to_balance_fen"]
        units[payment["unit_id"]][f"prepaid_in:{kind_of(payment, 'balance_kind')}"] += payment["to_balance_fen"]
    for reversal in await store.find_all(database, store.REVERSALS, query=query,
                                         projection={"unit_id": 1, "amount_fen": 1, "to_balance_fen": 1,
                                                     "balance_kind": 1}):
        units[reversal["unit_id"]]["received"] -= reversal["amount_fen"]
        units[reversal["unit_id"]]["prepaid_in"] -= reversal["to_balance_fen"]
        units[reversal["unit_id"]][f"prepaid_in:{kind_of(reversal, 'balance_kind')}"] -= reversal["to_balance_fen"]
    for entry in await store.find_all(database, store.BALANCE_ENTRIES, query=query,
                                      projection={"unit_id": 1, "amount_fen": 1, "kind": 1}):
        units[entry["unit_id"]][f"balance_entries:{kind_of(entry)}"] += entry["amount_fen"]
    for balance in await store.find_all(database, store.BALANCES, query=query,
                                        projection={"unit_id": 1, "balance_fen": 1, "kind": 1}):
        units[balance.get("unit_id") or balance["_id"]]["balance"] += balance["balance_fen"]
        units[balance.get("unit_id") or balance["_id"]][f"balance:{kind_of(balance)}"] += balance["balance_fen"]

    totals: dict[str, int] = defaultdict(int)
    discrepancies = []
    for unit_id, f in sorted(units.items()):
        arrears = f["lines"] - f["payments_applied"] - f["balance_used"] - f["waived"]
        expected = {"arrears": (arrears, f["arrears_of_lines"]), "waived": (f["waived"], f["waived_on_lines"]),
                    "payments": (f["received"], f["payments_applied"] + f["prepaid_in"]),
                    "refunds": (f["refunded"], f["refunded_on_lines"]),
                    "refunds_within_paid": (0, f["refunds_over_paid"]),
                    "balance_kind_of_lines": (0, f["drawn_on_other_kind"])}
        for check, (want, found) in expected.items():
            if want != found:
                discrepancies.append({"unit_id": unit_id, "check": check, "expected": fen_to_text(want),
                                      "found": fen_to_text(found)})
        for kind in KINDS:
            entries = f[f"balance_entries:{kind}"]
            for check, (want, found) in {"balance_entries": (f[f"prepaid_in:{kind}"] - f[f"balance_used:{kind}"],
                                                             entries),
                                         "balance": (entries, f[f"balance:{kind}"])}.items():
                if want != found:
                    discrepancies.append({"unit_id": unit_id, "check": check, "balance_kind": kind,
                                          "expected": fen_to_text(want), "found": fen_to_text(found)})
            for name in ("balance_used", "balance"):
                totals[f"{name}:{kind}"] += f[f"{name}:{kind}"]
        for name in ("lines", "payments_applied", "balance_used", "waived", "received", "balance", "refunded"):
            totals[name] += f[name]
        totals["arrears"] += arrears
    return {"units_checked": len(units), "balanced": not discrepancies, "discrepancies": discrepancies[:100],
            "totals": {name: fen_to_text(totals[name]) for name in
                       ("lines", "payments_applied", "balance_used", "waived", "arrears", "received", "balance",
                        "refunded")},
            "balances_by_kind": {kind: {name: fen_to_text(totals[f"{name}:{kind}"])
                                        for name in ("balance_used", "balance")} for kind in KINDS}}


def _figures() -> dict[str, Any]:
    return {"total": 0, "current": 0, "older": 0, "buckets": empty_buckets()}


def _add(figures: dict[str, Any], amount: int, *, bucket: str, current: bool) -> None:
    figures["total"] += amount
    figures["current" if current else "older"] += amount
    figures["buckets"][bucket] += amount


def _as_text(figures: dict[str, Any]) -> dict[str, Any]:
    return {"total": fen_to_text(figures["total"]), "current": fen_to_text(figures["current"]),
            "older": fen_to_text(figures["older"]),
            "buckets": {name: fen_to_text(value) for name, value in figures["buckets"].items()}}


async def arrears(database: Database, estate_id: str, *, as_of: date) -> dict[str, Any]:
    """Open amounts seen on `as_of`: current period (当期) vs older (陈欠), aged, by building and by item."""
    units = {u["_id"]: u for u in await store.find_all(database, store.UNITS, query={"estate_id": estate_id},
                                                         projection={"building_id": 1, "building_name": 1})}
    lines = await store.find_all(database, store.BILL_LINES,
                                 query={"estate_id": estate_id, "status": {"$in": list(store.OPEN_STATUSES)}},
                                 projection={"unit_id": 1, "item_code": 1, "period": 1, "due_date": 1, "amount_fen": 1,
                                             "paid_fen": 1, "waived_fen": 1, "rule.season": 1})
    estate, by_building, by_item = _figures(), defaultdict(_figures), defaultdict(_figures)
    periods: dict[str, Any] = {}
    owing_units = set()
    for line in lines:
        amount = outstanding(line)
        period = periods.get(line["period"]) or periods.setdefault(line["period"], parse_period(line["period"]))
        season = (line.get("rule") or {}).get("season")  # a heating season's line is current while it lasts
        current = (season["starts"] <= as_of.isoformat() <= season["ends"]) if season else period.contains(as_of)
        bucket = bucket_of(date.fromisoformat(line["due_date"]), as_of)
        building = units.get(line["unit_id"], {}).get("building_id") or "unknown"
        for figures in (estate, by_building[building], by_item[line["item_code"]]):
            _add(figures, amount, bucket=bucket, current=current)
        owing_units.add(line["unit_id"])
    names = {u.get("building_id"): u.get("building_name") for u in units.values()}
    return {
        "estate_id": estate_id, "as_of": as_of.isoformat(), "units_owing": len(owing_units), **_as_text(estate),
        "by_building": [{"building_id": b, "building_name": names.get(b), **_as_text(f)}
                        for b, f in sorted(by_building.items())],
        "by_item": [{"item_code": code, **_as_text(f)} for code, f in sorted(by_item.items())],
    }


async def collection_rate(database: Database, estate_id: str, *, period_code: str) -> dict[str, Any]:
    """收缴率: collected for the period's lines ÷ billed for them."""
    period = parse_period(period_code)
    lines = await store.find_all(database, store.BILL_LINES, query={"estate_id": estate_id, "period": period.code},
                                 projection={"item_code": 1, "amount_fen": 1, "paid_fen": 1})
    by_item: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        by_item[line["item_code"]][0] += line["amount_fen"]
        by_item[line["item_code"]][1] += line["paid_fen"]
    billed, collected = sum(v[0] for v in by_item.values()), sum(v[1] for v in by_item.values())
    return {"estate_id": estate_id, "period": period.code, "billed": fen_to_text(billed),
            "collected": fen_to_text(collected), "rate_percent": collection_rate_percent(collected, billed),
            "by_item": [{"item_code": code, "billed": fen_to_text(b), "collected": fen_to_text(c),
                         "rate_percent": collection_rate_percent(c, b)} for code, (b, c) in sorted(by_item.items())]}


async def find_line(database: Database, principal: Principal, *, line_id: str) -> dict[str, Any]:
    line = await store.find_one(database, store.BILL_LINES, query={"_id": line_id, **principal.estate_filter()})
    if line is None:
        raise NotFound("bill line")
    return line


def line_public(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": line["_id"], "estate_id": line["estate_id"], "unit_id": line["unit_id"], "item_code": line["item_code"],
        "item_name_zh": line["item_name_zh"], "item_name_en": line["item_name_en"], "period": line["period"],
        "due_date": line["due_date"], "amount": fen_to_text(line["amount_fen"]), "paid": fen_to_text(line["paid_fen"]),
        "waived": fen_to_text(line.get("waived_fen", 0)), "outstanding": fen_to_text(outstanding(line)),
        "refunded": fen_to_text(line.get("refunded_fen", 0)),
        "status": line["status"],
        "billing_run_id": line.get("billing_run_id"), "issued_at": line["issued_at"],
    }


async def explanation(database: Database, line: dict[str, Any], *, as_of: date) -> dict[str, Any]:
    """The line's rule and inputs, the amount recomputed from them, the words, and the late fees (违约金) it was
    charged for days up to `as_of` (late-fee lines of their own; a late-fee line's rule is its accrual)."""
    recomputed = fees.compute(line["rule"])
    words = fees.explain(line["rule"], line["item_name_zh"], name_en=line["item_name_en"])
    return {"line_id": line["_id"], "amount": fen_to_text(line["amount_fen"]), "recomputed": fen_to_text(recomputed),
            "matches": recomputed == line["amount_fen"], "rule": line["rule"], "zh": words["zh"], "en": words["en"],
            "late_fee": await charged_on(database, line, as_of=as_of)}


async def receipt_page(database: Database, principal: Principal, *, payment_id: str) -> str:
    """The printable receipt of a payment (收据), marked when it has been reversed."""
    payment = await store.find_one(database, store.PAYMENTS, query={"_id": payment_id, **principal.estate_filter()})
    if payment is None:
        raise NotFound("payment")
    estate = await store.find_one(database, ESTATES, query={"_id": payment["estate_id"]}) or {}
    unit = await store.find_one(database, store.UNITS, query={"_id": payment["unit_id"]}) or {"_id": payment["unit_id"]}
    shares = [s for s in await store.find_all(database, store.ALLOCATIONS, query={"payment_id": payment_id})
              if s["amount_fen"] > 0]
    lines = {line["_id"]: line for line in await store.find_all(
        database, store.BILL_LINES, query={"_id": {"$in": [s["line_id"] for s in shares]}})}
    paid = [{**lines[s["line_id"]], "share_fen": s["amount_fen"]} for s in shares]
    reversed_ = await store.find_one(database, store.REVERSALS, query={"_id": payment_id}) is not None
    return receipt_html(estate_name=estate.get("name", payment["estate_id"]),
                        time_zone=estate.get("time_zone") or DEFAULT_TIME_ZONE, unit=unit, payment=payment, lines=paid,
                        reversed_=reversed_)
