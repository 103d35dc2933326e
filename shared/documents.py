"""From stored documents to public models: `_id` becomes `id`, internal fields stay inside."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def to_public(model: type[M], document: dict[str, Any]) -> M:
    fields = {name: document[name] for name in model.model_fields if name != "id" and name in document}
    return model(id=document["_id"], **fields)
