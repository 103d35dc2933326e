"""Billing runs and the bill lines they issue, each able to explain its amount."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.billing import store
from services.billing.api.deps import Approvers, AsOf, Clerks, Readers
from services.billing.api.bills_schemas import (
    BillingRunCreate,
    BillingRunPublic,
    BillLinePublic,
    DepositRefundCreate,
    DepositRefundPublic,
    Explanation,
    WaiverCreate,
    WaiverPublic,
)
from services.billing.commands import accounts, deposits, ledger, runs
from services.billing.commands.fee_items import find_estate
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, fetch_page
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["bills"])


@router.post("/billing-runs", status_code=202, response_model=BillingRunPublic)
async def start_billing_run(body: BillingRunCreate, principal: Clerks, *, database: DatabaseDep, request: Request,
                            idempotency_key: IdempotencyKey = None) -> dict:
    """Start a run; it goes on in the background (poll the run for `done` of `total`)."""
    return await runs.start_run(database, principal, request=runs.RunInput(**body.model_dump()),
                                chunk_size=request.app.state.settings.run_batch_size, idempotency_key=idempotency_key)


@router.get("/billing-runs/{billing_run_id}", response_model=BillingRunPublic)
async def get_billing_run(billing_run_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    run = found(await store.find_one(database, store.BILLING_RUNS,
                                     query={"_id": billing_run_id, **principal.estate_filter()}), "billing run")
    return runs.run_public(run)


@router.get("/billing-runs", response_model=Page[BillingRunPublic])
async def list_billing_runs(estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery) -> Page:
    await find_estate(database, principal, estate_id=estate_id)
    documents, cursor = await fetch_page(database.db[store.BILLING_RUNS],
                                         {**principal.estate_filter(), "estate_id": estate_id}, page=page)
    return Page(items=[runs.run_public(d) for d in documents], next_cursor=cursor)


@router.get("/bill-lines", response_model=Page[BillLinePublic])
async def list_bill_lines(estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
                          unit_id: str | None = None, period: str | None = None, status: str | None = None,
                          billing_run_id: str | None = None) -> Page:
    await find_estate(database, principal, estate_id=estate_id)
    filters = {"unit_id": unit_id, "period": period, "status": status, "billing_run_id": billing_run_id}
    query = {**principal.estate_filter(), "estate_id": estate_id, **{k: v for k, v in filters.items() if v}}
    documents, cursor = await fetch_page(database.db[store.BILL_LINES], query, page=page, newest_first=False)
    return Page(items=[accounts.line_public(d) for d in documents], next_cursor=cursor)


@router.get("/bill-lines/{bill_line_id}", response_model=BillLinePublic)
async def get_bill_line(bill_line_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    return accounts.line_public(await accounts.find_line(database, principal, line_id=bill_line_id))


@router.get("/bill-lines/{bill_line_id}/explanation", response_model=Explanation)
async def explain_bill_line(bill_line_id: str, principal: Readers, *, database: DatabaseDep, as_of: AsOf) -> dict:
    """How the amount came about (zh, en), recomputed from the line's stored inputs; the late fees (违约金) it was
    charged for days up to `as_of`. A late-fee line explains its rate, grace, days, principal by day and cap."""
    return await accounts.explanation(database, await accounts.find_line(database, principal, line_id=bill_line_id),
                                      as_of=as_of)


@router.post("/bill-lines/{bill_line_id}/waiver", status_code=201, response_model=WaiverPublic)
async def waive_bill_line(bill_line_id: str, body: WaiverCreate, *, principal: Approvers,
                          database: DatabaseDep) -> dict:
    """减免 (all that is outstanding unless `amount` says less): approved by the manager who asks, with a reason."""
    waiver = await ledger.waive_line(database, principal, line_id=bill_line_id,
                                     request=ledger.WaiverInput(**body.model_dump()))
    return {**waiver, "line": accounts.line_public(waiver["line"])}


@router.post("/bill-lines/{bill_line_id}/refund", status_code=201, response_model=DepositRefundPublic,
             responses={409: {}, 422: {}})
async def refund_deposit(bill_line_id: str, body: DepositRefundCreate, *, principal: Approvers, database: DatabaseDep,
                         idempotency_key: IdempotencyKey = None) -> dict:
    """退押金: a paid deposit refunded once its procedure is closed (the settlement's refund by default), a new
    entry approved by the manager who asks, with a reason; once per deposit (a second one is 409)."""
    return await deposits.refund_deposit(database, principal, line_id=bill_line_id,
                                         request=deposits.RefundInput(**body.model_dump()),
                                         idempotency_key=idempotency_key)
