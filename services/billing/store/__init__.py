"""Billing's database: the units it bills (a projection), fee items, runs, bill lines, payments, ledger.

Nothing of the money is edited or deleted: payments, reversals, allocations (a payment's or the
prepaid balance's share of a line) and balance entries are only inserted. A line's `paid_fen`
and `status` and a unit's `balance_fen` (one document per kind of balance: general 预存 and
electricity, see domain/balances.py) are running totals of those entries, kept in the same
transactions; reconciliation recomputes them from the entries.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.billing.domain.balances import GENERAL, KINDS, balance_id, kind_of
from shared.db import Database, UnitOfWork
from shared.envelope import new_id
from shared.estates import ESTATES

UNITS = "units"
FEE_ITEMS = "fee_items"
BILLING_RUNS = "billing_runs"
RUN_UNITS = "billing_run_units"
RUN_CLAIMS = "billing_run_claims"
DUE_WATCH = "bill_due_watch"
ANNOUNCEMENTS = "bill_announcements"
BILL_LINES = "bill_lines"
PAYMENTS = "payments"
REVERSALS = "payment_reversals"
ALLOCATIONS = "allocations"
BALANCES = "balances"
BALANCE_ENTRIES = "balance_entries"
WAIVERS = "waivers"
METER_READINGS = "meter_readings"
DAY_CLOSES = "day_closes"
CLERK_DAYS = "clerk_days"
DUNNING_RUNS = "dunning_runs"
DUNNING_LOG = "dunning_log"
DUNNING_POLICIES = "dunning_policies"
DUNNING_SCHEDULE = "dunning_schedule"
BALANCE_POLICIES = "balance_policies"
LATE_FEE_POLICIES = "late_fee_policies"  # 违约金: an estate's policy (`_id` the estate), changed outside transactions
CLOSED_PROCEDURES = "closed_procedures"  # intake's procedures completed or cancelled (deposits refundable)
DEPOSIT_REFUNDS = "deposit_refunds"  # 退押金: one per deposit line (its `_id`)
PREPAY_OFFERS = "prepay_offers"  # 缴N送M: a prepayment's paid and free months of an item
OPEN_STATUSES = ("issued", "partially_paid")


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[ESTATES].create_index("company_id")
    # Ranges go through secondary indexes (SecantusDB scans the collection for an `_id` range).
    await db[UNITS].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING)])
    await db[FEE_ITEMS].create_index([("estate_id", ASCENDING), ("code", ASCENDING)], unique=True)
    await db[BILLING_RUNS].create_index("status")
    await db[RUN_UNITS].create_index("billing_run_id")
    await db[DUE_WATCH].create_index("due_date")
    # A line's `_id` is its unique key; few indexes, as a run inserts 100,000 lines.
    await db[BILL_LINES].create_index([("unit_id", ASCENDING), ("status", ASCENDING)])
    await db[BILL_LINES].create_index([("estate_id", ASCENDING), ("period", ASCENDING), ("unit_id", ASCENDING)])
    await db[BALANCES].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING)])
    await db[PAYMENTS].create_index([("estate_id", ASCENDING), ("receipt_seq", ASCENDING)], unique=True)
    await db[PAYMENTS].create_index("unit_id")
    await db[PAYMENTS].create_index([("estate_id", ASCENDING), ("clerk_id", ASCENDING), ("business_day", ASCENDING)])
    await db[REVERSALS].create_index([("estate_id", ASCENDING), ("clerk_id", ASCENDING), ("business_day", ASCENDING)])
    await db[DAY_CLOSES].create_index("key", unique=True)
    await db[DUNNING_LOG].create_index([("estate_id", ASCENDING), ("kind", ASCENDING), ("on", ASCENDING)])
    await db[DUNNING_LOG].create_index("unit_id")
    await db[DUNNING_RUNS].create_index("estate_id")
    await db[DAY_CLOSES].create_index([("estate_id", ASCENDING), ("day", ASCENDING)])
    await db[DEPOSIT_REFUNDS].create_index([("estate_id", ASCENDING), ("clerk_id", ASCENDING),
                                            ("business_day", ASCENDING)])
    for collection in (ALLOCATIONS, BALANCE_ENTRIES, REVERSALS, WAIVERS, DEPOSIT_REFUNDS):
        await db[collection].create_index("unit_id")
        await db[collection].create_index("estate_id")
    await db[ALLOCATIONS].create_index("payment_id")
    await db[PREPAY_OFFERS].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING)])
    await db[METER_READINGS].create_index([("unit_id", ASCENDING), ("meter", ASCENDING), ("period", ASCENDING)])


def session_of(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find_one(database: Database | UnitOfWork, collection: str, *, query: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[collection].find_one(query, session=session_of(database))


async def find_all(database: Database | UnitOfWork, collection: str, *, query: dict[str, Any],
                   projection: dict[str, Any] | None = None, sort: list | None = None) -> list[dict[str, Any]]:
    cursor = database.db[collection].find(query, projection, session=session_of(database))
    if sort:
        cursor = cursor.sort(sort)
    return await cursor.to_list(None)


async def estates_in_scope(database: Database, scope: dict) -> list[dict]:
    return await database.db[ESTATES].find(scope).sort("_id", 1).to_list(1000)


async def open_lines_of_unit(uow: UnitOfWork, unit_id: str) -> list[dict[str, Any]]:
    """The unit's unpaid lines, oldest first (by due date, then period, then when issued)."""
    return await find_all(uow, BILL_LINES, query={"unit_id": unit_id, "status": {"$in": list(OPEN_STATUSES)}},
                          sort=[("due_date", ASCENDING), ("period", ASCENDING), ("_id", ASCENDING)])


async def add_to_line(uow: UnitOfWork, line: dict[str, Any], *, amount_fen: int, status: str,
                      if_changed: Exception | None = None) -> None:
    """Move a line's running paid total by `amount_fen` (negative for a reversal). `if_changed`: the line was
    read before this transaction, and this error is raised unless it is still open and as it was read."""
    query: dict[str, Any] = {"_id": line["_id"], "paid_fen": line["paid_fen"]}
    if if_changed is not None:
        query |= {"status": {"$in": list(OPEN_STATUSES)}, "waived_fen": line.get("waived_fen", 0)}
    result = await uow.db[BILL_LINES].update_one(
        query, {"$inc": {"paid_fen": amount_fen}, "$set": {"status": status}}, session=uow.session,
    )
    if result.modified_count != 1:
        raise if_changed or RuntimeError(f"bill line {line['_id']} changed under this transaction")


async def change_balance(uow: UnitOfWork, unit: dict[str, Any], *, amount_fen: int, reason: str, ref: str,
                         at, kind: str = GENERAL) -> None:
    """A balance entry and the unit's running balance of that kind, together."""
    await uow.db[BALANCES].update_one(
        {"_id": balance_id(unit["_id"], kind)},
        {"$inc": {"balance_fen": amount_fen},
         "$setOnInsert": {"unit_id": unit["_id"], "estate_id": unit["estate_id"], "company_id": unit["company_id"],
                          "kind": kind}},
        upsert=True, session=uow.session,
    )
    await uow.db[BALANCE_ENTRIES].insert_one(
        {"_id": new_id(), "unit_id": unit["_id"], "estate_id": unit["estate_id"], "company_id": unit["company_id"],
         "kind": kind, "amount_fen": amount_fen, "reason": reason, "ref": ref, "at": at}, session=uow.session,
    )


async def balance_of(database: Database | UnitOfWork, unit_id: str, *, kind: str = GENERAL) -> int:
    document = await find_one(database, BALANCES, query={"_id": balance_id(unit_id, kind)})
    return (document or {}).get("balance_fen", 0)


async def balances_of(database: Database | UnitOfWork, unit_id: str) -> dict[str, int]:
    """Every kind of the unit's balance (0 where it has none)."""
    found = {kind: 0 for kind in KINDS}
    for document in await find_all(database, BALANCES, query={"_id": {"$in": [balance_id(unit_id, k) for k in KINDS]}}):
        found[kind_of(document)] += document["balance_fen"]
    return found
