"""What dispatch's API shows of its stored documents: each document as its public model.

Commands return documents; routes answer with these (and give them as presenters to the commands
that run once per Idempotency-Key, so that a retry gets the same answer).
"""

from __future__ import annotations

from typing import Any

from services.dispatch.api.handover_schemas import HandoverPublic, SpotCheckPublic
from services.dispatch.api.staff_schemas import StaffPublic
from services.dispatch.api.work_orders_schemas import WorkOrderPublic
from services.dispatch.domain import handover as handover_rules
from shared.documents import to_public


def work_order_public(document: dict[str, Any]) -> WorkOrderPublic:
    return to_public(WorkOrderPublic, document)


def staff_public(document: dict[str, Any]) -> StaffPublic:
    return to_public(StaffPublic, document)


def handover_public(document: dict[str, Any], time_zone: str) -> HandoverPublic:
    """The API's handover: RFC 3339 times, and its text in the estate's local time."""
    return to_public(HandoverPublic, {**document, "text": handover_rules.handover_text(document, time_zone)})


def spot_check_public(document: dict[str, Any]) -> SpotCheckPublic:
    return SpotCheckPublic(id=document["_id"], **document)
