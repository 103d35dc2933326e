"""Delivery receipts: the SMS vendors push their status reports (Aliyun's SmsReport, Tencent Cloud's
短信下发状态) to the receipt address of the estate's account, in their own formats; a report moves its
message from sent to delivered, or failed with the carrier's error, once however often it comes."""

from __future__ import annotations

import httpx

from tests.e2e.notification_kit import Residents
from tests.e2e.test_notification_delivery import VENDOR_PARAMS, aliyun, paid, settled, use_provider  # noqa: F401
from tests.e2e.test_notification_templates import put_template
from tests.e2e.vendor_servers import ALIYUN_ID, ALIYUN_SECRET, TENCENT_ID, TENCENT_KEY, TencentSms, push_reports
from tests.helpers import admin, archived, eventually


def receipt_url(estate: Residents) -> str:
    """The address the estate's manager gives the vendor's console (the vendors do not sign their pushes)."""
    channels = admin(estate.stack).get("notification", f"/v1/estates/{estate.estate_id}/channels").json()
    [sms] = [c for c in channels if c["channel"] == "sms"]
    return estate.stack.url("notification") + sms["receipt_path"]


def message(estate: Residents, message_id: str) -> dict:
    return estate.manager.get("notification", f"/v1/messages/{message_id}").json()


def test_aliyun_reports_mark_a_message_delivered_once_however_often_they_come(stack, aliyun):
    estate = Residents(stack)
    unit, owner = estate.resident("钱丽", "3-701", "13855550001")
    estate.prefer(owner["id"], no_quiet_hours=True)
    use_provider(estate, "sms", provider="aliyun", endpoint=aliyun.url, access_key_id=ALIYUN_ID,
                 access_key_secret=ALIYUN_SECRET, sign_name="阳光物业")
    put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh", body="收到缴费 {{ amount }} 元",
                 vendor={"provider": "aliyun", "template_id": "SMS_465010001", "params": VENDOR_PARAMS})
    url = receipt_url(estate)

    paid(estate, unit["id"], "R00000101")
    [sent] = settled(estate, owner["id"], "payment.received")
    assert sent["status"] == "sent" and sent["attempts"][-1]["answer"]["BizId"] == "90000001^0"

    # A push may carry a report twice, and the vendor pushes again when it is not sure we took it.
    for _ in range(2):
        answer = push_reports(url, [aliyun.report(0), aliyun.report(0)])
        assert (answer.status_code, answer.json()) == (200, {"code": 0, "msg": "接收成功"})
    delivered = message(estate, sent["id"])
    assert delivered["status"] == "delivered" and delivered["delivered_at"] >= delivered["sent_at"]
    assert [a["status"] for a in delivered["attempts"]] == ["queued", "sent", "delivered"]
    assert delivered["attempts"][-1]["answer"]["err_code"] == "DELIVERED"
    assert delivered["attempts"][-1]["answer"]["biz_id"] == "90000001^0"

    # A report of a message not recorded as sent (yet) is refused, so that the vendor pushes it again.
    unknown = {**aliyun.report(0), "biz_id": "12345678^0"}
    assert push_reports(url, [unknown]).json()["code"] != 0

    # The address is the authentication: another token, or another vendor's path, finds nothing.
    as_tencent = {"sid": "90000001^0", "report_status": "SUCCESS", "errmsg": "DELIVRD"}
    for wrong, report in ((url.rsplit("/", 1)[0] + "/not-the-token", aliyun.report(0)),
                          (url.replace("/aliyun/", "/tencent/"), as_tencent)):
        refused = push_reports(wrong, [report])
        assert refused.status_code == 404 and refused.headers["content-type"].startswith("application/problem+json")
    bad = httpx.post(url, content=b"[{", headers={"Content-Type": "application/json"}, timeout=30)
    assert bad.status_code == 422 and (bad.json()["code"], bad.json()["field"]) == ("invalid_receipt", "body")
    no_flag = {k: v for k, v in aliyun.report(0).items() if k != "success"}
    bad = push_reports(url, [no_flag])
    assert bad.status_code == 422 and bad.json()["field"] == "0.success"
    # A field the vendor does not document is refused by name, a lone report object read as one report.
    bad = httpx.post(url, json={**aliyun.report(0), "company_id": "other-company"}, timeout=30)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"0.company_id"}
    assert message(estate, sent["id"])["attempts"] == delivered["attempts"]


def test_a_tencent_failure_report_fails_the_message_with_the_carriers_error(stack):
    tencent = TencentSms()
    try:
        estate = Residents(stack)
        unit, owner = estate.resident("孙悦", "3-702", "13855550002")
        estate.prefer(owner["id"], no_quiet_hours=True)
        put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh", body="收到缴费 {{ amount }} 元",
                     vendor={"provider": "tencent", "template_id": "1234567", "params": VENDOR_PARAMS})
        use_provider(estate, "sms", provider="tencent", endpoint=tencent.url, access_key_id=TENCENT_ID,
                     access_key_secret=TENCENT_KEY, sign_name="阳光物业", sdk_app_id="1400006666")
        url = receipt_url(estate)
        # Saving the account again keeps its receipt address (the vendor's console still has it).
        use_provider(estate, "sms", provider="tencent", endpoint=tencent.url, access_key_id=TENCENT_ID,
                     access_key_secret=TENCENT_KEY, sign_name="阳光物业", sdk_app_id="1400006666")
        assert receipt_url(estate) == url

        paid(estate, unit["id"], "R00000201")
        paid(estate, unit["id"], "R00000202")
        sent = settled(estate, owner["id"], "payment.received", count=2)
        by_serial = {m["attempts"][-1]["answer"]["SendStatus"]["SerialNo"]: m for m in sent}
        assert sorted(by_serial) == ["2433:1", "2433:2"]

        failure = tencent.report(0, success=False, errmsg="MK:0001", description="空号")
        for _ in range(2):
            answer = push_reports(url, [failure, tencent.report(1)])
            assert (answer.status_code, answer.json()) == (200, {"result": 0, "errmsg": "OK"})
        failed, delivered = message(estate, by_serial["2433:1"]["id"]), message(estate, by_serial["2433:2"]["id"])
        assert (failed["status"], delivered["status"]) == ("failed", "delivered")
        assert [a["status"] for a in failed["attempts"]] == ["queued", "sent", "failed"]
        assert failed["attempts"][-1]["answer"]["errmsg"] == "MK:0001"
        told = eventually(lambda: [e for e in archived(estate.admin, estate.estate_id, "notification.message.failed")
                                   if e["data"]["message_id"] == failed["id"]], what="notification.message.failed")
        assert len(told) == 1 and "MK:0001" in told[0]["data"]["last_error"]
    finally:
        tencent.stop()
