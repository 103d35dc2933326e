"""Optimistic concurrency over HTTP: a read answers `ETag: "3"` (the document's version), and a
command sent with `If-Match: "3"` is done only while the document is still at version 3."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Response

from shared.errors import InvalidInput


def if_match(what: str) -> Any:
    """The `If-Match` header as the version it names (None when absent): an `Annotated` alias.
    `what` names the document in the 422 of a header that is not one of our ETags."""

    def if_match_version(
        if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
    ) -> int | None:
        if if_match is None:
            return None
        value = if_match.removeprefix("W/").strip('"')
        if not (value.isascii() and value.isdigit()):
            raise InvalidInput(f'If-Match must be the ETag of the {what}, e.g. "3"', field="If-Match")
        return int(value)

    return Annotated[int | None, Depends(if_match_version)]


def with_etag(response: Response, document: dict[str, Any]) -> dict[str, Any]:
    """The document as it is, its version set as the answer's ETag."""
    response.headers["ETag"] = f'"{document["version"]}"'
    return document
