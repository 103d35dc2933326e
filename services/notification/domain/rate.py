"""A provider's rate limit, shared by every replica: fixed windows (a second, or longer below one send
a second) of at most `limit` sends each, counted in notification's database (`commands.rate_limits`).

Vendors count their limits per account and per second of their own clock, so a window is a second of
the machine's clock (not the platform's shifted one). A send is given a window before it starts; it
starts at the window's start, or at once when the window is under way but less than `LATE` of it has
passed: a send started late in a window could land in the vendor's next second, on top of that one's.
Windows further ahead than `HORIZON_S` are not given out: what is left waits for a later pass (so that
no claim outlives its lease waiting for its turn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Vendors' documented send rates are per account; these defaults stay well under them.
DEFAULT_RATE_PER_S = {"aliyun": 50.0, "tencent": 50.0, "wechat": 20.0, "smtp": 10.0, "aliyun_voice": 10.0,
                      "jpush": 10.0, "wechat_subscribe": 20.0}
HORIZON_S = 10.0
LATE = 0.5


@dataclass(frozen=True)
class Windows:
    length_s: float
    limit: int

    @classmethod
    def of(cls, rate_per_s: float) -> Windows:
        """Rate 2.5/s → 2 a second (never above the rate); 0.2/s → 1 every 5 s."""
        if rate_per_s >= 1:
            return cls(length_s=1.0, limit=int(rate_per_s))
        return cls(length_s=float(math.ceil(1 / rate_per_s)), limit=1)

    def first(self, now: float) -> int:
        """The first window a send may still be given: this one, unless too much of it has passed."""
        current = math.floor(now / self.length_s)
        return current if now - current * self.length_s < LATE * self.length_s else current + 1

    def start(self, window: int) -> float:
        return window * self.length_s


def allot(windows: Windows, *, now: float, wanted: int, taken: dict[int, int],
          horizon_s: float = HORIZON_S) -> list[int]:
    """The window of each of up to `wanted` sends, in order, given the sends `taken` in each window."""
    slots: list[int] = []
    window = windows.first(now)
    while len(slots) < wanted and windows.start(window) < now + horizon_s:
        free = max(0, windows.limit - taken.get(window, 0))
        slots += [window] * min(free, wanted - len(slots))
        window += 1
    return slots


def account_key(provider: str, account: dict, *, estate_id: str) -> str:
    """Whose limit a send counts against: the vendor account (estates may share one), else the estate's."""
    who = account.get("access_key_id") or account.get("app_id") or account.get("host") or estate_id
    return f"{provider}:{who}"
