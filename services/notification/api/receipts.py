"""The SMS vendors' delivery receipts: called by Aliyun and Tencent Cloud, not by users.

Neither vendor signs its status pushes, so the URL given to the vendor's console carries a secret of
the estate's account (`receipt_path` of `GET /v1/estates/{id}/channels`): a wrong one is 404.
"""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from services.notification.api.receipts_schemas import AliyunReport, TencentReport
from services.notification.commands import receipts as commands
from services.notification.domain import receipts
from shared.errors import InvalidInput, NotFound
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification receipts"])


# Fields a vendor does not document are refused (422 naming them), checked before the address is looked
# up: a changed format shows at once instead of being half read. A lone report object is read as one.
REPORTS = {"aliyun": TypeAdapter(list[AliyunReport] | AliyunReport),
           "tencent": TypeAdapter(list[TencentReport] | TencentReport)}

RECEIPTS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "array", "description": "The vendor's status reports: Aliyun's SmsReport push "
    "(biz_id, success, err_code, err_msg…) or Tencent Cloud's 短信下发状态 (sid, report_status, errmsg…)",
    "items": {"type": "object"}}}}}}


def _only_list_errors(error: ValidationError) -> list[dict]:
    """The union's errors as the array's (an object is named as the lone report it was read as)."""
    found = error.errors(include_url=False)
    by_branch: dict[str, list[dict]] = {}
    for e in found:
        branch, *rest = e["loc"] or ("",)
        by_branch.setdefault(str(branch), []).append({**e, "loc": ("body", *rest)})
    array = next((v for k, v in by_branch.items() if k.startswith("list[")), [])
    lone = next((v for k, v in by_branch.items() if not k.startswith("list[")), [])
    if array and all(e["type"] == "list_type" for e in array) and lone:
        return [{**e, "loc": ("body", 0, *e["loc"][1:])} for e in lone]
    return array or found


def _invalid(error: Exception, field: str) -> InvalidInput:
    problem = InvalidInput(str(error), field=field)
    problem.code = "invalid_receipt"
    return problem


@router.post("/sms-receipts/{provider}/{token}", openapi_extra=RECEIPTS_BODY, responses={404: {}, 422: {}})
async def sms_receipts(provider: Literal["aliyun", "tencent"], token: str, *, request: Request,
                       database: DatabaseDep) -> dict:
    """Each report moves its sent message to `delivered` or `failed`, once however often it is pushed;
    the answer is the vendor's own acknowledgement, or its refusal while a report names no message
    recorded as sent yet (the vendor pushes it again later)."""
    body = await request.body()
    try:
        document = json.loads(body)
    except ValueError as error:
        raise _invalid(error, "body") from error
    try:
        reports = REPORTS[provider].validate_python(document)
    except ValidationError as error:
        raise RequestValidationError(_only_list_errors(error), body=body) from error
    reports = reports if isinstance(reports, list) else [reports]
    account = await commands.account_of(database, provider, token=token)
    if account is None:
        raise NotFound("receipt address")
    try:
        parsed = receipts.parse(provider, [r.model_dump(exclude_unset=True) for r in reports])
    except receipts.ReceiptError as error:
        raise _invalid(error, error.field) from error
    unknown = await commands.record(database, estate_id=account["_id"], provider=provider, receipts=parsed)
    if unknown:
        return receipts.refusal(provider, f"{unknown} report(s) name no message sent yet")
    return receipts.acknowledgement(provider)
