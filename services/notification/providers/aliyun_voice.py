"""Aliyun voice (语音服务, dyvmsapi `SingleCallByTts`, API version 2017-05-25): a phone call that reads
the vendor's approved text-to-speech template aloud, for the escalation nobody took. Signed as every
Aliyun RPC API (`providers.aliyun.rpc_call`)."""

from __future__ import annotations

from typing import Any

from services.notification.providers import Answer, Outgoing
from services.notification.providers.aliyun import answer_of, common_params, domestic, rpc_call, template_param

ENDPOINT = "https://dyvmsapi.aliyuncs.com/"


def single_call_params(outgoing: Outgoing, account: dict[str, Any]) -> dict[str, str]:
    params = {
        **common_params(account, action="SingleCallByTts", version="2017-05-25"),
        "CalledNumber": domestic(outgoing.address["phone"]), "TtsCode": outgoing.vendor["template_id"],
        "TtsParam": template_param(outgoing),
        "PlayTimes": str(account.get("play_times") or 2),  # said twice: a sleeper wakes at the first
        "OutId": outgoing.message_id,  # the call's receipt names our message
    }
    if account.get("show_number"):  # a number of the account's own (专属模式); absent, the public pool's
        params["CalledShowNumber"] = account["show_number"]
    return params


class AliyunVoice:
    name = "aliyun_voice"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        if not outgoing.address.get("phone"):
            return Answer(ok=False, permanent=True, answer={"error": "no phone number"})
        if not outgoing.vendor or outgoing.vendor.get("provider") != "aliyun_voice":
            return Answer(ok=False, permanent=True, answer={"error": "no Aliyun text-to-speech template"})
        result = await rpc_call(single_call_params(outgoing, account), account, endpoint=ENDPOINT,
                                timeout_s=self.timeout_s)
        return answer_of(result, fields=("CallId",), id_field="CallId")
