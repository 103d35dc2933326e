"""Templates: Chinese by default, English for who chose it, an estate's own text, refused when it names
a variable its event does not provide, and a preview with sample data."""

from __future__ import annotations

from tests.e2e.notification_kit import Residents, event, publish
from tests.helpers import Api


def put_template(api: Api, estate_id: str, name: str, channel: str, language: str, **body):
    return api.call("PUT", "notification", f"/v1/estates/{estate_id}/templates/{name}/{channel}/{language}", json=body)


def test_an_estates_own_text_is_checked_when_saved_and_used_in_each_language(stack):
    estate = Residents(stack)
    unit, chinese = estate.resident("孙丽", "3-201", "13700001111")
    _, english = estate.resident("John Smith", "3-202", "13700002222", language="en")
    for person in (chinese, english):
        estate.prefer(person["id"], no_quiet_hours=True)

    unknown = put_template(estate.manager, estate.estate_id, "payment.received", "*", "zh",
                           body="收到 {{ amount }} 元，经办人 {{ clerk_name }}")
    assert unknown.status_code == 422, unknown.text
    problem = unknown.json()
    assert (problem["code"], problem["field"]) == ("unknown_variable", "body") and "clerk_name" in problem["detail"]
    broken = put_template(estate.manager, estate.estate_id, "payment.received", "*", "zh", body="收到 {{ amount ")
    assert broken.status_code == 422 and broken.json()["code"] == "template_syntax"
    sneaky = put_template(estate.manager, estate.estate_id, "payment.received", "*", "zh",
                          body="{{ amount.__class__.__mro__ }}")
    assert sneaky.status_code == 422, sneaky.text  # the sandbox refuses what a template may not touch
    bad_subject = put_template(estate.manager, estate.estate_id, "payment.received", "email", "zh",
                               body="收到 {{ amount }} 元", subject="{{ nobody }}")
    assert bad_subject.status_code == 422 and bad_subject.json()["field"] == "subject"
    no_vendor = put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh", body="收到 {{ amount }} 元")
    assert no_vendor.status_code == 422 and no_vendor.json()["field"] == "vendor"
    wrong_param = put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh",
                               body="收到 {{ amount }} 元", vendor={"provider": "aliyun", "template_id": "SMS_465010001",
                                                                 "params": ["amount", "clerk"]})
    assert wrong_param.status_code == 422 and wrong_param.json()["field"] == "vendor.params[1]"
    wrong_id = put_template(estate.manager, estate.estate_id, "payment.received", "sms", "zh",
                            body="收到 {{ amount }} 元", vendor={"provider": "tencent", "template_id": "SMS_1",
                                                              "params": ["amount"]})
    assert wrong_id.status_code == 422 and wrong_id.json()["field"] == "vendor.template_id"
    saved = put_template(estate.manager, estate.estate_id, "payment.received", "*", "zh",
                         body="【{{ estate_name or '阳光物业' }}】收到您的缴费 {{ amount }} 元，收据 {{ receipt_number }}。")
    assert saved.status_code == 200, saved.text
    assert "receipt_number" in saved.json()["variables"]
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate.estate_id])
    assert put_template(agent, estate.estate_id, "payment.received", "*", "zh", body="x").status_code == 403

    preview = estate.manager.post("notification", "/v1/templates/preview", json={
        "name": "payment.received", "language": "zh", "estate_id": estate.estate_id})
    assert preview.status_code == 200, preview.text
    assert preview.json()["body"] == "【阳光花园】收到您的缴费 487.50 元，收据 R00000123。"
    english_preview = estate.manager.post("notification", "/v1/templates/preview", json={
        "name": "bill.issued", "language": "en"}).json()
    assert english_preview["body"] == "Your bill for 2026-12 (3-502) is 487.50 CNY, due 2026-12-31."
    unknown_preview = estate.manager.post("notification", "/v1/templates/preview", json={
        "name": "bill.issued", "body": "{{ nope }}"})
    assert unknown_preview.status_code == 422 and unknown_preview.json()["code"] == "unknown_variable"
    assert estate.manager.post("notification", "/v1/templates/preview", json={"name": "no.such"}).status_code == 404

    for person in (chinese, english):
        publish(stack, event(estate.estate_id, "billing.payment.received", {
            "payment_id": "pay-1", "unit_id": person["unit_ids"][0], "receipt_number": "R00000456", "amount": "300.00",
            "method": "wechat", "applied": "300.00", "to_balance": "0.00", "line_ids": [],
            "received_at": "2026-11-30T02:00:00Z"}, subject=f"pay-{person['id']}"))
    [own] = estate.told(chinese["id"], "payment.received")
    assert own["body"] == f"【测试小区 {estate.estate_id}】收到您的缴费 300.00 元，收据 R00000456。"
    [shipped] = estate.told(english["id"], "payment.received")
    assert shipped["language"] == "en"
    assert shipped["body"] == "We received your payment of 300.00 CNY, receipt R00000456. Thank you."
    listed = estate.manager.get("notification", f"/v1/estates/{estate.estate_id}/templates").json()
    assert any(t["name"] == "payment.received" and t["overridden"] for t in listed)
    assert unit["id"] in chinese["unit_ids"]
