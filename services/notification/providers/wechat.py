"""WeChat official account template messages (`message/template/send`) with the account's access token.

The token (`cgi-bin/token`, valid two hours) is kept per account in the process and fetched again when
WeChat says it expired (40001, 42001) or was replaced (40014). `AccessTokens` is shared with the mini
program's subscribe messages (providers.wechat_subscribe): the same token endpoint and the same answers.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.notification.providers import Answer, Outgoing, vendor_params
from shared.cache import TtlCache

ENDPOINT = "https://api.weixin.qq.com"
STALE_TOKEN = {40001, 40014, 42001}
TRANSIENT = {-1, 45009}  # system busy; the daily quota (tomorrow may pass)


class AccessTokens:
    """An account's access token, kept in the process, and the calls made with it."""

    def __init__(self) -> None:
        self.tokens: TtlCache[str] = TtlCache(ttl_s=6000.0)

    async def _token(self, client: httpx.AsyncClient, base: str, *, account: dict[str, Any]) -> str | None:
        async def fetch() -> str | None:
            response = await client.get(f"{base}/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": account["app_id"], "secret": account["app_secret"]})
            return response.json().get("access_token")

        return await self.tokens.get(f"{base}/{account['app_id']}", fetch)

    async def post(self, path: str, message: dict[str, Any], *, account: dict[str, Any], timeout_s: float) -> Answer:
        """POSTs `message` to `path` with the account's token (fetched again once if WeChat calls it stale);
        the answer's errcode decides: 0 sent, busy or quota retried, any other refused for good."""
        base = (account.get("endpoint") or ENDPOINT).rstrip("/")
        try:
            async with httpx.AsyncClient(timeout=timeout_s) as client:
                for _ in range(2):
                    token = await self._token(client, base, account=account)
                    if not token:
                        return Answer(ok=False, answer={"error": "no access token"})
                    response = await client.post(f"{base}{path}", params={"access_token": token}, json=message)
                    body = response.json()
                    if body.get("errcode") not in STALE_TOKEN:
                        break
                    self.tokens.forget(f"{base}/{account['app_id']}")
        except (httpx.HTTPError, ValueError) as error:
            return Answer(ok=False, answer={"error": repr(error)})
        if body.get("errcode", 0) == 0:
            return Answer(ok=True, answer=body)
        return Answer(ok=False, answer=body, permanent=body.get("errcode") not in TRANSIENT | STALE_TOKEN)


class WechatTemplateMessage:
    name = "wechat"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.tokens = AccessTokens()

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        openid = outgoing.address.get("wechat_openid")
        if not openid:
            return Answer(ok=False, permanent=True, answer={"error": "no WeChat openid"})
        if not outgoing.vendor or outgoing.vendor.get("provider") != "wechat":
            return Answer(ok=False, permanent=True, answer={"error": "no WeChat template for this message"})
        message = {"touser": openid, "template_id": outgoing.vendor["template_id"],
                   "data": {name: {"value": value} for name, value in vendor_params(outgoing)},
                   "client_msg_id": outgoing.message_id}  # WeChat drops a second send with the same id
        return await self.tokens.post("/cgi-bin/message/template/send", message, account=account,
                                      timeout_s=self.timeout_s)
