"""Online payment: intents, and WeChat Pay's payment notification (signed, its resource encrypted)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.billing.api.online_schemas import IntentCreate, IntentPublic, NotificationAnswer, WeChatNotification
from services.billing.commands import online
from shared.auth import Principal, require_roles
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["online payment"])
Payers = Annotated[Principal, require_roles("resident", "billing_clerk", "estate_manager", "company_admin")]


NOTIFICATION_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "WeChat Pay API v3 notification (the resource is encrypted)",
    "required": ["id", "event_type", "resource"], "additionalProperties": False,
    "properties": {"id": {"type": "string"}, "create_time": {"type": "string"}, "event_type": {"type": "string"},
                   "resource_type": {"type": "string"}, "summary": {"type": "string"},
                   "resource": {"type": "object"}}}}}}}


@router.post("/payment-intents", status_code=201, response_model=IntentPublic)
async def create_intent(body: IntentCreate, principal: Payers, *, database: DatabaseDep) -> dict:
    """What an online payment is for: its `out_trade_no` goes into the WeChat Pay order."""
    return await online.create_intent(database, principal, request=online.IntentInput(**body.model_dump()))


@router.post("/wechatpay/notifications", response_model=NotificationAnswer, openapi_extra=NOTIFICATION_BODY,
             responses={400: {}, 401: {}, 404: {}, 409: {}, 422: {}})
async def wechatpay_notification(request: Request, database: DatabaseDep) -> dict:
    """Called by WeChat Pay, not by users: the signature is the authentication. Applied once per transaction."""
    body = await request.body()
    try:
        WeChatNotification.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from error
    return await online.apply_notification(database, request.app.state.settings, headers=dict(request.headers),
                                           body=body)
