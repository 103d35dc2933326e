"""Finding a document by its id or by the human number staff read from screens and phones.

`GET /v1/work-orders/PG-20261201-0003` finds the same order as its id: every collection whose documents
carry a `number` (unique within an estate) is looked up through here, within the caller's scope, so a
number of another estate is simply not found.
"""

from __future__ import annotations

from typing import Any, TypeVar

from shared.errors import AmbiguousNumber, NotFound

D = TypeVar("D")


def found(document: D | None, what: str) -> D:
    """The document that was looked up; none is a 404 naming `what` ("work order not found")."""
    if document is None:
        raise NotFound(what)
    return document


async def find_by_id_or_number(
    collection: Any, identifier: str, *, scope: dict[str, Any] | None = None, session: Any = None
) -> dict[str, Any] | None:
    """The document with this id, else the one with this number; two estates' same number is a 409."""
    scope = scope or {}
    document = await collection.find_one({"_id": identifier, **scope}, session=session)
    if document is not None:
        return document
    matches = await collection.find({"number": identifier, **scope}, session=session).limit(2).to_list(2)
    if len(matches) > 1:
        raise AmbiguousNumber(f"{identifier} is a number in more than one of your estates: use the id")
    return matches[0] if matches else None
