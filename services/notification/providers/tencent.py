"""Tencent Cloud SMS (`SendSms`, API 3.0 version 2021-01-11), signed with TC3-HMAC-SHA256."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.notification.providers import Answer, Outgoing, vendor_params
from services.notification.providers.signing import tencent_authorization
from shared.envelope import utcnow

ENDPOINT = "https://sms.tencentcloudapi.com/"
TRANSIENT_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "ResourceUnavailable")


def send_sms_body(outgoing: Outgoing, account: dict[str, Any]) -> dict[str, Any]:
    phone = outgoing.address["phone"]
    return {"PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
            "SmsSdkAppId": account["sdk_app_id"], "SignName": account["sign_name"],
            "TemplateId": outgoing.vendor["template_id"],
            "TemplateParamSet": [value for _, value in vendor_params(outgoing)],
            "SessionContext": outgoing.message_id}


class TencentSms:
    name = "tencent"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        if not outgoing.address.get("phone"):
            return Answer(ok=False, permanent=True, answer={"error": "no phone number"})
        if not outgoing.vendor or outgoing.vendor.get("provider") != "tencent":
            return Answer(ok=False, permanent=True, answer={"error": "no Tencent template for this message"})
        endpoint = account.get("endpoint") or ENDPOINT
        host = urlsplit(endpoint).netloc
        payload = json.dumps(send_sms_body(outgoing, account), ensure_ascii=False, separators=(",", ":"))
        timestamp = int(utcnow().timestamp())
        headers = {
            "Authorization": tencent_authorization(secret_id=account["access_key_id"],
                                                   secret_key=account["access_key_secret"], service="sms",
                                                   host=host, payload=payload, timestamp=timestamp),
            "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11", "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": account.get("region") or "ap-guangzhou",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(endpoint, content=payload.encode(), headers=headers)
            body = response.json().get("Response", {})
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            return Answer(ok=False, answer={"error": repr(error)})
        if error := body.get("Error"):
            code = error.get("Code", "")
            return Answer(ok=False, answer={"Error": error, "RequestId": body.get("RequestId")},
                          permanent=not code.startswith(TRANSIENT_PREFIXES))
        [status, *_] = body.get("SendStatusSet") or [{}]
        answer = {"SendStatus": status, "RequestId": body.get("RequestId")}
        if status.get("Code") == "Ok":
            return Answer(ok=True, answer=answer, vendor_id=status.get("SerialNo"))
        return Answer(ok=False, answer=answer, permanent=not str(status.get("Code", "")).startswith(TRANSIENT_PREFIXES))
