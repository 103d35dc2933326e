"""Billing's HTTP API: the estates billing knows (fees, bills and payments come with the billing issue)."""

from __future__ import annotations

from fastapi import APIRouter

from services.billing import store
from services.billing.api.deps import Clerks
from services.billing.api.schemas import BillingEstatePublic
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["billing"])


@router.get("/estates", response_model=list[BillingEstatePublic])
async def billed_estates(principal: Clerks, database: DatabaseDep) -> list[BillingEstatePublic]:
    return [BillingEstatePublic(**d) for d in await store.estates_in_scope(database, principal.estate_filter())]
