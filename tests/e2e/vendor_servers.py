"""Local stand-ins of the vendors notification talks to, each checking requests as the vendor does.

The signatures are verified here with the vendors' documented steps, written apart from the
service's own signing code: Aliyun's RPC signature (SMS and voice alike) (HMAC-SHA1 over `GET&%2F&<encoded sorted query>`,
key `secret&`) and TencentCloud's TC3-HMAC-SHA256 (canonical request → string to sign → key derived
from `TC3`+secret, the day, the service and `tc3_request`). A request with a bad signature gets the
vendor's own refusal. SMTP is aiosmtpd, a real SMTP server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
from aiosmtpd.controller import Controller

from devstack.infra import free_port

ALIYUN_ID, ALIYUN_SECRET = "LTAI5tTestKeyId", "aliyun-test-secret"
TENCENT_ID, TENCENT_KEY = "AKIDtestsecretid", "tencent-test-secret-key"
WECHAT_APP, WECHAT_SECRET = "wx0123456789abcdef", "wechat-test-secret"
JPUSH_KEY, JPUSH_SECRET = "7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1"


class VendorServer:
    """An HTTP server in a thread; `handle(method, path, query, headers, body) -> (status, json)`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[tuple[int, dict]] = []  # answers to give before the real ones (retries)
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    status, answer = server.handle(self.command, url.path, dict(parse_qsl(url.query)),
                                                   {k.lower(): v for k, v in self.headers.items()}, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def handle(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
        raise NotImplementedError

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def _rfc3986(value: str) -> str:
    return quote(value, safe="~").replace("+", "%20").replace("*", "%2A")


def aliyun_refusal(query: dict, nonces: set[str], *, action: str, version: str,
                   needs: set[str]) -> tuple[int, dict] | None:
    """Aliyun's refusal of an RPC request (popping its Signature), or None: the key known, the signature
    right, each nonce used once, the timestamp ISO 8601 UTC, the common and the action's parameters there."""
    signature = query.pop("Signature", "")
    canonical = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(query.items()))
    to_sign = "GET&%2F&" + _rfc3986(canonical)
    expected = base64.b64encode(hmac.new((ALIYUN_SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest())
    if query.get("AccessKeyId") != ALIYUN_ID:
        return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
    if not hmac.compare_digest(expected.decode(), signature):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
    if query.get("SignatureNonce") in nonces:
        return 400, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
    nonces.add(query["SignatureNonce"])
    datetime.strptime(query["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)  # ISO 8601 UTC, or the request errs
    missing = {"Action", "Version", "Format", "SignatureMethod", "SignatureVersion", "RegionId", *needs} - set(query)
    if missing or query["Action"] != action or query["Version"] != version:
        return 400, {"Code": "MissingParameter", "Message": f"missing {sorted(missing)}"}
    return None


class AliyunSms(VendorServer):
    """dysmsapi's SendSms: every common parameter present, the signature right, each nonce used once."""

    def __init__(self) -> None:
        super().__init__()
        self.nonces: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.sent_at: list[float] = []  # when each was taken, on this machine's clock (as the vendor counts)

    def handle(self, method, path, query, headers, body):
        self.requests.append(query)
        if refused := aliyun_refusal(query, self.nonces, action="SendSms", version="2017-05-25", needs={
                "PhoneNumbers", "SignName", "TemplateCode"}):
            return refused
        if self.fail_next:
            return self.fail_next.pop(0)
        params = json.loads(query.get("TemplateParam") or "{}")
        self.sent.append({**query, "TemplateParam": params})
        self.sent_at.append(time.time())
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"9000{len(self.sent):04d}^0", "RequestId": "A1B2"}

    def out_ids(self) -> Counter:
        return Counter(s.get("OutId") for s in self.sent)

    def report(self, index: int, *, success: bool = True, err_code: str = "DELIVERED",
               err_msg: str = "用户接收成功") -> dict[str, Any]:
        """SmsReport's HTTP push entry (HTTP 批量推送) for the index-th message sent."""
        sms = self.sent[index]
        return {"phone_number": sms["PhoneNumbers"], "send_time": "2026-11-30 10:00:00",
                "report_time": "2026-11-30 10:00:03", "success": success, "err_code": err_code,
                "err_msg": err_msg, "sms_size": "1", "biz_id": f"9000{index + 1:04d}^0", "out_id": sms.get("OutId", "")}


class AliyunVoice(VendorServer):
    """dyvmsapi's SingleCallByTts (语音服务, 文本转语音外呼), checked as Aliyun checks every RPC request."""

    def __init__(self) -> None:
        super().__init__()
        self.nonces: set[str] = set()
        self.calls: list[dict[str, Any]] = []

    def handle(self, method, path, query, headers, body):
        self.requests.append(query)
        if refused := aliyun_refusal(query, self.nonces, action="SingleCallByTts", version="2017-05-25",
                                     needs={"CalledNumber", "TtsCode"}):
            return refused
        if not 1 <= int(query.get("PlayTimes") or 1) <= 3:
            return 400, {"Code": "InvalidParameter", "Message": "PlayTimes is 1 to 3"}
        if self.fail_next:
            return self.fail_next.pop(0)
        self.calls.append({**query, "TtsParam": json.loads(query.get("TtsParam") or "{}")})
        return 200, {"Code": "OK", "Message": "OK", "CallId": f"116012354148^{len(self.calls):010d}",
                     "RequestId": "D9CB3933-9FE3-4870-BA8E-2BEE91B69D23"}


class TencentSms(VendorServer):
    """TencentCloud SMS 2021-01-11 SendSms: the TC3-HMAC-SHA256 signature over what was really sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def handle(self, method, path, query, headers, body):
        self.requests.append({"headers": headers, "body": body})
        auth = headers.get("authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            parts = dict(p.strip().split("=", 1) for p in rest.split(","))
            secret_id, day, service, terminator = parts["Credential"].split("/")
        except ValueError:
            return 200, {"Response": {"Error": {"Code": "AuthFailure.InvalidAuthorization",
                                                "Message": "Authorization is malformed"}, "RequestId": "r"}}
        timestamp = int(headers["x-tc-timestamp"])
        signed = parts["SignedHeaders"].split(";")
        canonical_headers = "".join(f"{name}:{headers[name].strip().lower()}\n" for name in signed)
        canonical = "\n".join([method, "/", "", canonical_headers, parts["SignedHeaders"], hashlib.sha256(body).hexdigest()])
        to_sign = "\n".join([algorithm, str(timestamp), f"{day}/{service}/{terminator}",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def mac(key: bytes, text: str) -> bytes:
            return hmac.new(key, text.encode(), hashlib.sha256).digest()

        key = mac(mac(mac(("TC3" + TENCENT_KEY).encode(), day), service), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if secret_id != TENCENT_ID or algorithm != "TC3-HMAC-SHA256":
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SecretIdNotFound", "Message": "no such id"},
                                      "RequestId": "r"}}
        if not hmac.compare_digest(expected, parts["Signature"]) or day != datetime.fromtimestamp(
                timestamp, UTC).strftime("%Y-%m-%d") or "host" not in signed or "content-type" not in signed:
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                "Message": "The provided credentials could not be validated."},
                                      "RequestId": "r"}}
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return 200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "?"}, "RequestId": "r"}}
        if self.fail_next:
            return self.fail_next.pop(0)
        request = json.loads(body)
        self.sent.append(request)
        return 200, {"Response": {"SendStatusSet": [{"SerialNo": f"2433:{len(self.sent)}", "PhoneNumber":
                                                     request["PhoneNumberSet"][0], "Fee": 1, "SessionContext":
                                                     request.get("SessionContext", ""), "Code": "Ok",
                                                     "Message": "send success", "IsoCode": "CN"}],
                                  "RequestId": f"req-{len(self.sent)}"}}


    def report(self, index: int, *, success: bool = True, errmsg: str = "DELIVRD",
               description: str = "用户短信送达成功") -> dict[str, Any]:
        """短信下发状态 callback entry for the index-th message sent (sid is SendSms's SerialNo)."""
        phone = self.sent[index]["PhoneNumberSet"][0]
        return {"user_receive_time": "2026-11-30 10:00:04", "nationcode": "86", "mobile": phone.removeprefix("+86"),
                "report_status": "SUCCESS" if success else "FAIL", "errmsg": errmsg, "description": description,
                "sid": f"2433:{index + 1}"}


def push_reports(url: str, reports: list[dict[str, Any]]) -> httpx.Response:
    """What the vendors do with their status reports: one POST of a JSON array, unsigned."""
    return httpx.post(url, json=reports, timeout=30)


class WechatOfficialAccount(VendorServer):
    """cgi-bin/token and message/template/send: a template message needs a current access token."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens_issued = 0
        self.sent: list[dict[str, Any]] = []

    def handle(self, method, path, query, headers, body):
        self.requests.append({"path": path, "query": query})
        if path == "/cgi-bin/token":
            if (query.get("appid"), query.get("secret"), query.get("grant_type")) != (
                    WECHAT_APP, WECHAT_SECRET, "client_credential"):
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            self.tokens_issued += 1
            return 200, {"access_token": f"token-{self.tokens_issued}", "expires_in": 7200}
        if path == "/cgi-bin/message/template/send":
            if query.get("access_token") != f"token-{self.tokens_issued}":
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            message = json.loads(body)
            if not message.get("touser") or not message.get("template_id"):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            self.sent.append(message)
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332 + len(self.sent)}
        return 404, {"errcode": 404, "errmsg": "not found"}

    def expire_tokens(self) -> None:
        self.tokens_issued += 1  # WeChat issued a new one elsewhere: the one held is stale


class WechatMiniProgram(WechatOfficialAccount):
    """A mini program's cgi-bin/token and message/subscribe/send (subscribeMessage.send), checked as WeChat
    documents it: a current token, a known template whose keys are all given, each value fitting its key's
    kind (47003 otherwise), and a subscription: each time a user allows a template (`allow`), one message
    of it may be sent; without one, 43101."""

    # Written from the documented limits, apart from the service's own rules (domain.subscribe_messages).
    KINDS = {"thing": r".{1,20}", "character_string": r"[0-9A-Za-z\-_.:/#]{1,32}", "amount": r"[¥]?\d{1,10}(\.\d+)?元?",
             "time": r"(\d{4}年\d{1,2}月\d{1,2}日 )?\d{2}:\d{2}", "phrase": r"[\u4e00-\u9fff]{1,5}"}
    ALLOWED_BODY = {"touser", "template_id", "page", "data", "miniprogram_state", "lang"}

    def __init__(self, templates: dict[str, list[str]]) -> None:
        super().__init__()
        self.templates = templates  # template id -> its keys
        self.allowed: Counter[tuple[str, str]] = Counter()  # (openid, template id) -> messages it may still get

    def allow(self, openid: str, template_id: str) -> None:
        self.allowed[(openid, template_id)] += 1

    def handle(self, method, path, query, headers, body):
        if path != "/cgi-bin/message/subscribe/send":
            return super().handle(method, path, query, headers, body)
        self.requests.append({"path": path, "query": query})
        if method != "POST":
            return 200, {"errcode": 43002, "errmsg": "require POST method"}
        if query.get("access_token") != f"token-{self.tokens_issued}":
            return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        message = json.loads(body)
        if set(message) - self.ALLOWED_BODY:
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        if not message.get("touser"):
            return 200, {"errcode": 40003, "errmsg": "invalid openid"}
        keys = self.templates.get(message.get("template_id"))
        if keys is None:
            return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
        data = message.get("data") or {}
        for key in keys:
            value = (data.get(key) or {}).get("value")
            kind = key.rstrip("0123456789")
            if not isinstance(value, str) or not value:
                return 200, {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value is empty"}
            if not re.fullmatch(self.KINDS[kind], value):
                return 200, {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value invalid"}
        if self.allowed[(message["touser"], message["template_id"])] <= 0:
            return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        self.allowed[(message["touser"], message["template_id"])] -= 1
        self.sent.append(message)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 3140000000 + len(self.sent)}


class JPushServer(VendorServer):
    """JPush's Push API v3: HTTP Basic appKey:masterSecret, a push object with a platform, an audience and
    a notification; an alias no device registered is error 1011, as JPush answers it."""

    def __init__(self) -> None:
        super().__init__()
        self.aliases: set[str] = set()  # the people whose app registered with JPush
        self.pushed: list[dict[str, Any]] = []

    def handle(self, method, path, query, headers, body):
        self.requests.append({"path": path, "headers": headers})
        expected = "Basic " + base64.b64encode(f"{JPUSH_KEY}:{JPUSH_SECRET}".encode()).decode()
        if not hmac.compare_digest(headers.get("authorization", ""), expected):
            return 401, {"error": {"code": 1004, "message": "Authen failed"}}
        if (method, path) != ("POST", "/v3/push"):
            return 404, {"error": {"code": 1000, "message": "not found"}}
        push = json.loads(body or b"{}")
        if not push.get("platform") or not push.get("audience") or not (push.get("notification") or push.get("message")):
            return 400, {"error": {"code": 1002, "message": "Missing parameter"}}
        alias = push["audience"].get("alias") if isinstance(push["audience"], dict) else None
        if not isinstance(alias, list):
            return 400, {"error": {"code": 1003, "message": "Audience value must be JSON Array format!"}}
        msg_id = 1828256757 + len(self.requests)
        if not self.aliases.intersection(alias):
            return 400, {"msg_id": msg_id, "error": {"code": 1011, "message": "cannot find user by this audience"}}
        self.pushed.append(push)
        return 200, {"sendno": "0", "msg_id": str(msg_id)}


class Mailbox:
    """aiosmtpd on a free port, keeping what it received."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        mailbox = self

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                mailbox.received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
