"""Late fees (违约金) charged as lines: the estate's policy, and the accrual a billing run does.

Each chunk of a monthly run charges, for every overdue line of its units, the days of lateness
up to the day before the period begins that were not charged yet: one new line (item `late_fee`,
key `<line>:late_fee:<period>`) per original line and period, on the principal overdue on each
of those days. The original line keeps running totals of what was charged (`late_fee_fen`) and
up to which day (`late_fee_through`), moved in the same transaction only if unchanged: two runs
of different months at once cannot charge a day twice, and a rerun finds nothing left to charge.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from services.billing import store
from services.billing.domain import late_fees
from services.billing.domain.bills import new_line
from services.billing.domain.periods import Period
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.errors import Conflict
from shared.estates import estate_time_zone, local_day
from shared.money import fen_to_text


def policy_of(document: dict[str, Any] | None) -> dict[str, Any]:
    keys = ("enabled", "daily_rate", "grace_days", "cap_ratio")
    return {**late_fees.DEFAULT_POLICY, **{k: v for k, v in (document or {}).items() if k in keys}}


def policy_public(estate_id: str, document: dict[str, Any] | None) -> dict[str, Any]:
    return {"estate_id": estate_id, **policy_of(document), "version": (document or {}).get("version", 0),
            "updated_by": (document or {}).get("updated_by"), "updated_at": (document or {}).get("updated_at")}


async def set_policy(database: Database, principal: Principal, *, estate_id: str, fields: dict[str, Any],
                     expected_version: int | None) -> dict[str, Any]:
    """The whole policy (a PUT: the same body twice is one change); with If-Match only over that version."""
    late_fees.LateFeeRule.from_document(fields)  # the rates' places, named by field
    policies = database.db[store.LATE_FEE_POLICIES]  # changed here only, never in a transaction (runs read it)
    change = {"$set": {**fields, "updated_by": principal.user_id, "updated_at": utcnow()}, "$inc": {"version": 1}}
    if expected_version is None:
        await database.db[store.LATE_FEE_POLICIES].update_one({"_id": estate_id}, change, upsert=True)
    else:
        current = await policies.find_one({"_id": estate_id}, {"version": 1})
        if (current or {}).get("version", 0) != expected_version:
            raise Conflict("the late-fee policy changed meanwhile; read it again", field="If-Match")
        query = {"_id": estate_id, "version": expected_version} if current else {"_id": estate_id}
        try:
            result = await database.db[store.LATE_FEE_POLICIES].update_one(query, change, upsert=current is None)
        except DuplicateKeyError as error:  # another first policy was set meanwhile
            raise Conflict("the late-fee policy changed meanwhile; read it again", field="If-Match") from error
        if current is not None and result.modified_count != 1:
            raise Conflict("the late-fee policy changed meanwhile; read it again", field="If-Match")
    return policy_public(estate_id, await policies.find_one({"_id": estate_id}))


def _reductions(entries: list[dict[str, Any]], when: str, *, time_zone: str) -> dict[str, list[tuple[date, int]]]:
    by_line: dict[str, list[tuple[date, int]]] = {}
    for entry in entries:
        by_line.setdefault(entry["line_id"], []).append((local_day(entry[when], time_zone), entry["amount_fen"]))
    return by_line


async def accrue_for_units(uow: UnitOfWork, run: dict[str, Any], *, items: list[dict[str, Any]],
                           units: list[dict[str, Any]], period: Period, now) -> list[dict[str, Any]]:
    """The late-fee lines of this chunk's units for `period` (its original lines' totals moved at commit)."""
    if period.cycle != "monthly" or not units:
        return []
    policy = policy_of(await store.find_one(uow, store.LATE_FEE_POLICIES, query={"_id": run["estate_id"]}))
    rule = late_fees.LateFeeRule.from_document(policy)
    if not rule.enabled:
        return []
    through = period.start - timedelta(days=1)
    latest_due = through - timedelta(days=rule.grace_days + 1)  # due later: still within grace on `through`
    unit_range = {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]}
    candidates = [line for line in await store.find_all(uow, store.BILL_LINES, query={
        "estate_id": run["estate_id"], "unit_id": unit_range, "due_date": {"$lte": latest_due.isoformat()}})
        if line["rule"]["formula"] not in late_fees.NOT_ACCRUING
        and (line.get("late_fee_through") or "") < through.isoformat()]
    if not candidates:
        return []
    time_zone = await estate_time_zone(uow, run["estate_id"])
    scope = {"estate_id": run["estate_id"], "unit_id": unit_range}
    paid = _reductions(await store.find_all(uow, store.ALLOCATIONS, query=scope,
                                            projection={"line_id": 1, "amount_fen": 1, "at": 1}),
                       "at", time_zone=time_zone)
    waived = _reductions(await store.find_all(uow, store.WAIVERS, query=scope,
                                              projection={"line_id": 1, "amount_fen": 1, "waived_at": 1}), "waived_at",
                         time_zone=time_zone)
    due = period.due_date(min(item["due_day"] for item in items))
    charged = []
    for line in candidates:
        before = line.get("late_fee_through")
        accrual = late_fees.accrue(
            line["amount_fen"], date.fromisoformat(line["due_date"]), reductions=paid.get(line["_id"], []) +
            waived.get(line["_id"], []), rule=rule, charged_through=before and date.fromisoformat(before),
            charged_before_fen=line.get("late_fee_fen", 0), through=through)
        if accrual is None or accrual.amount_fen == 0:
            continue  # nothing owed on those days (paid, within grace, capped): the days stay open, free
        rule_document = late_fees.accrual_rule(accrual, line=line, policy=policy, accrual_period=period.code)
        charged.append(new_line(
            key=f"{line['_id']}:{late_fees.ITEM['code']}:{period.code}", estate_id=line["estate_id"],
            company_id=line["company_id"], unit_id=line["unit_id"], item=late_fees.ITEM, period=period.code,
            due_date=due, rule=rule_document, amount_fen=accrual.amount_fen, at=now, run_id=run["_id"],
            source={"kind": "late_fee", "line_id": line["_id"]}))
        uow.write(store.BILL_LINES, UpdateOne(
            {"_id": line["_id"], "late_fee_through": before},
            {"$set": {"late_fee_through": through.isoformat()}, "$inc": {"late_fee_fen": accrual.amount_fen}}),
            or_raise=RuntimeError(f"bill line {line['_id']}'s late fees changed under this transaction"))
    return charged


async def charged_on(database: Database, line: dict[str, Any], *, as_of: date) -> dict[str, Any] | None:
    """What late fees a line has been charged for days up to `as_of`: its late-fee lines, their total, the words."""
    if line["rule"]["formula"] in late_fees.NOT_ACCRUING:
        return None
    lines = sorted((d for d in await store.find_all(database, store.BILL_LINES, query={
        "unit_id": line["unit_id"], "item_code": late_fees.ITEM["code"], "source.line_id": line["_id"]})
        if d["rule"]["through"] <= as_of.isoformat()), key=lambda d: d["rule"]["through"])
    total = sum(d["amount_fen"] for d in lines)
    through = lines[-1]["rule"]["through"] if lines else None
    if through is None:
        words = {"zh": f"违约金：截至 {as_of} 未计收（本小区未启用违约金、尚在宽限期内或已按时缴清）",
                 "en": f"Late fee: none charged up to {as_of} (turned off for the estate, within grace, or paid in time)"}
    else:
        words = {"zh": f"违约金：已计至 {through}，共 {fen_to_text(total)} 元，分 {len(lines)} 行收取"
                       f"（按每日欠费本金计算，不计复利）",
                 "en": f"Late fee: charged up to {through}, {fen_to_text(total)} yuan in {len(lines)} line(s) "
                       f"(on each day's overdue principal, never compounded)"}
    return {"as_of": as_of.isoformat(), "charged": fen_to_text(total), "through": through,
            "lines": [{"id": d["_id"], "period": d["period"], "amount": fen_to_text(d["amount_fen"]),
                       "from": d["rule"]["from"], "through": d["rule"]["through"]} for d in lines], **words}
