"""Payments (with `Idempotency-Key`), receipts, reversals (冲正), unit accounts and reconciliation."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.billing import store
from services.billing.api.deps import AsOf, Clerks, Readers
from services.billing.api.payments_schemas import (
    ArrearsReport,
    BilledUnit,
    CollectionRate,
    PaymentCreate,
    PaymentPublic,
    Reconciliation,
    ReversalCreate,
    UnitAccount,
)
from services.billing.commands import accounts, ledger, receipt_pdf
from services.billing.commands.fee_items import find_estate
from services.billing.domain.balances import GENERAL
from services.billing.domain.bills import outstanding
from services.billing.domain.periods import parse_period
from shared.documents import to_public
from shared.idempotency import IdempotencyKey
from shared.money import fen_to_text
from shared.pagination import Page, PageQuery, fetch_page
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["payments"])
PDF = "application/pdf"


@router.post("/payments", status_code=201, response_model=PaymentPublic)
async def take_payment(body: PaymentCreate, principal: Clerks, *, database: DatabaseDep,
                       idempotency_key: IdempotencyKey = None) -> dict:
    """Pays the named lines, or the oldest open lines first; the rest goes to the general prepaid balance (预存).
    A top-up (`top_up`) pays no lines and credits the electricity balance of the unit's prepaid meter, which
    only its metered electricity lines draw on (or the general balance when `balance_kind` names it)."""
    return await ledger.take_payment(database, principal, request=ledger.PaymentInput(**body.model_dump()),
                                     idempotency_key=idempotency_key)


async def _with_reversals(database, payments: list[dict]) -> list[dict]:
    reversals = {r["_id"]: r for r in await store.find_all(database, store.REVERSALS,
                                                            query={"_id": {"$in": [p["_id"] for p in payments]}})}
    return [ledger.payment_public(p, reversals.get(p["_id"])) for p in payments]


@router.get("/payments/{payment_id}", response_model=PaymentPublic)
async def get_payment(payment_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    return (await _with_reversals(database, [await ledger.find_payment(database, principal, payment_id=payment_id)]))[0]


@router.get("/payments", response_model=Page[PaymentPublic])
async def list_payments(estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
                        unit_id: str | None = None) -> Page:
    await find_estate(database, principal, estate_id=estate_id)
    query = {**principal.estate_filter(), "estate_id": estate_id, **({"unit_id": unit_id} if unit_id else {})}
    documents, cursor = await fetch_page(database.db[store.PAYMENTS], query, page=page)
    return Page(items=await _with_reversals(database, documents), next_cursor=cursor)


@router.get("/payments/{payment_id}/receipt", response_class=HTMLResponse, responses={
    200: {"content": {"text/html": {}, PDF: {}}, "description": "the printable receipt"},
    503: {"content": {"application/problem+json": {}}, "description": "PDF asked for where Chromium is missing"}})
async def payment_receipt(payment_id: str, principal: Readers, *, database: DatabaseDep, request: Request,
                          format: Annotated[Literal["html", "pdf"] | None, Query(
                              description="html (the default) or pdf; `Accept: application/pdf` also asks "
                                          "for the PDF")] = None) -> Response:
    """收据: an HTML page with print styles (A5), the amount also in capital numerals (大写); as a PDF,
    the same page printed by headless Chromium."""
    if format == "pdf" or (format is None and PDF in request.headers.get("accept", "")):
        pdf = await receipt_pdf.receipt_pdf(database, principal, payment_id=payment_id,
                                            settings=request.app.state.settings)
        return Response(pdf, media_type=PDF,
                        headers={"Content-Disposition": f'inline; filename="receipt-{payment_id}.pdf"'})
    return HTMLResponse(await accounts.receipt_page(database, principal, payment_id=payment_id))


@router.post("/payments/{payment_id}/reversal", response_model=PaymentPublic)
async def reverse_payment(payment_id: str, body: ReversalCreate, *, principal: Clerks, database: DatabaseDep) -> dict:
    """冲正: a new entry that undoes the payment (its lines open again, its prepaid part withdrawn)."""
    return await ledger.reverse_payment(database, principal, payment_id=payment_id,
                                        request=ledger.ReversalInput(**body.model_dump()))


@router.get("/units", response_model=Page[BilledUnit])
async def list_units(estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery) -> Page:
    """The units billing knows (from intake's directory), with the day their billing starts."""
    await find_estate(database, principal, estate_id=estate_id)
    documents, cursor = await fetch_page(database.db[store.UNITS],
                                         {**principal.estate_filter(), "estate_id": estate_id}, page=page,
                                         newest_first=False)
    return Page(items=[to_public(BilledUnit, d) for d in documents], next_cursor=cursor)


@router.get("/units/{unit_id}/account", response_model=UnitAccount)
async def unit_account(unit_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    unit = await ledger.find_unit(database, principal, unit_id=unit_id)
    lines = await store.find_all(database, store.BILL_LINES,
                                 query={"unit_id": unit_id, "status": {"$in": list(store.OPEN_STATUSES)}},
                                 sort=[("due_date", 1), ("period", 1), ("_id", 1)])
    balances = await store.balances_of(database, unit_id)
    return {"unit_id": unit_id, **{k: unit.get(k) for k in ("estate_id", "building_name", "number", "kind",
                                                              "area_m2", "billing_starts_on")},
            "balance": fen_to_text(balances[GENERAL]),
            "balances": {kind: fen_to_text(fen) for kind, fen in balances.items()},
            "arrears": fen_to_text(sum(outstanding(line) for line in lines)),
            "open_lines": [accounts.line_public(line) for line in lines]}


@router.get("/units/{unit_id}/reconciliation", response_model=Reconciliation)
async def reconcile_unit(unit_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    await ledger.find_unit(database, principal, unit_id=unit_id)
    return await accounts.reconcile(database, {"unit_id": unit_id})


@router.get("/estates/{estate_id}/reconciliation", response_model=Reconciliation)
async def reconcile_estate(estate_id: str, principal: Readers, *, database: DatabaseDep) -> dict:
    await find_estate(database, principal, estate_id=estate_id)
    return await accounts.reconcile(database, {"estate_id": estate_id})


@router.get("/estates/{estate_id}/arrears", response_model=ArrearsReport)
async def estate_arrears(estate_id: str, principal: Readers, *, database: DatabaseDep, as_of: AsOf) -> dict:
    """Open amounts on `as_of`: current (当期) vs older (陈欠), aged 1–30/31–90/91–180/181–365/>365 days."""
    await find_estate(database, principal, estate_id=estate_id)
    return await accounts.arrears(database, estate_id, as_of=as_of)


@router.get("/estates/{estate_id}/collection-rate", response_model=CollectionRate)
async def collection_rate(estate_id: str, principal: Readers, *, database: DatabaseDep, as_of: AsOf,
                          period: Annotated[str | None, Query(max_length=7, description="default: this month")] = None
                          ) -> dict:
    """收缴率 of a period: collected for its lines ÷ billed."""
    await find_estate(database, principal, estate_id=estate_id)
    return await accounts.collection_rate(database, estate_id,
                                          period_code=parse_period(period or f"{as_of:%Y-%m}").code)
