"""Online payment: an intent names what is being paid (unit, amount, lines); WeChat Pay's signed
notification of the transaction then takes the payment once, whatever the number of deliveries."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from services.billing import store
from services.billing.commands import ledger
from services.billing.domain import wechatpay
from services.billing.settings import BillingSettings
from shared.auth import Principal, acting_for
from shared.db import Database
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.money import fen_to_text

INTENTS = "payment_intents"


class IntentInput(BaseModel):
    unit_id: str
    amount: str
    line_ids: list[str] | None = None


async def create_intent(database: Database, principal: Principal, *, request: IntentInput) -> dict[str, Any]:
    if principal.roles == ["resident"] and request.unit_id not in principal.unit_ids:
        raise Forbidden("residents pay for their own units")
    unit = await ledger.find_unit(database, principal, unit_id=request.unit_id, field="unit_id")
    amount_fen = ledger.parse_amount(request.amount)
    intent = {"_id": new_id(), "estate_id": unit["estate_id"], "company_id": unit["company_id"],
              "unit_id": unit["_id"], "amount_fen": amount_fen, "line_ids": request.line_ids, "by": principal.user_id,
              "created_at": utcnow()}
    await database.db[INTENTS].insert_one(intent)
    return {"out_trade_no": intent["_id"], "unit_id": unit["_id"], "amount": fen_to_text(amount_fen)}


async def apply_notification(database: Database, settings: BillingSettings, *, headers: dict[str, str],
                             body: bytes) -> dict[str, Any]:
    if not (settings.wechatpay_api_v3_key and settings.wechatpay_platform_public_key):
        raise NotFound("online payment (WeChat Pay is not set up here)")
    wechatpay.verify_signature(
        public_key_pem=settings.wechatpay_platform_public_key, timestamp=headers.get("wechatpay-timestamp", ""),
        nonce=headers.get("wechatpay-nonce", ""), body=body, signature=headers.get("wechatpay-signature", ""),
        now_s=int(utcnow().timestamp()), max_skew_s=settings.wechatpay_max_skew_s)
    try:
        notification = json.loads(body)
    except ValueError as error:
        raise InvalidInput("the notification is not JSON", field="body") from error
    if not isinstance(notification, dict):
        raise InvalidInput("the notification is a JSON object", field="body")
    transaction = wechatpay.decrypt_transaction(api_v3_key=settings.wechatpay_api_v3_key, notification=notification)
    if transaction.trade_state != "SUCCESS":
        return {"code": "SUCCESS", "applied": False, "trade_state": transaction.trade_state}
    intent = await store.find_one(database, INTENTS, query={"_id": transaction.out_trade_no})
    if intent is None:
        raise NotFound("payment intent", field="out_trade_no")
    if transaction.total_fen != intent["amount_fen"] or transaction.currency != "CNY":
        raise Conflict("the transaction's amount is not the intent's", field="amount")
    principal = acting_for(database, user_id="wechatpay", company_id=intent["company_id"],
                           estate_id=intent["estate_id"], roles=["billing_clerk"])
    payment = await ledger.take_payment(database, principal, request=ledger.PaymentInput(
        unit_id=intent["unit_id"], amount=fen_to_text(intent["amount_fen"]), method="wechat_pay",
        line_ids=intent["line_ids"], note=f"wechatpay {transaction.transaction_id}"),
        idempotency_key=f"wechatpay:{transaction.transaction_id}")
    return {"code": "SUCCESS", "applied": True, "payment_id": payment["id"],
            "receipt_number": payment["receipt_number"]}
