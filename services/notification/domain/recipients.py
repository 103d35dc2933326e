"""Notification's copy of the people it tells, from intake's directory and dispatch's events.

Residents come with their phones, language, units and preferred channels; staff are learned from what
dispatch says about them (assignees, escalation recipients and their positions, the outgoing staff of
a handover due, supervisors named in missing handovers) and from the estate's own settings in this
service (e-mail, WeChat, positions).
"""

from __future__ import annotations

from typing import Any

DIRECTORY_CHANNELS = {"sms", "wechat", "app_push", "email", "voice"}


def resident_fields(data: dict[str, Any], building_ids: list[str]) -> dict[str, Any]:
    """What intake's resident events tell: contacts, language, units and the buildings they are in."""
    phones = data.get("phones") or []
    return {
        "kind": "resident", "person_id": data["resident_id"], "name": data.get("name"), "phones": phones,
        "phone": phones[0] if phones else None, "role": data.get("role"), "unit_ids": data.get("unit_ids") or [],
        "building_ids": building_ids, "language": data.get("language") or "zh",
        "directory_channels": [c for c in data.get("preferred_channels") or [] if c in DIRECTORY_CHANNELS],
        "status": data.get("status", "active"),
    }


def staff_fields(event_type: str, data: dict[str, Any]) -> list[tuple[str, dict[str, Any], list[str]]]:
    """(staff id, fields to set, positions to add) for every staff member an event of dispatch names."""
    if event_type == "dispatch.workorder.assigned" and data.get("assignee_id"):
        return [(data["assignee_id"], {"name": data.get("assignee_name")}, [])]
    if event_type == "dispatch.workorder.escalated" and data.get("recipient_id"):
        fields = {"name": data.get("recipient_name")}
        if data.get("recipient_phone"):
            fields["phone"] = data["recipient_phone"]
        return [(data["recipient_id"], fields, [data["position"]] if data.get("position") else [])]
    if event_type == "dispatch.shift.handover_due":
        return [(person["staff_id"], {"name": person.get("name")}, []) for person in data.get("outgoing") or []]
    if event_type == "dispatch.shift.handover_missing" and data.get("supervisor_id"):
        return [(data["supervisor_id"], {}, ["supervisor"])]
    if event_type == "dispatch.roster.published":
        return [(member["staff_id"], {}, []) for member in data.get("staff") or []]
    return []


def effective_channels(recipient: dict[str, Any]) -> list[str]:
    """The recipient's own choice in this service wins over the directory's."""
    return recipient.get("channels") or recipient.get("directory_channels") or []
