"""WeChat Pay's payment notification (API v3) against a billing process that trusts a platform key
this test makes: the signed callback with its AES-256-GCM resource takes the payment once, however
often it is sent; a bad signature, a stale (replayed) one or a tampered resource changes nothing."""

from __future__ import annotations

import base64
import json
import os

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared import clock
from tests.e2e.billing_estate import BillingEstate

API_V3_KEY = "0123456789abcdef0123456789abcdef"


def notification(private_key, transaction: dict, *, timestamp: int | None = None, tamper: bool = False):
    nonce = base64.b16encode(os.urandom(6)).decode()
    sealed = AESGCM(API_V3_KEY.encode()).encrypt(nonce.encode(), json.dumps(transaction).encode(), b"transaction")
    if tamper:
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    body = json.dumps({"id": f"EV-{transaction['transaction_id']}", "event_type": "TRANSACTION.SUCCESS",
                       "resource_type": "encrypt-resource", "summary": "支付成功",
                       "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                                    "ciphertext": base64.b64encode(sealed).decode(),
                                    "associated_data": "transaction", "nonce": nonce}}).encode()
    stamp = str(timestamp or int(clock.now().timestamp()))  # WeChat's time is the platform's clock here
    signing_nonce = base64.b16encode(os.urandom(8)).decode()
    signature = private_key.sign(f"{stamp}\n{signing_nonce}\n".encode() + body + b"\n", padding.PKCS1v15(),
                                 hashes.SHA256())
    return body, {"Wechatpay-Timestamp": stamp, "Wechatpay-Nonce": signing_nonce, "Wechatpay-Serial": "TEST",
                  "Wechatpay-Signature": base64.b64encode(signature).decode(), "Content-Type": "application/json"}


def test_a_signed_notification_pays_once_and_a_forged_one_changes_nothing(stack):
    platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = platform.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    estate = BillingEstate(stack, [["1栋", "1-101", 1, "89.50", "residential", "", "", "", ""]])
    estate.run("2025-01", ["property_fee"])
    billing = stack.start_service("billing", WECHATPAY_API_V3_KEY=API_V3_KEY, WECHATPAY_PLATFORM_PUBLIC_KEY=public_pem)
    try:
        base = f"http://127.0.0.1:{billing.port}"
        unit_id = estate.units[0]["id"]
        intent = httpx.post(f"{base}/v1/payment-intents", headers=estate.clerk.headers,
                            json={"unit_id": unit_id, "amount": "223.75"})
        assert intent.status_code == 201, intent.text
        paid = {"out_trade_no": intent.json()["out_trade_no"], "transaction_id": "4200000001", "trade_state": "SUCCESS",
                "amount": {"total": 22375, "payer_total": 22375, "currency": "CNY"},
                "success_time": "2025-01-20T10:00:00+08:00"}

        def send(body, headers):
            return httpx.post(f"{base}/v1/wechatpay/notifications", content=body, headers=headers)

        before = estate.account("1-101")
        forged_body, forged_headers = notification(rsa.generate_private_key(public_exponent=65537, key_size=2048), paid)
        stale_body, stale_headers = notification(platform, paid, timestamp=int(clock.now().timestamp()) - 3600)
        tampered = notification(platform, paid, tamper=True)
        wrong_amount = notification(platform, {**paid, "transaction_id": "4200000002",
                                               "amount": {"total": 100, "currency": "CNY"}})
        for (body, headers), status in (((forged_body, forged_headers), 401), ((stale_body, stale_headers), 401),
                                        (tampered, 400), (wrong_amount, 409)):
            response = send(body, headers)
            assert response.status_code == status, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
        assert estate.account("1-101") == before

        body, headers = notification(platform, paid)
        first = send(body, headers)
        assert first.status_code == 200, first.text
        assert first.json()["applied"] is True
        again = send(*notification(platform, paid))  # WeChat sends it again: a fresh signature, the same transaction
        assert again.status_code == 200 and again.json()["payment_id"] == first.json()["payment_id"]
        after = estate.account("1-101")
        assert (after["arrears"], len(after["open_lines"])) == ("0.00", 0)
        payments = estate.clerk.get("billing", "/v1/payments", params={"estate_id": estate.estate_id}).json()["items"]
        assert [(p["method"], p["amount"]) for p in payments] == [("wechat_pay", "223.75")]
        assert estate.reconciliation()["balanced"] is True
    finally:
        billing.stop()
        stack.services["billing"].remove(billing)
