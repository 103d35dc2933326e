"""The per-caller token bucket (pure), and the body-size limit's choice of limit."""

import pytest

from shared.errors import TooManyRequests
from shared.limits import BodySizeLimit, RateLimiter


def test_a_resident_bucket_empties_then_refills_with_time():
    limiter = RateLimiter(rate=100, burst=100, resident_rate=2, resident_burst=3)
    for _ in range(3):
        limiter.admit("resident-1", resident=True, now=0.0)
    with pytest.raises(TooManyRequests) as refused:
        limiter.admit("resident-1", resident=True, now=0.0)
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "1"}
    limiter.admit("resident-1", resident=True, now=0.5)  # one token back after half a second at 2/s
    limiter.admit("staff-1", resident=False, now=0.0)  # buckets are per caller


def test_staff_get_the_large_bucket():
    limiter = RateLimiter(rate=10, burst=50, resident_rate=1, resident_burst=1)
    for _ in range(50):
        limiter.admit("agent-1", resident=False, now=0.0)
    with pytest.raises(TooManyRequests):
        limiter.admit("agent-1", resident=False, now=0.0)


def test_upload_paths_get_the_upload_limit():
    middleware = BodySizeLimit(None, max_bytes=10, upload_max_bytes=1000, upload_paths=(r"/directory/import$",))
    assert middleware.limit_for("/v1/estates/e1/directory/import") == 1000
    assert middleware.limit_for("/v1/contacts") == 10
