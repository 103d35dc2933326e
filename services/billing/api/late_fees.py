"""An estate's late-fee policy (违约金): on or off, daily rate, grace days, cap."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.billing import store
from services.billing.api.deps import Approvers, Readers
from services.billing.api.late_fees_schemas import LateFeePolicy, LateFeePolicyPublic
from services.billing.commands import late_fee_accrual
from services.billing.commands.fee_items import find_estate
from shared.etags import if_match, with_etag
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["late fees"])
PolicyVersion = if_match("late-fee policy")


@router.get("/estates/{estate_id}/late-fee-policy", response_model=LateFeePolicyPublic)
async def get_late_fee_policy(estate_id: str, principal: Readers, *, database: DatabaseDep, response: Response) -> dict:
    """The estate's policy (the defaults until it sets one: off, 0.05% a day after 15 days, capped at the amount)."""
    await find_estate(database, principal, estate_id=estate_id)
    document = await store.find_one(database, store.LATE_FEE_POLICIES, query={"_id": estate_id})
    return with_etag(response, late_fee_accrual.policy_public(estate_id, document))


@router.put("/estates/{estate_id}/late-fee-policy", response_model=LateFeePolicyPublic, responses={409: {}})
async def set_late_fee_policy(estate_id: str, body: LateFeePolicy, *, principal: Approvers, database: DatabaseDep,
                              response: Response, expected_version: PolicyVersion = None) -> dict:
    """The whole policy, by the estate manager or the company (If-Match: only over that version). It applies
    from the next billing run on; late-fee lines charged before keep the policy they were charged under."""
    await find_estate(database, principal, estate_id=estate_id)
    policy = await late_fee_accrual.set_policy(database, principal, estate_id=estate_id, fields=body.model_dump(),
                                               expected_version=expected_version)
    return with_etag(response, policy)
