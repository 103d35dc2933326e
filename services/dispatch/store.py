"""Dispatch's database: staff and their duty, work orders."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

STAFF = "staff"
WORK_ORDERS = "work_orders"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[STAFF].create_index([("estate_id", ASCENDING), ("department", ASCENDING), ("on_duty", ASCENDING)])
    await db[WORK_ORDERS].create_index("ticket_id", unique=True, partialFilterExpression={"ticket_id": {"$type": "string"}})
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("assignee_id", ASCENDING)])


async def staff_on_duty(uow: UnitOfWork, estate_id: str, department: str) -> list[dict[str, Any]]:
    """Who is on duty now in a department: the foundation's simple list, until rosters replace it."""
    query = {"estate_id": estate_id, "department": department, "on_duty": True}
    return await uow.db[STAFF].find(query, session=uow.session).to_list(None)


async def count_open_order(uow: UnitOfWork, staff_id: str) -> None:
    await uow.db[STAFF].update_one({"_id": staff_id}, {"$inc": {"open_orders": 1}}, session=uow.session)


async def find_work_order_for_ticket(uow: UnitOfWork, ticket_id: str) -> dict[str, Any] | None:
    return await uow.db[WORK_ORDERS].find_one({"ticket_id": ticket_id}, session=uow.session)


async def insert(uow: UnitOfWork, collection: str, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def find_one(database: Database, collection: str, document_id: str, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[collection].find_one({"_id": document_id, **scope})


async def set_duty(database: Database, staff_id: str, scope: dict[str, Any], on_duty: bool) -> dict[str, Any] | None:
    result = await database.db[STAFF].update_one({"_id": staff_id, **scope}, {"$set": {"on_duty": on_duty}})
    return await find_one(database, STAFF, staff_id, scope) if result.matched_count else None
