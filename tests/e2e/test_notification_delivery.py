"""Channels and providers: SMS through Aliyun and Tencent Cloud (signed, as the vendors check them),
e-mail over SMTP, WeChat template messages, app push through JPush; retries, the next channel, a message that failed, and two
replicas that never send a message twice and share a vendor account's rate limit."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.e2e.notification_kit import Residents, event, publish
from tests.e2e.test_notification_templates import put_template
from tests.e2e.vendor_servers import (
    ALIYUN_ID,
    ALIYUN_SECRET,
    JPUSH_KEY,
    JPUSH_SECRET,
    TENCENT_ID,
    TENCENT_KEY,
    WECHAT_APP,
    WECHAT_SECRET,
    AliyunSms,
    JPushServer,
    Mailbox,
    TencentSms,
    WechatOfficialAccount,
)
from tests.helpers import admin, archived, eventually

VENDOR_PARAMS = ["amount", "receipt_number"]


@pytest.fixture
def aliyun():
    server = AliyunSms()
    yield server
    server.stop()


def paid(estate: Residents, unit_id: str, receipt: str, amount: str = "300.00") -> None:
    publish(estate.stack, event(estate.estate_id, "billing.payment.received", {
        "payment_id": f"pay-{receipt}", "unit_id": unit_id, "receipt_number": receipt, "amount": amount,
        "method": "cash", "applied": amount, "to_balance": "0.00", "line_ids": [],
        "received_at": "2026-11-30T02:00:00Z"}, subject=f"pay-{receipt}"))


def use_provider(estate: Residents, channel: str, **settings) -> None:
    response = admin(estate.stack).call("PUT", "notification", f"/v1/estates/{estate.estate_id}/channels/{channel}",
                                        json=settings)
    assert response.status_code == 200, response.text
    assert "access_key_secret" not in response.json() and "app_secret" not in response.json()


def settled(estate: Residents, recipient_id: str, template: str, *, count: int = 1, timeout: float = 30) -> list[dict]:
    """The recipient's messages of a template once none of them waits any more."""
    return eventually(lambda: len(found := [m for m in estate.messages(recipient_id) if m["template"] == template
                                            and m["status"] in ("sent", "failed")]) >= count and found,
                      timeout=timeout, what=f"{recipient_id}'s {template} delivered")


def test_aliyun_sms_is_signed_retried_and_falls_back_to_the_next_channel(stack, aliyun):
    estate = Residents(stack)
    unit, owner = estate.resident("周婷", "3-301", "13811110001")
    estate.prefer(owner["id"], no_quiet_hours=True)
    use_provider(estate, "sms", provider="aliyun", endpoint=aliyun.url, access_key_id=ALIYUN_ID,
                 access_key_secret=ALIYUN_SECRET, sign_name="阳光物业")
    saved = put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh",
                         body="收到缴费 {{ amount }} 元，收据 {{ receipt_number }}",
                         vendor={"provider": "aliyun", "template_id": "SMS_465010001", "params": VENDOR_PARAMS})
    assert saved.status_code == 200, saved.text

    aliyun.fail_next.append((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}))
    paid(estate, unit["id"], "R00000001")
    [message] = settled(estate, owner["id"], "payment.received")
    assert (message["status"], message["channel"], message["provider"]) == ("sent", "sms", "aliyun")
    assert [a["status"] for a in message["attempts"]] == ["queued", "failed", "sent"]
    assert message["attempts"][1]["answer"]["Code"] == "isv.BUSINESS_LIMIT_CONTROL"
    assert message["attempts"][2]["answer"]["BizId"]
    [sms] = aliyun.sent
    assert sms["PhoneNumbers"] == "13811110001" and sms["SignName"] == "阳光物业"
    assert sms["TemplateCode"] == "SMS_465010001" and sms["OutId"] == message["id"]
    assert sms["TemplateParam"] == {"amount": "300.00", "receipt_number": "R00000001"}

    # A number the vendor refuses for good: no more tries on SMS, the app's inbox takes over at once.
    aliyun.fail_next.append((200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}))
    paid(estate, unit["id"], "R00000002")
    fallen = settled(estate, owner["id"], "payment.received", count=2)
    [second] = [m for m in fallen if m["id"] != message["id"]]
    assert (second["status"], second["channel"]) == ("sent", "app_push")
    assert [(a["status"], a["channel"]) for a in second["attempts"]] == [
        ("queued", "sms"), ("failed", "sms"), ("sent", "app_push")]

    # A rule on SMS alone: when SMS fails for good there is nothing left, and the message has failed.
    override = estate.manager.call("PUT", "notification", f"/v1/estates/{estate.estate_id}/rules/payment.received",
                                   json={"channels": ["sms"]})
    assert override.status_code == 200, override.text
    aliyun.fail_next.append((200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}))
    paid(estate, unit["id"], "R00000003")
    failed = [m for m in settled(estate, owner["id"], "payment.received", count=3) if m["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["channels"] == ["sms"]
    [told] = eventually(lambda: archived(estate.admin, estate.estate_id, "notification.message.failed"),
                        what="notification.message.failed")
    assert told["data"]["message_id"] == failed[0]["id"] and "MOBILE_NUMBER_ILLEGAL" in told["data"]["last_error"]
    assert len(aliyun.sent) == 1  # the refused ones were never counted as sent


def test_tencent_sms_is_signed_with_tc3_and_a_wrong_key_is_refused(stack):
    tencent = TencentSms()
    try:
        estate = Residents(stack)
        unit, owner = estate.resident("吴刚", "3-401", "13822220002")
        estate.prefer(owner["id"], no_quiet_hours=True)
        put = put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh",
                           body="收到缴费 {{ amount }} 元", vendor={"provider": "tencent", "template_id": "1234567",
                                                                 "params": VENDOR_PARAMS})
        assert put.status_code == 200, put.text
        use_provider(estate, "sms", provider="tencent", endpoint=tencent.url, access_key_id=TENCENT_ID,
                     access_key_secret=TENCENT_KEY, sign_name="阳光物业", sdk_app_id="1400006666")
        paid(estate, unit["id"], "R00000011")
        [message] = settled(estate, owner["id"], "payment.received")
        assert (message["status"], message["provider"]) == ("sent", "tencent")
        assert message["attempts"][-1]["answer"]["SendStatus"]["Code"] == "Ok"
        [sms] = tencent.sent
        assert sms["PhoneNumberSet"] == ["+8613822220002"] and sms["SmsSdkAppId"] == "1400006666"
        assert sms["TemplateId"] == "1234567" and sms["TemplateParamSet"] == ["300.00", "R00000011"]

        use_provider(estate, "sms", provider="tencent", endpoint=tencent.url, access_key_id=TENCENT_ID,
                     access_key_secret="not-the-key", sign_name="阳光物业", sdk_app_id="1400006666")
        paid(estate, unit["id"], "R00000012")
        refused = [m for m in settled(estate, owner["id"], "payment.received", count=2) if m["id"] != message["id"]]
        assert refused[0]["attempts"][1]["answer"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
        assert refused[0]["channel"] == "app_push" and len(tencent.sent) == 1
    finally:
        tencent.stop()


def test_email_goes_over_smtp_and_wechat_with_a_fresh_access_token(stack):
    mailbox, wechat = Mailbox(), WechatOfficialAccount()
    try:
        estate = Residents(stack)
        unit, reader = estate.resident("郑洁", "3-501", "13833330003")
        _, follower = estate.resident("冯伟", "3-502", "13833330004")
        estate.prefer(reader["id"], no_quiet_hours=True, channels=["email"], email="zheng@example.com")
        estate.prefer(follower["id"], no_quiet_hours=True, channels=["wechat"], wechat_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
        use_provider(estate, "email", provider="smtp", host="127.0.0.1", port=mailbox.port, sender="notice@estate.example")
        use_provider(estate, "wechat", provider="wechat", endpoint=wechat.url, app_id=WECHAT_APP, app_secret=WECHAT_SECRET)
        put = put_template(estate.manager, estate.estate_id, "payment.received", "wechat", "zh",
                           body="收到缴费 {{ amount }} 元", vendor={"provider": "wechat", "template_id": "TM00015-receipt",
                                                                 "params": VENDOR_PARAMS})
        assert put.status_code == 200, put.text

        paid(estate, unit["id"], "R00000021")
        [mail_message] = settled(estate, reader["id"], "payment.received")
        assert (mail_message["status"], mail_message["channel"], mail_message["provider"]) == ("sent", "email", "smtp")
        [mail] = mailbox.received
        assert mail["To"] == "zheng@example.com" and mail["Subject"] == "缴费收据 R00000021"
        assert "已收到您的缴费 300.00 元" in mail.get_content()

        paid(estate, follower["unit_ids"][0], "R00000022")
        settled(estate, follower["id"], "payment.received")
        wechat.expire_tokens()
        paid(estate, follower["unit_ids"][0], "R00000023")
        messages = settled(estate, follower["id"], "payment.received", count=2)
        assert {m["status"] for m in messages} == {"sent"} and {m["provider"] for m in messages} == {"wechat"}
        assert [m["touser"] for m in wechat.sent] == ["oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"] * 2
        assert wechat.sent[1]["data"] == {"amount": {"value": "300.00"}, "receipt_number": {"value": "R00000023"}}
        assert wechat.tokens_issued == 3  # the first, the one that made ours stale, and ours again
    finally:
        mailbox.stop()
        wechat.stop()


def test_app_push_goes_through_jpush_and_a_person_without_the_app_gets_the_next_channel(stack):
    jpush = JPushServer()
    try:
        estate = Residents(stack)
        unit, with_app = estate.resident("何静", "3-901", "13877770007")
        _, without_app = estate.resident("罗军", "3-902", "13877770008")
        for person in (with_app, without_app):
            estate.prefer(person["id"], no_quiet_hours=True, channels=["app_push"])
        jpush.aliases.add(with_app["id"])
        use_provider(estate, "app_push", provider="jpush", endpoint=jpush.url + "v3/push", app_id=JPUSH_KEY,
                     app_secret=JPUSH_SECRET)

        paid(estate, unit["id"], "R00000031")
        [pushed] = settled(estate, with_app["id"], "payment.received")
        assert (pushed["status"], pushed["channel"], pushed["provider"]) == ("sent", "app_push", "jpush")
        assert pushed["attempts"][-1]["answer"]["msg_id"]
        [push] = jpush.pushed
        assert push["audience"] == {"alias": [with_app["id"]]} and push["platform"] == "all"
        assert push["notification"]["android"]["extras"] == {"message_id": pushed["id"]}
        assert "300.00" in push["notification"]["alert"]

        # No device has that alias (1011): no retry helps, the next channel (SMS) takes over at once.
        paid(estate, without_app["unit_ids"][0], "R00000032")
        [fallen] = settled(estate, without_app["id"], "payment.received")
        assert [(a["status"], a["channel"]) for a in fallen["attempts"]] == [
            ("queued", "app_push"), ("failed", "app_push"), ("sent", "sms")]
        assert fallen["attempts"][1]["answer"]["error"]["code"] == 1011

        use_provider(estate, "app_push", provider="jpush", endpoint=jpush.url + "v3/push", app_id=JPUSH_KEY,
                     app_secret="not-the-master-secret")
        paid(estate, unit["id"], "R00000033")
        refused = [m for m in settled(estate, with_app["id"], "payment.received", count=2) if m["id"] != pushed["id"]]
        assert refused[0]["attempts"][1]["answer"]["error"]["code"] == 1004 and len(jpush.pushed) == 1
    finally:
        jpush.stop()


def test_two_replicas_claim_each_message_once(stack, aliyun):
    estate = Residents(stack)
    unit, owner = estate.resident("陈晨", "3-601", "13844440005")
    estate.prefer(owner["id"], no_quiet_hours=True)
    use_provider(estate, "sms", provider="aliyun", endpoint=aliyun.url, access_key_id=ALIYUN_ID,
                 access_key_secret=ALIYUN_SECRET, sign_name="阳光物业")
    put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh", body="收到缴费 {{ amount }} 元",
                 vendor={"provider": "aliyun", "template_id": "SMS_465010001", "params": VENDOR_PARAMS})
    replica = stack.start_service("notification")
    try:
        for n in range(30):
            paid(estate, unit["id"], f"R0000{n:04d}")
        messages = settled(estate, owner["id"], "payment.received", count=30, timeout=60)
        assert {m["status"] for m in messages} == {"sent"}
        counts = aliyun.out_ids()
        assert sorted(counts) == sorted(m["id"] for m in messages) and set(counts.values()) == {1}
        assert Counter(len(m["attempts"]) for m in messages) == {2: 30}  # queued, sent: one send each
    finally:
        replica.stop()
        stack.services["notification"].remove(replica)


def test_two_replicas_share_a_vendor_accounts_rate_limit(stack, aliyun):
    estate = Residents(stack)
    unit, owner = estate.resident("黄磊", "3-801", "13866660006")
    estate.prefer(owner["id"], no_quiet_hours=True)
    use_provider(estate, "sms", provider="aliyun", endpoint=aliyun.url, access_key_id=ALIYUN_ID,
                 access_key_secret=ALIYUN_SECRET, sign_name="阳光物业", rate_per_s=2)
    put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh", body="收到缴费 {{ amount }} 元",
                 vendor={"provider": "aliyun", "template_id": "SMS_465010001", "params": VENDOR_PARAMS})
    replica = stack.start_service("notification")
    try:
        # A second lot while the first is still waiting for its turns: the other replica takes it.
        for n in range(6):
            paid(estate, unit["id"], f"R1000{n:04d}")
        eventually(lambda: aliyun.sent, what="the first SMS")
        for n in range(6, 12):
            paid(estate, unit["id"], f"R1000{n:04d}")
        messages = settled(estate, owner["id"], "payment.received", count=12, timeout=90)
        assert {m["status"] for m in messages} == {"sent"}
        # The vendor counts per second of its clock (this machine's): never more than two in one.
        per_second = Counter(int(at) for at in aliyun.sent_at)
        assert max(per_second.values()) <= 2, sorted(per_second.items())
        assert max(aliyun.sent_at) - min(aliyun.sent_at) > 4.0  # twelve at two a second: six seconds at least
        assert set(aliyun.out_ids().values()) == {1}
    finally:
        replica.stop()
        stack.services["notification"].remove(replica)
