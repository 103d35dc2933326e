"""The SMS vendors' delivery reports, as each vendor's documentation names their fields."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AliyunReport(BaseModel):
    """One entry of Aliyun's SmsReport push, the fields its documentation names."""

    model_config = ConfigDict(extra="forbid")
    phone_number: str | None = None
    send_time: str | None = None
    report_time: str | None = None
    success: bool
    err_code: str | None = None
    err_msg: str | None = None
    sms_size: str | None = None
    biz_id: str = Field(min_length=1, max_length=100)
    out_id: str | None = None


class TencentReport(BaseModel):
    """One entry of Tencent Cloud's 短信下发状态 callback, the fields its documentation names."""

    model_config = ConfigDict(extra="forbid")
    user_receive_time: str | None = None
    nationcode: str | None = None
    mobile: str | None = None
    report_status: Literal["SUCCESS", "FAIL"]
    errmsg: str | None = None
    description: str | None = None
    sid: str = Field(min_length=1, max_length=100)
