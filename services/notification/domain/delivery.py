"""Delivering a message: which channels, when (quiet hours), and what an attempt's outcome means.

A message goes to its recipient's first channel; a failure is retried after growing delays, and when
a channel's retries are spent the next channel takes over; when none is left the message has failed.
Quiet hours (default 22:00–08:00 on the estate's clock, per recipient) defer a message that can wait
to the first minute after them; it is never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_QUIET_HOURS = {"start": "22:00", "end": "08:00"}
# What each channel needs of the recipient to reach them.
ADDRESS_OF = {"sms": "phone", "voice": "phone", "email": "email", "wechat": "wechat_openid", "app_push": None}
RESIDENT_FALLBACK = ("sms", "app_push")


def reachable(channel: str, recipient: dict[str, Any]) -> bool:
    need = ADDRESS_OF.get(channel, "")
    return need is None or bool(recipient.get(need))


def channels_for(recipient: dict[str, Any], rule_channels: tuple[str, ...] | None) -> list[str]:
    """The channels to try, in order: the rule's, or the recipient's own then the usual fallbacks."""
    if rule_channels:
        wanted = list(rule_channels)
    else:
        wanted = [*(recipient.get("channels") or recipient.get("directory_channels") or []), *RESIDENT_FALLBACK]
    order = [c for c in dict.fromkeys(wanted) if reachable(c, recipient)]
    return order or ["app_push"]  # the inbox always reaches them


def _parse(clock: str) -> time:
    hours, minutes = clock.split(":")
    return time(int(hours), int(minutes))


def quiet_hours_of(recipient: dict[str, Any]) -> dict[str, str] | None:
    """A recipient's quiet hours; residents have the default unless they chose, staff have none unless set."""
    if "quiet_hours" in recipient:
        return recipient["quiet_hours"]
    return DEFAULT_QUIET_HOURS if recipient.get("kind", "resident") == "resident" else None


def first_allowed(moment: datetime, quiet: dict[str, str] | None, *, time_zone: str) -> datetime:
    """`moment` itself when outside quiet hours, else the first minute after them (in UTC)."""
    if not quiet:
        return moment
    start, end = _parse(quiet["start"]), _parse(quiet["end"])
    if start == end:
        return moment
    local = moment.astimezone(ZoneInfo(time_zone))
    now = local.time().replace(second=0, microsecond=0)
    crosses_midnight = start > end
    inside = (now >= start or now < end) if crosses_midnight else (start <= now < end)
    if not inside:
        return moment
    day = local.date()
    if crosses_midnight and now >= start:
        day += timedelta(days=1)  # 23:30 waits until tomorrow's 08:00
    allowed = datetime.combine(day, end, tzinfo=ZoneInfo(time_zone))
    return allowed.astimezone(moment.tzinfo)


@dataclass(frozen=True)
class Next:
    """What happens after an attempt."""

    status: str  # sent | queued (retry or next channel) | failed
    channel_index: int
    tries_on_channel: int
    due_at: datetime | None


def after_attempt(*, succeeded: bool, permanent: bool, channel_index: int, tries_on_channel: int,
                  channels: int, retry_delays_s: list[float], now: datetime) -> Next:
    """The outcome of one attempt: sent, retried later on the same channel, on the next channel, or failed."""
    if succeeded:
        return Next("sent", channel_index, tries_on_channel + 1, None)
    tries = tries_on_channel + 1
    if not permanent and tries <= len(retry_delays_s):
        return Next("queued", channel_index, tries, now + timedelta(seconds=retry_delays_s[tries - 1]))
    if channel_index + 1 < channels:
        return Next("queued", channel_index + 1, 0, now)
    return Next("failed", channel_index, tries, None)
