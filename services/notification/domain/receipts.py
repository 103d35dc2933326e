"""The SMS vendors' delivery receipts (状态报告), read from their own push formats.

Aliyun SMS (SmsReport, "HTTP 批量推送") posts a JSON array of
`{phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id, out_id}`, where
`biz_id` is SendSms's BizId, and wants `{"code": 0, "msg": …}` back. Tencent Cloud SMS (短信下发状态)
posts a JSON array of `{user_receive_time, nationcode, mobile, report_status, errmsg, description, sid}`,
where `sid` is SendSms's SerialNo and `report_status` is SUCCESS or FAIL, and wants
`{"result": 0, "errmsg": "OK"}` back. Any other answer makes the vendor push again later.

Neither vendor signs these pushes, so the URL given to the vendor carries a secret token of the
estate's account (`/v1/sms-receipts/{provider}/{token}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROVIDERS = ("aliyun", "tencent")


@dataclass(frozen=True)
class Receipt:
    vendor_id: str  # the vendor's id of the sent message: Aliyun's BizId, Tencent's SerialNo
    delivered: bool
    code: str  # the vendor's status code: DELIVERED / DELIVRD, or the carrier's error
    description: str
    reported_at: str | None  # the vendor's local time as it wrote it
    raw: dict[str, Any]


class ReceiptError(Exception):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _text(report: dict[str, Any], name: str, *, index: int) -> str:
    value = report.get(name)
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        raise ReceiptError(f"report {index} has no {name}", field=f"[{index}].{name}")
    return str(value)


def _aliyun(report: dict[str, Any], index: int) -> Receipt:
    success = report.get("success")
    if not isinstance(success, bool):
        raise ReceiptError(f"report {index}: success is true or false", field=f"[{index}].success")
    return Receipt(vendor_id=_text(report, "biz_id", index=index), delivered=success,
                   code=str(report.get("err_code") or ""), description=str(report.get("err_msg") or ""),
                   reported_at=report.get("report_time"), raw=report)


def _tencent(report: dict[str, Any], index: int) -> Receipt:
    status = _text(report, "report_status", index=index)
    if status not in ("SUCCESS", "FAIL"):
        raise ReceiptError(f"report {index}: report_status is SUCCESS or FAIL", field=f"[{index}].report_status")
    return Receipt(vendor_id=_text(report, "sid", index=index), delivered=status == "SUCCESS",
                   code=str(report.get("errmsg") or ""), description=str(report.get("description") or ""),
                   reported_at=report.get("user_receive_time"), raw=report)


def parse(provider: str, body: Any) -> list[Receipt]:
    """Every report of one push (one push may carry many), or ReceiptError naming what is wrong."""
    if not isinstance(body, list):
        raise ReceiptError("the vendor's push is a JSON array of reports", field="body")
    read = {"aliyun": _aliyun, "tencent": _tencent}[provider]
    receipts = []
    for index, report in enumerate(body):
        if not isinstance(report, dict):
            raise ReceiptError(f"report {index} is not an object", field=f"[{index}]")
        receipts.append(read(report, index))
    return receipts


def acknowledgement(provider: str) -> dict[str, Any]:
    """The answer that tells the vendor the push was taken (it pushes again after any other)."""
    return {"code": 0, "msg": "接收成功"} if provider == "aliyun" else {"result": 0, "errmsg": "OK"}


def refusal(provider: str, reason: str) -> dict[str, Any]:
    """The answer that makes the vendor push again later."""
    return {"code": 1, "msg": reason} if provider == "aliyun" else {"result": 1, "errmsg": reason}
