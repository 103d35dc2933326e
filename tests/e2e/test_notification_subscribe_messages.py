"""WeChat mini program subscribe messages (小程序订阅消息): a template's keys mapped to our variables and
checked at save, the message sent as subscribeMessage.send takes it (checked by a local mini program
server), a user with no subscription left (43101) heard on the next channel without a retry, and the
access token renewed when WeChat says it went stale."""

from __future__ import annotations

from tests.e2e.notification_kit import Residents
from tests.e2e.test_notification_delivery import paid, settled, use_provider
from tests.e2e.test_notification_templates import put_template
from tests.e2e.vendor_servers import WECHAT_APP, WECHAT_SECRET, WechatMiniProgram

TEMPLATE_ID = "bDmywsp2oEHjwAadTGKkUHpzhtYN7fG1F0sQvKZu5Ms"  # 43 characters, as WeChat's are
FIELDS = {"character_string1": "receipt_number", "amount2": "amount", "thing3": "unit_number"}
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def subscribe_template(estate: Residents, fields: dict[str, str]):
    return put_template(estate.manager, estate.estate_id, "payment.received", "wechat", "zh",
                        body="收到缴费 {{ amount }} 元", vendor={"provider": "wechat_subscribe", "template_id": TEMPLATE_ID,
                                                              "fields": fields, "page": "pages/bills/receipt"})


def sends(mini: WechatMiniProgram) -> list[dict]:
    return [r for r in mini.requests if r["path"] == "/cgi-bin/message/subscribe/send"]


def test_subscribe_messages_are_checked_at_save_sent_as_wechat_takes_them_and_a_refusal_goes_on(stack):
    mini = WechatMiniProgram({TEMPLATE_ID: list(FIELDS)})
    try:
        estate = Residents(stack)
        unit, owner = estate.resident("韩梅", "3-601", "13844440005")
        estate.prefer(owner["id"], no_quiet_hours=True, channels=["wechat"], wechat_openid=OPENID)
        use_provider(estate, "wechat", provider="wechat_subscribe", endpoint=mini.url, app_id=WECHAT_APP,
                     app_secret=WECHAT_SECRET)

        # At save: a key of no documented kind, and a variable that can never fit its key, are refused by name.
        for fields, field in (({"keyword1": "receipt_number"}, "vendor.fields.keyword1"),
                              ({"character_string1": "receipt_number", "phrase2": "amount"}, "vendor.fields.phrase2"),
                              ({"thing1": "ticket_number"}, "vendor.fields.thing1")):
            refused = subscribe_template(estate, fields)
            assert refused.status_code == 422, refused.text
            assert refused.json()["field"] == field, refused.text
        saved = subscribe_template(estate, FIELDS)
        assert saved.status_code == 200, saved.text
        assert saved.json()["vendor"]["fields"] == FIELDS

        mini.allow(OPENID, TEMPLATE_ID)
        paid(estate, unit["id"], "R00000031")
        [message] = settled(estate, owner["id"], "payment.received")
        assert (message["status"], message["channel"], message["provider"]) == ("sent", "wechat", "wechat_subscribe")
        assert message["attempts"][-1]["answer"]["errcode"] == 0
        [sent] = mini.sent
        assert sent == {"touser": OPENID, "template_id": TEMPLATE_ID, "page": "pages/bills/receipt", "lang": "zh_CN",
                        "data": {"character_string1": {"value": "R00000031"}, "amount2": {"value": "300.00"},
                                 "thing3": {"value": "3-601"}}}

        # The one message the user allowed is spent: 43101, not retried, the next channel at once.
        paid(estate, unit["id"], "R00000032")
        [second] = [m for m in settled(estate, owner["id"], "payment.received", count=2) if m["id"] != message["id"]]
        assert second["status"] == "sent" and second["channel"] != "wechat", second
        assert [(a["status"], a["channel"]) for a in second["attempts"]][:2] == [("queued", "wechat"),
                                                                                ("failed", "wechat")]
        assert second["attempts"][1]["answer"]["errcode"] == 43101
        assert len(sends(mini)) == 2 and len(mini.sent) == 1

        # WeChat replaced the token elsewhere: ours is fetched again and the send goes through.
        mini.expire_tokens()
        mini.allow(OPENID, TEMPLATE_ID)
        paid(estate, unit["id"], "R00000033")
        third = [m for m in settled(estate, owner["id"], "payment.received", count=3)
                 if m["id"] not in (message["id"], second["id"])]
        assert [(m["status"], m["provider"]) for m in third] == [("sent", "wechat_subscribe")]
        assert mini.sent[-1]["data"]["character_string1"] == {"value": "R00000033"}
        assert mini.tokens_issued == 3  # the first, the one that made ours stale, and ours again
    finally:
        mini.stop()
