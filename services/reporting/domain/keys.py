"""Names of figures inside a day document: a category, channel or person becomes one path segment."""

from __future__ import annotations

UNKNOWN = "none"


def field_key(value: object) -> str:
    """A value as a MongoDB field name segment: no dots, no leading `$`, never empty."""
    text = UNKNOWN if value is None or value == "" else str(value)
    return text.replace(".", "_").replace("$", "_")


def numbers_first(key: str) -> tuple[int, int, str]:
    """The order of a breakdown whose keys are numbers kept as text (escalation levels): by value, so
    level 2 comes before level 10; a key that is no number (`none`) after them."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)
