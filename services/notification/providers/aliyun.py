"""Aliyun's RPC-style APIs (SMS's dysmsapi, voice's dyvmsapi), signed with the RPC signature
(HMAC-SHA1), and Aliyun SMS (`SendSms`, API version 2017-05-25) on them."""

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


def template_param(outgoing: Outgoing) -> str:
    """The vendor template's variables as the JSON string Aliyun's TemplateParam / TtsParam want."""
    return json.dumps(dict(vendor_params(outgoing)), ensure_ascii=False, separators=(",", ":"))


def common_params(account: dict[str, Any], *, action: str, version: str) -> dict[str, str]:
    """What every Aliyun RPC request carries besides its own parameters (a new nonce each time)."""
    return {"AccessKeyId": account["access_key_id"], "Action": action, "Format": "JSON",
            "RegionId": account.get("region") or "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": new_id(), "SignatureVersion": "1.0",
            "Timestamp": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": version}


async def rpc_call(params: dict[str, str], account: dict[str, Any], *, endpoint: str,
                   timeout_s: float) -> tuple[int, dict[str, Any]] | Exception:
    """A signed GET of an Aliyun RPC API: (HTTP status, the JSON answer), or the error that stopped it."""
    signed = {**params, "Signature": aliyun_signature(params, account["access_key_secret"])}
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(f"{account.get('endpoint') or endpoint}?{urlencode(signed)}")
        return response.status_code, response.json()
    except (httpx.HTTPError, ValueError) as error:
        return error


def answer_of(result: tuple[int, dict[str, Any]] | Exception, *, fields: tuple[str, ...], id_field: str) -> Answer:
    """An Aliyun answer as an attempt's outcome: `Code` OK is sent; a refusal not in TRANSIENT is final."""
    if isinstance(result, Exception):
        return Answer(ok=False, answer={"error": repr(result)})
    status, body = result
    code = body.get("Code")
    answer = {k: body.get(k) for k in ("Code", "Message", *fields, "RequestId") if k in body}
    if code == "OK":
        return Answer(ok=True, answer=answer, vendor_id=body.get(id_field))
    return Answer(ok=False, answer=answer, permanent=status < 500 and code not in TRANSIENT)


def send_sms_params(outgoing: Outgoing, account: dict[str, Any]) -> dict[str, str]:
    return {
        **common_params(account, action="SendSms", version="2017-05-25"),
        "PhoneNumbers": domestic(outgoing.address["phone"]), "SignName": account["sign_name"],
        "TemplateCode": outgoing.vendor["template_id"], "TemplateParam": template_param(outgoing),
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
        result = await rpc_call(send_sms_params(outgoing, account), account, endpoint=ENDPOINT,
                                timeout_s=self.timeout_s)
        return answer_of(result, fields=("BizId",), id_field="BizId")
