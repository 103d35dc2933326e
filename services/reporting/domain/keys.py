"""Names of figures inside a day document: a category, channel or person becomes one path segment."""

from __future__ import annotations

UNKNOWN = "none"


def field_key(value: object) -> str:
    """A value as a MongoDB field name segment: no dots, no leading `$`, never empty."""
    text = UNKNOWN if value is None or value == "" else str(value)
    return text.replace(".", "_").replace("$", "_")
