"""Notification's pure rules: quiet hours across midnight, retries and the next channel, channel
choice, rule overrides, template checks, vendors' signatures, the rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notification.domain import contexts, delivery, rules, templates
from services.notification.domain.rate import Windows, account_key, allot
from services.notification.providers.signing import aliyun_percent_encode, aliyun_signature, tencent_authorization

NIGHT = {"start": "22:00", "end": "08:00"}


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_quiet_hours_across_midnight_defer_to_their_first_allowed_minute():
    late = shanghai(31, 23, 30)  # 23:30 on 31 Dec in Shanghai
    assert delivery.first_allowed(late, NIGHT, time_zone="Asia/Shanghai") == datetime(2027, 1, 1, 0, 0,
                                                                                      tzinfo=UTC)  # 08:00
    small_hours = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 01:30 on 1 Jan
    assert delivery.first_allowed(small_hours, NIGHT, time_zone="Asia/Shanghai") == datetime(2027, 1, 1, 0, 0,
                                                                                             tzinfo=UTC)
    evening = datetime(2026, 12, 31, 13, 59, tzinfo=UTC)  # 21:59: still allowed
    assert delivery.first_allowed(evening, NIGHT, time_zone="Asia/Shanghai") == evening
    morning = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 exactly: allowed
    assert delivery.first_allowed(morning, NIGHT, time_zone="Asia/Shanghai") == morning
    lunch = {"start": "12:00", "end": "14:00"}  # a window inside one day
    assert delivery.first_allowed(datetime(2026, 12, 1, 4, 30, tzinfo=UTC), lunch,
                                  time_zone="Asia/Shanghai") == datetime(
        2026, 12, 1, 6, 0, tzinfo=UTC)
    assert delivery.first_allowed(late, None, time_zone="Asia/Shanghai") == late


def test_residents_have_the_default_quiet_hours_staff_none_unless_they_chose():
    assert delivery.quiet_hours_of({"kind": "resident"}) == NIGHT
    assert delivery.quiet_hours_of({"kind": "staff"}) is None
    assert delivery.quiet_hours_of({"kind": "resident", "quiet_hours": None}) is None
    assert delivery.quiet_hours_of({"kind": "staff", "quiet_hours": {"start": "23:00", "end": "07:00"}})["end"] == "07:00"


def test_safety_urgent_and_p1_go_at_once():
    assert rules.goes_at_once("safety", {}) and rules.goes_at_once("urgent", {})
    assert rules.goes_at_once("normal", {"priority": "P1"})
    assert not rules.goes_at_once("normal", {"priority": "P2"}) and not rules.goes_at_once("announcement", {})


def test_a_failure_is_retried_then_the_next_channel_then_the_message_has_failed():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    step = delivery.after_attempt(succeeded=False, permanent=False, channel_index=0, tries_on_channel=0, channels=2,
                                  retry_delays_s=[1, 5], now=now)
    assert (step.status, step.channel_index, step.due_at) == ("queued", 0, now + timedelta(seconds=1))
    step = delivery.after_attempt(succeeded=False, permanent=False, channel_index=0, tries_on_channel=1, channels=2,
                                  retry_delays_s=[1, 5], now=now)
    assert step.due_at == now + timedelta(seconds=5)
    step = delivery.after_attempt(succeeded=False, permanent=False, channel_index=0, tries_on_channel=2, channels=2,
                                  retry_delays_s=[1, 5], now=now)
    assert (step.status, step.channel_index, step.tries_on_channel, step.due_at) == ("queued", 1, 0, now)
    refused = delivery.after_attempt(succeeded=False, permanent=True, channel_index=0, tries_on_channel=0,
                                     channels=2, retry_delays_s=[1, 5], now=now)
    assert (refused.status, refused.channel_index) == ("queued", 1)
    last = delivery.after_attempt(succeeded=False, permanent=True, channel_index=1, tries_on_channel=0, channels=2,
                                  retry_delays_s=[1, 5], now=now)
    assert last.status == "failed"
    assert delivery.after_attempt(succeeded=True, permanent=False, channel_index=1, tries_on_channel=0, channels=2,
                                  retry_delays_s=[], now=now).status == "sent"


def test_channels_are_the_recipients_own_that_can_reach_them_then_the_fallbacks():
    resident = {"phone": "+8613800000000", "directory_channels": ["wechat", "email", "sms"]}
    assert delivery.channels_for(resident, None) == ["sms", "app_push"]  # no openid, no e-mail address
    chosen = {**resident, "channels": ["email"], "email": "a@example.com"}
    assert delivery.channels_for(chosen, None) == ["email", "sms", "app_push"]
    assert delivery.channels_for({}, ("sms",)) == ["app_push"]  # nothing reaches them but the inbox
    assert delivery.channels_for(resident, ("voice",)) == ["voice"]


def test_an_override_changes_only_what_it_names_and_is_checked():
    rule = rules.DEFAULTS_BY_ID["bill.issued"]
    changed = rules.overridden(rule, {"urgency": "urgent", "channels": ["sms"]})
    assert (changed.urgency, changed.channels, changed.audience) == ("urgent", ("sms",), rule.audience)
    assert rules.rules_for("billing.bill.issued", {"bill.issued": {"enabled": False}}) == []
    assert [r.id for r in rules.rules_for("intake.incident.declared", {})] == ["incident.notice", "incident.declared"]
    for bad, field in (({"urgency": "soon"}, "urgency"), ({"audience": ["x"]}, "audience[0]"),
                       ({"audience": []}, "audience"), ({"channels": ["fax"]}, "channels[0]")):
        with pytest.raises(rules.RuleError) as error:
            rules.check_override(rule, bad)
        assert error.value.field == field


def test_every_shipped_template_renders_its_sample_and_a_bad_one_is_named():
    for (name, _channel, language), text in templates.DEFAULTS.items():
        templates.check(name, language, field="body", source=text.body)
    with pytest.raises(templates.TemplateError) as error:
        templates.check("bill.issued", "zh", field="body", source="{{ amount }} {{ bogus }}")
    assert (error.value.code, error.value.field) == ("unknown_variable", "body") and "bogus" in str(error.value)
    with pytest.raises(templates.TemplateError) as error:
        templates.check("bill.issued", "zh", field="body",
                        source="{% for x in amount.__class__.__subclasses__() %}{% endfor %}")
    assert error.value.code == "template_error"
    english = templates.lookup({}, "ticket.received", channel="sms", language="en")
    assert templates.render(english.body, contexts.sample("ticket.received", "en")).startswith("We have your request")
    own = {("bill.issued", "*", "zh"): templates.Text(body="账单 {{ amount }}")}
    assert templates.lookup(own, "bill.issued", channel="sms", language="zh").body == "账单 {{ amount }}"
    assert templates.lookup(own, "bill.issued", channel="sms", language="en").subject == "Bill for {{ period }}"


def test_every_default_rule_has_its_template_in_chinese_and_english():
    for rule in rules.DEFAULT_RULES:
        assert rule.id in contexts.BUILDERS, rule.id
        for language in templates.LANGUAGES:
            assert (rule.id, "*", language) in templates.DEFAULTS, (rule.id, language)


def test_a_disabled_webhook_tells_its_owner_why_and_since_when():
    [rule] = rules.rules_for("notification.webhook.disabled", {})
    assert (rule.id, rule.audience, rule.channels) == ("webhook.disabled", ("webhook_owner",), ("email", "app_push"))
    assert "webhook_owner" in rules.STAFF_AUDIENCES
    data = {"subscription_id": "sub-1", "owner_id": "erp-1", "url": "https://erp.example.com/hooks",
            "reason": "its endpoint failed for 5 days without one success",
            "failing_since": "2026-12-31T16:30:00+00:00"}
    zh = templates.lookup({}, "webhook.disabled", channel="app_push", language="zh")
    assert templates.render(zh.body, contexts.context_for("webhook.disabled", data, time_zone="Asia/Shanghai")) == (
        "【Webhook 已停用】发往 https://erp.example.com/hooks 的订阅已停用：its endpoint failed for 5 days without one "
        "success（自 1月1日 00:30 起投递失败）。修复接收端后请重新启用订阅，并恢复停用期间失败的投递。")
    gone = {**data, "reason": "the endpoint answered 410 Gone", "failing_since": None}
    en = templates.lookup({}, "webhook.disabled", channel="email", language="en")
    assert templates.render(en.body, contexts.context_for("webhook.disabled", gone, time_zone="Asia/Shanghai",
                                                          language="en")) == (
        "[Webhook disabled] Your subscription delivering to https://erp.example.com/hooks was disabled: the endpoint "
        "answered 410 Gone. Fix the endpoint, enable the subscription again and recover the deliveries that failed "
        "meanwhile.")


def test_residents_hear_of_an_incidents_update_only_when_its_status_moved():
    [rule] = [r for r in rules.rules_for("intake.incident.updated", {}) if r.id == "incident.updated"]
    assert rules.applies(rule, {"status": "investigating", "previous_status": "open"})
    assert not rules.applies(rule, {"status": "open", "previous_status": "open", "linked_ticket_id": "t-2"})
    assert rules.applies(rules.DEFAULTS_BY_ID["bill.issued"], {})


def test_aliyun_signature_follows_the_documented_example():
    # Aliyun's documentation example of the RPC signature (access key secret "testsecret").
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert aliyun_percent_encode("a b*~") == "a%20b%2A~"


def test_tencent_tc3_signature_follows_its_steps():
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    header = tencent_authorization(secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                                   secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service="cvm",
                                   host="cvm.tencentcloudapi.com", payload=payload, timestamp=1551113065)
    # TencentCloud's documented example of signature v3 (DescribeInstances, 2019-02-25).
    assert header.endswith("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    assert "Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request" in header


def test_the_rate_limit_gives_each_send_a_window_with_room():
    two = Windows.of(2.5)
    assert (two.length_s, two.limit) == (1.0, 2) and (Windows.of(0.2).length_s, Windows.of(0.2).limit) == (5.0, 1)
    # Early in second 100: two of its sends are taken by another replica, so ours start at 101.
    assert allot(two, now=100.2, wanted=5, taken={100: 2}) == [101, 101, 102, 102, 103]
    # Late in a second a send waits for the next one (it could land in the vendor's next second).
    assert allot(two, now=100.7, wanted=1, taken={}) == [101]
    # Nothing beyond the horizon: those wait for a later pass.
    assert allot(two, now=100.0, wanted=50, taken={}, horizon_s=3) == [100, 100, 101, 101, 102, 102]
    assert account_key("aliyun", {"access_key_id": "LTAI"}, estate_id="e1") == account_key(
        "aliyun", {"access_key_id": "LTAI"}, estate_id="e2")


def test_the_vendors_status_reports_are_read_in_their_own_formats():
    from services.notification.domain import receipts

    [aliyun] = receipts.parse("aliyun", [{"phone_number": "13800000000", "success": False, "err_code": "MK:0012",
                                          "err_msg": "停机", "biz_id": "900^0", "report_time": "2026-11-30 10:00:00"}])
    assert (aliyun.vendor_id, aliyun.delivered, aliyun.code) == ("900^0", False, "MK:0012")
    [tencent] = receipts.parse("tencent", [{"sid": "2433:1", "report_status": "SUCCESS", "errmsg": "DELIVRD",
                                            "description": "用户短信送达成功"}])
    assert (tencent.vendor_id, tencent.delivered) == ("2433:1", True)
    for body, field in (({}, "body"), ([{"sid": "x", "report_status": "MAYBE"}], "[0].report_status"),
                        ([{"report_status": "FAIL"}], "[0].sid")):
        try:
            receipts.parse("tencent", body)
        except receipts.ReceiptError as error:
            assert error.field == field
        else:
            raise AssertionError(body)
    assert receipts.acknowledgement("tencent") == {"result": 0, "errmsg": "OK"}
