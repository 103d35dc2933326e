"""The vendors' request signatures, as pure functions (the tests' vendor servers verify with these
same steps written independently: see tests/e2e/vendor_servers.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature wants it: space %20, `*` %2A, `~` kept."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, *, method: str = "GET") -> str:
    """Aliyun RPC signature v1 (HMAC-SHA1): over METHOD&%2F&encode(sorted, encoded query)."""
    canonical = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(*, secret_id: str, secret_key: str, service: str, host: str, payload: str,
                          timestamp: int, content_type: str = "application/json; charset=utf-8") -> str:
    """TencentCloud API 3.0's TC3-HMAC-SHA256 `Authorization` header of a POST with a JSON body."""
    from datetime import UTC, datetime

    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    # Header names and values lowercased and trimmed, as TC3 canonicalises them.
    canonical_headers = f"content-type:{content_type.strip().lower()}\nhost:{host.strip().lower()}\n"
    signed_headers = "content-type;host"
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, signed_headers,
                                   hashlib.sha256(payload.encode()).hexdigest()])
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    signing_key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
