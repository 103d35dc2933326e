"""What the service desk's use cases share: the estate in the caller's scope, an event's scope."""

from __future__ import annotations

from typing import Any

from services.intake.commands.estates import find_estate_in_scope

# The incidents, patrols, surveys and quality checks of the desk use the one estate check.
estate_in_scope = find_estate_in_scope


def event_scope(document: dict[str, Any]) -> dict[str, str]:
    """`uow.emit` keywords for an event about a stored document."""
    return {"subject": document["_id"], "company_id": document["company_id"], "estate_id": document["estate_id"]}
