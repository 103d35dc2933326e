"""Stored documents: to public models (`_id` becomes `id`, internal fields stay inside), and what an
event about one says it is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_public(model: type[M], document: dict[str, Any]) -> M:
    fields = {name: document[name] for name in model.model_fields if name != "id" and name in document}
    return model(id=document["_id"], **fields)


def about(document: dict[str, Any]) -> dict[str, str]:
    """The `uow.emit` keywords of an event about a stored document of an estate."""
    return {"subject": document["_id"], "company_id": document["company_id"], "estate_id": document["estate_id"]}


# How a route answers with a document (its public model as JSON). A command that is done once per
# Idempotency-Key is given it, so that the answer kept for a retry is the one the route gave.
Presenter = Callable[[dict[str, Any]], dict[str, Any]]


def presenter(view: type[BaseModel] | Callable[[dict[str, Any]], BaseModel]) -> Presenter:
    """The presenter of a public model (its fields from the document) or of a view function."""
    if isinstance(view, type) and issubclass(view, BaseModel):
        model = view
        return lambda document: to_public(model, document).model_dump(mode="json")
    return lambda document: view(document).model_dump(mode="json")
