"""Aliyun SMS (dysmsapi `SendSms`, API version 2017-05-25), signed with the RPC signature (HMAC-SHA1)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx

from services.notification.providers import Answer, Outgoing, vendor_params
from services.notification.providers.signing import aliyun_signature
from shared.envelope import new_id, utcnow

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
# Codes a later try may pass (flow control, the vendor busy); any other refusal is final.
TRANSIENT = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "SignatureNonceUsed", "ServiceUnavailable",
             "InternalError", "isp.RAM_PERMISSION_DENY_BUSY"}


def domestic(phone: str) -> str:
    """Aliyun takes mainland numbers without +86, others with their country code."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


def send_sms_params(outgoing: Outgoing, account: dict[str, Any]) -> dict[str, str]:
    return {
        "AccessKeyId": account["access_key_id"], "Action": "SendSms", "Format": "JSON",
        "PhoneNumbers": domestic(outgoing.address["phone"]), "RegionId": account.get("region") or "cn-hangzhou",
        "SignName": account["sign_name"], "SignatureMethod": "HMAC-SHA1", "SignatureNonce": new_id(),
        "SignatureVersion": "1.0", "TemplateCode": outgoing.vendor["template_id"],
        "TemplateParam": json.dumps(dict(vendor_params(outgoing)), ensure_ascii=False, separators=(",", ":")),
        "Timestamp": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "OutId": outgoing.message_id,  # the vendor's receipts name our message
    }


class AliyunSms:
    name = "aliyun"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        if not outgoing.address.get("phone"):
            return Answer(ok=False, permanent=True, answer={"error": "no phone number"})
        if not outgoing.vendor or outgoing.vendor.get("provider") != "aliyun":
            return Answer(ok=False, permanent=True, answer={"error": "no Aliyun template for this message"})
        params = send_sms_params(outgoing, account)
        params["Signature"] = aliyun_signature(params, account["access_key_secret"])
        url = f"{account.get('endpoint') or ENDPOINT}?{urlencode(params)}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.get(url)
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return Answer(ok=False, answer={"error": repr(error)})
        code = body.get("Code")
        answer = {k: body.get(k) for k in ("Code", "Message", "BizId", "RequestId") if k in body}
        if code == "OK":
            return Answer(ok=True, answer=answer, vendor_id=body.get("BizId"))
        return Answer(ok=False, answer=answer, permanent=response.status_code < 500 and code not in TRANSIENT)
