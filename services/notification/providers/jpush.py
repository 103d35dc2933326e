"""App push through JPush (极光推送, Push API v3 `POST /v3/push`), authenticated with HTTP Basic
`appKey:masterSecret`. The staff and resident apps set the signed-in person's id as their JPush alias,
so a message goes to that alias on every platform; the vendor answers `{sendno, msg_id}`, or
`{"error": {"code", "message"}}` (1011: no device has that alias, 2002: too many calls)."""

from __future__ import annotations

from typing import Any

import httpx

from services.notification.providers import Answer, Outgoing

ENDPOINT = "https://api.jpush.cn/v3/push"
TRANSIENT = {1030, 2002, 2003}  # the vendor's internal timeout; its rate limits (a later try may pass)


def push_body(outgoing: Outgoing, account: dict[str, Any]) -> dict[str, Any]:
    extras = {"message_id": outgoing.message_id}  # the app opens the message in its inbox
    title = outgoing.subject or ""
    return {"platform": "all", "audience": {"alias": [outgoing.recipient_id]},
            "notification": {"alert": outgoing.body,
                             "android": {"alert": outgoing.body, "title": title, "extras": extras},
                             "ios": {"alert": {"title": title, "body": outgoing.body} if title else outgoing.body,
                                     "sound": "default", "extras": extras}},
            "options": {"time_to_live": 86400, "apns_production": bool(account.get("apns_production", True))}}


class JPush:
    name = "jpush"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        if not outgoing.recipient_id:
            return Answer(ok=False, permanent=True, answer={"error": "no recipient to push to"})
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(account.get("endpoint") or ENDPOINT, json=push_body(outgoing, account),
                                             auth=(account["app_id"], account["app_secret"]))
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return Answer(ok=False, answer={"error": repr(error)})
        if error := body.get("error"):
            code = error.get("code")
            return Answer(ok=False, answer={"error": error, "msg_id": body.get("msg_id")},
                          permanent=response.status_code < 500 and code not in TRANSIENT)
        if response.status_code >= 300 or not body.get("msg_id"):
            return Answer(ok=False, answer={"status": response.status_code, "body": str(body)[:300]})
        msg_id = str(body["msg_id"])
        return Answer(ok=True, answer={"sendno": body.get("sendno"), "msg_id": msg_id}, vendor_id=msg_id)
