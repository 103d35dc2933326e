"""Stored documents: to public models (`_id` becomes `id`, internal fields stay inside), and what an
event about one says it is about."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_public(model: type[M], document: dict[str, Any]) -> M:
    fields = {name: document[name] for name in model.model_fields if name != "id" and name in document}
    return model(id=document["_id"], **fields)


def about(document: dict[str, Any]) -> dict[str, str]:
    """The `uow.emit` keywords of an event about a stored document of an estate."""
    return {"subject": document["_id"], "company_id": document["company_id"], "estate_id": document["estate_id"]}
