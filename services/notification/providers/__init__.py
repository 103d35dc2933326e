"""Channels' providers behind one small interface: `send(outgoing, account) -> Answer`.

`local` stores (the message is readable in the API: storing it is sending it); `smtp` sends e-mail;
`aliyun` and `tencent` send SMS as their vendors' pre-approved templates, signed as each vendor
requires; `wechat` sends an official account's template message with its access token, `wechat_subscribe`
a mini program's subscribe message with the same token handling; `aliyun_voice`
phones (the vendor reads a text-to-speech template aloud); `jpush` pushes to the apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    channel: str
    address: dict[str, Any]  # phone (E.164), email, wechat_openid
    subject: str | None
    body: str
    variables: dict[str, Any]
    vendor: dict[str, Any] | None = None  # the vendor's template id and its parameters (our variable names)
    recipient_id: str = ""  # whom an app push goes to (the apps' JPush alias is the signed-in person's id)


@dataclass(frozen=True)
class Answer:
    ok: bool
    answer: dict[str, Any] = field(default_factory=dict)  # what the provider said, kept with the attempt
    permanent: bool = False  # no retry can help (a refused template, no address): the next channel at once
    # The vendor's id of what it accepted (Aliyun's BizId, Tencent's SerialNo): its delivery receipts name it.
    vendor_id: str | None = None


class Provider(Protocol):
    name: str

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer: ...


class MissingAddress(Exception):
    pass


def vendor_params(outgoing: Outgoing) -> list[tuple[str, str]]:
    """The vendor template's parameters as (name, value), values from the message's variables."""
    if not outgoing.vendor:
        return []
    return [(name, "" if outgoing.variables.get(name) is None else str(outgoing.variables[name]))
            for name in outgoing.vendor.get("params") or []]


class LocalProvider:
    """The default of local runs: the stored message is the delivery."""

    name = "local"

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        return Answer(ok=True, answer={"stored": True})


def registry(timeout_s: float) -> dict[str, Provider]:
    from services.notification.providers.aliyun import AliyunSms
    from services.notification.providers.aliyun_voice import AliyunVoice
    from services.notification.providers.jpush import JPush
    from services.notification.providers.smtp import SmtpEmail
    from services.notification.providers.tencent import TencentSms
    from services.notification.providers.wechat import WechatTemplateMessage
    from services.notification.providers.wechat_subscribe import WechatSubscribeMessage

    return {"local": LocalProvider(), "smtp": SmtpEmail(timeout_s), "aliyun": AliyunSms(timeout_s),
            "tencent": TencentSms(timeout_s), "wechat": WechatTemplateMessage(timeout_s),
            "wechat_subscribe": WechatSubscribeMessage(timeout_s), "aliyun_voice": AliyunVoice(timeout_s),
            "jpush": JPush(timeout_s)}
