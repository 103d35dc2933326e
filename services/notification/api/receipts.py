"""The SMS vendors' delivery receipts: called by Aliyun and Tencent Cloud, not by users.

Neither vendor signs its status pushes, so the URL given to the vendor's console carries a secret of
the estate's account (`receipt_path` of `GET /v1/estates/{id}/channels`): a wrong one is 404.
"""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Request

from services.notification.commands import receipts as commands
from services.notification.domain import receipts
from shared.errors import InvalidInput, NotFound
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification receipts"])

RECEIPTS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "array", "description": "The vendor's status reports: Aliyun's SmsReport push "
    "(biz_id, success, err_code, err_msg…) or Tencent Cloud's 短信下发状态 (sid, report_status, errmsg…)",
    "items": {"type": "object"}}}}}}


def _invalid(error: Exception, field: str) -> InvalidInput:
    problem = InvalidInput(str(error), field=field)
    problem.code = "invalid_receipt"
    return problem


@router.post("/sms-receipts/{provider}/{token}", openapi_extra=RECEIPTS_BODY, responses={404: {}, 422: {}})
async def sms_receipts(provider: Literal["aliyun", "tencent"], token: str, request: Request,
                       database: DatabaseDep) -> dict:
    """Each report moves its sent message to `delivered` or `failed`, once however often it is pushed;
    the answer is the vendor's own acknowledgement, or its refusal while a report names no message
    recorded as sent yet (the vendor pushes it again later)."""
    account = await commands.account_of(database, provider, token)
    if account is None:
        raise NotFound("receipt address")
    try:
        parsed = receipts.parse(provider, json.loads(await request.body()))
    except ValueError as error:
        raise _invalid(error, "body") from error
    except receipts.ReceiptError as error:
        raise _invalid(error, error.field) from error
    unknown = await commands.record(database, estate_id=account["_id"], provider=provider, receipts=parsed)
    if unknown:
        return receipts.refusal(provider, f"{unknown} report(s) name no message sent yet")
    return receipts.acknowledgement(provider)
