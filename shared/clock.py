"""The one clock of the platform: every "now" a service or a test needs comes from here.

`CLOCK_AT` (RFC 3339 with offset) moves the whole platform to another day: each process
reads it once and keeps a fixed offset from the real clock, so processes started seconds apart
still agree and time goes on passing normally. Tokens, leases and timeouts keep the real clock
(they are about the machine, not about the estates' calendar).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

CLOCK_AT = "CLOCK_AT"
CLOCK_OFFSET_S = "CLOCK_OFFSET_S"


def _offset_from_environment() -> timedelta:
    if seconds := os.environ.get(CLOCK_OFFSET_S):
        return timedelta(seconds=float(seconds))
    if at := os.environ.get(CLOCK_AT):
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError(f"{CLOCK_AT} needs an offset, e.g. 2026-12-31T23:30:00+08:00 (got {at!r})")
        return moment - datetime.now(UTC)
    return timedelta(0)


_offset = _offset_from_environment()


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC) + _offset


def offset() -> timedelta:
    return _offset


def set_offset(delta: timedelta) -> None:
    global _offset
    _offset = delta


def set_at(moment: datetime) -> timedelta:
    """Move this process's clock to `moment`; returns the offset, to hand to child processes."""
    set_offset(moment - datetime.now(UTC))
    return _offset


def child_environment() -> dict[str, str]:
    """What a process started from here needs to share this clock (empty on the real clock)."""
    return {CLOCK_OFFSET_S: repr(_offset.total_seconds())} if _offset else {}
