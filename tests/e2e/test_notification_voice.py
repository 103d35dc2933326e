"""Voice: the escalation step that phones an off-duty manager (节假日手机必须开机) goes out as Aliyun's
SingleCallByTts, the approved text-to-speech template read aloud, signed as Aliyun checks every RPC
request; a call the vendor refuses for good leaves the message failed (voice is its only channel)."""

from __future__ import annotations

from tests.e2e.notification_kit import Residents, event, publish
from tests.e2e.test_notification_delivery import settled, use_provider
from tests.e2e.test_notification_templates import put_template
from tests.e2e.vendor_servers import ALIYUN_ID, ALIYUN_SECRET, AliyunVoice
from tests.helpers import archived, eventually


def escalate(estate: Residents, *, order: str, manager_id: str) -> None:
    publish(estate.stack, event(estate.estate_id, "dispatch.workorder.escalated", {
        "work_order_id": order, "number": f"WO-{order}", "level": 3, "position": "estate_manager",
        "recipient_id": manager_id, "recipient_name": "周经理", "reached_via": "phone",
        "recipient_phone": "+8613900000009", "reason": "not_accepted", "priority": "P1",
        "description": "3栋电梯困人"}, subject=order))


def test_a_p1_escalation_by_phone_is_an_aliyun_tts_call(stack):
    voice = AliyunVoice()
    try:
        estate = Residents(stack)
        manager_id = f"{estate.estate_id}-pm"
        use_provider(estate, "voice", provider="aliyun_voice", endpoint=voice.url, access_key_id=ALIYUN_ID,
                     access_key_secret=ALIYUN_SECRET, show_number="057112345678", play_times=3)
        saved = put_template(estate.manager, estate.estate_id, "workorder.escalated", "voice", "zh",
                             body="{{ priority }} 工单 {{ number }} 无人接单：{{ description }}",
                             vendor={"provider": "aliyun_voice", "template_id": "TTS_287340001",
                                     "params": ["number", "description"]})
        assert saved.status_code == 200, saved.text
        wrong = put_template(estate.manager, estate.estate_id, "workorder.escalated", "voice", "zh", body="x",
                             vendor={"provider": "aliyun_voice", "template_id": "SMS_287340001", "params": []})
        assert wrong.status_code == 422 and wrong.json()["field"] == "vendor.template_id"

        voice.fail_next.append((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}))
        escalate(estate, order="wo-v1", manager_id=manager_id)
        [called] = settled(estate, manager_id, "workorder.escalated")
        assert (called["status"], called["channel"], called["provider"]) == ("sent", "voice", "aliyun_voice")
        assert [a["status"] for a in called["attempts"]] == ["queued", "failed", "sent"]
        assert called["attempts"][-1]["answer"]["CallId"] == "116012354148^0000000001"
        [call] = voice.calls
        assert (call["CalledNumber"], call["CalledShowNumber"], call["TtsCode"]) == (
            "13900000009", "057112345678", "TTS_287340001")
        assert call["TtsParam"] == {"number": "WO-wo-v1", "description": "3栋电梯困人"}
        assert (call["PlayTimes"], call["OutId"]) == ("3", called["id"])

        # The wrong secret: Aliyun refuses the signature, and there is no other channel to fall back on.
        use_provider(estate, "voice", provider="aliyun_voice", endpoint=voice.url, access_key_id=ALIYUN_ID,
                     access_key_secret="not-the-secret")
        escalate(estate, order="wo-v2", manager_id=manager_id)
        refused = [m for m in settled(estate, manager_id, "workorder.escalated", count=2) if m["id"] != called["id"]]
        assert refused[0]["status"] == "failed" and refused[0]["channels"] == ["voice"]
        assert refused[0]["attempts"][-1]["answer"]["Code"] == "SignatureDoesNotMatch"
        eventually(lambda: [e for e in archived(estate.admin, estate.estate_id, "notification.message.failed")
                            if e["data"]["message_id"] == refused[0]["id"]], what="notification.message.failed")
        assert len(voice.calls) == 1
    finally:
        voice.stop()
