"""A provider's rate limit: a token bucket, refilled at `rate_per_s` up to `burst` (time passed in)."""

from __future__ import annotations

from dataclasses import dataclass

# Vendors' documented send rates are per account; these defaults stay well under them.
DEFAULT_RATE_PER_S = {"aliyun": 50.0, "tencent": 50.0, "wechat": 20.0, "smtp": 10.0, "local": 1_000_000.0}


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: float
    tokens: float
    at: float

    @classmethod
    def full(cls, rate_per_s: float, now: float) -> TokenBucket:
        burst = max(1.0, rate_per_s)
        return cls(rate_per_s=rate_per_s, burst=burst, tokens=burst, at=now)

    def wait_for_one(self, now: float) -> float:
        """Take one token; how long to wait before using it (0 when one was there)."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate_per_s)
        self.at = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate_per_s
