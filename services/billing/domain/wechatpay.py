"""WeChat Pay API v3 payment notifications: the platform's signature over the callback, and the
AES-256-GCM resource that carries the transaction. Pure functions, no I/O.

The signed message is `timestamp\\nnonce\\nbody\\n` (RSA, PKCS#1 v1.5, SHA-256, base64 in
`Wechatpay-Signature`); the resource is decrypted with the merchant's APIv3 key, its nonce and
associated data. A timestamp outside the allowed skew is refused, so a captured callback cannot
be replayed later; a resend of a fresh one is applied once by its transaction id.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.errors import DomainError, InvalidInput, Unauthorized


class BadNotification(DomainError):
    status, code, title = 400, "bad_notification", "The payment notification cannot be read"


@dataclass(frozen=True)
class Transaction:
    out_trade_no: str
    transaction_id: str
    trade_state: str
    total_fen: int
    currency: str
    success_time: str | None


def verify_signature(*, public_key_pem: str, timestamp: str, nonce: str, body: bytes, signature: str,
                     now_s: int, max_skew_s: int) -> None:
    if not (timestamp.isdigit() and abs(now_s - int(timestamp)) <= max_skew_s):
        raise Unauthorized("the notification's timestamp is missing or too far from now (a replay?)")
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, rsa.RSAPublicKey):
            raise Unauthorized("the platform key is not an RSA key")
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError) as error:
        raise Unauthorized("the notification's signature does not verify") from error


def decrypt_transaction(*, api_v3_key: str, notification: dict[str, Any]) -> Transaction:
    resource = notification.get("resource")
    if not isinstance(resource, dict) or resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise InvalidInput("the notification has no AEAD_AES_256_GCM resource", field="resource")
    try:
        plain = AESGCM(api_v3_key.encode()).decrypt(
            resource["nonce"].encode(), base64.b64decode(resource["ciphertext"], validate=True),
            (resource.get("associated_data") or "").encode())
        data = json.loads(plain)
        return Transaction(out_trade_no=str(data["out_trade_no"]), transaction_id=str(data["transaction_id"]),
                           trade_state=str(data["trade_state"]), total_fen=int(data["amount"]["total"]),
                           currency=str(data["amount"].get("currency", "CNY")), success_time=data.get("success_time"))
    except (InvalidTag, KeyError, TypeError, ValueError, binascii.Error) as error:
        raise BadNotification("the notification's resource does not decrypt to a transaction") from error
