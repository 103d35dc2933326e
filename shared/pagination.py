"""Cursor pagination: a page of items and an opaque cursor to the next page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from ulid import ULID

from shared.documents import to_public
from shared.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageRequest(BaseModel):
    limit: int
    after_id: str | None


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode()


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageRequest:
    after_id = None
    if cursor:
        try:
            after_id = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidInput("the cursor is not one this API gave out", field="cursor") from error
        if not after_id or encode_cursor(after_id) != cursor:
            raise InvalidInput("the cursor is not one this API gave out", field="cursor")
    return PageRequest(limit=limit, after_id=after_id)


# The `limit` and `cursor` query parameters of every list route.
PageQuery = Annotated[PageRequest, Depends(page_request)]


def id_floor(moment: datetime) -> str:
    """The smallest id of a document created at `moment` (ids are ULIDs, which sort by time): a time
    range is an `_id` range, read on the `_id` index."""
    milliseconds = int(moment.timestamp() * 1000)
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + bytes(10)))


async def fetch_page(collection, query: dict, *, page: PageRequest, newest_first: bool = True) -> tuple[list[dict],
                                                                                                        str | None]:
    """Documents after the cursor by `_id` (ULIDs sort by creation time)."""
    direction = -1 if newest_first else 1
    if page.after_id:
        query = {**query, "_id": {"$lt" if newest_first else "$gt": page.after_id}}
    documents = await collection.find(query).sort("_id", direction).to_list(page.limit + 1)
    has_more = len(documents) > page.limit
    documents = documents[: page.limit]
    return documents, encode_cursor(documents[-1]["_id"]) if has_more else None


async def page_of(
    collection, query: dict, *, page: PageRequest, view: type[BaseModel] | Callable[[dict[str, Any]], Any],
    newest_first: bool = True,
) -> Page:
    """A page of documents as a list route shows them: `view` is their public model (filled from each
    document's fields) or a function of a document."""
    documents, next_cursor = await fetch_page(collection, query, page=page, newest_first=newest_first)
    show = (lambda document: to_public(view, document)) if isinstance(view, type) else view
    return Page(items=[show(document) for document in documents], next_cursor=next_cursor)
