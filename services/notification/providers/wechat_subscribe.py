"""WeChat mini program subscribe messages (`subscribeMessage.send`, POST cgi-bin/message/subscribe/send).

The mini program's access token is kept and renewed exactly as the official account's
(providers.wechat.AccessTokens). A subscription (一次性订阅) allows one message per time the user
tapped "allow": 43101 (refused, not subscribed, or the one allowed message already sent) cannot be
helped by a retry, so the message goes to the recipient's next channel at once, as any permanent answer.
"""

from __future__ import annotations

from typing import Any

from services.notification.domain import subscribe_messages
from services.notification.providers import Answer, Outgoing
from services.notification.providers.wechat import AccessTokens
from shared.envelope import utcnow


class WechatSubscribeMessage:
    name = "wechat_subscribe"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.tokens = AccessTokens()

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        openid = outgoing.address.get("wechat_openid")
        if not openid:
            return Answer(ok=False, permanent=True, answer={"error": "no WeChat openid"})
        vendor = outgoing.vendor or {}
        if vendor.get("provider") != self.name or not vendor.get("fields"):
            return Answer(ok=False, permanent=True, answer={"error": "no subscribe template for this message"})
        # The platform's clock (not the machine's) says which year a `12月1日` means.
        data = subscribe_messages.data_of(vendor["fields"], outgoing.variables, today=utcnow().date())
        message: dict[str, Any] = {"touser": openid, "template_id": vendor["template_id"], "data": data,
                                   "lang": "zh_CN"}
        if vendor.get("page"):
            message["page"] = vendor["page"]
        return await self.tokens.post("/cgi-bin/message/subscribe/send", message, account=account,
                                      timeout_s=self.timeout_s)
