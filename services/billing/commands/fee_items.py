"""Fee items of an estate: the defaults it starts with, new items, changes, and prices from a date.

A price is never edited: a new price is added with the day it is in force from, and bills use
the price in force at the start of the period they bill.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from services.billing import store
from services.billing.domain import fees, prepay
from services.billing.domain.late_fees import LateFeeRule
from services.billing.domain.periods import check_season
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.estates import ESTATES
from shared.idempotency import create_once


class LateFeeInput(BaseModel):
    enabled: bool = True
    daily_rate: str = "0.0005"
    grace_days: int = 15
    cap_ratio: str = "1"


class PriceInput(BaseModel):
    price: str
    valid_from: date
    tiers: list[dict[str, Any]] | None = None


class DiscountInput(BaseModel):
    kind: str  # percentage (打折) | vacant (空置房) | no_arrears (无欠费打折) | prepay (缴N送M)
    percent: str | None = None  # what is charged: "95" is 5% off (not for prepay)
    older_than_days: int = 0  # no_arrears (无欠费打折): no unpaid line overdue longer than this
    pay_months: int | None = None  # prepay: N months paid in advance …
    free_months: int | None = None  # … earn the M months after them free


class FeeItemInput(BaseModel):
    code: str
    name_zh: str
    name_en: str
    formula: fees.Formula
    cycle: fees.Cycle
    unit_kinds: list[str]
    due_day: int = 15
    season: dict[str, str] | None = None  # a yearly item's season (供暖季 11-15 to 03-15)
    late_fee: LateFeeInput = LateFeeInput()  # kept for old clients; late fees follow the estate's policy
    prices: list[PriceInput] = []
    discounts: list[DiscountInput] = []


class FeeItemChange(BaseModel):
    name_zh: str | None = None
    name_en: str | None = None
    unit_kinds: list[str] | None = None
    due_day: int | None = None
    season: dict[str, str] | None = None
    late_fee: LateFeeInput | None = None
    discounts: list[DiscountInput] | None = None


def _item_document(estate_id: str, company_id: str, *, fields: dict[str, Any], now) -> dict[str, Any]:
    return {"_id": new_id(), "estate_id": estate_id, "company_id": company_id, "late_fee": dict(fees.DEFAULT_LATE_FEE),
            "refundable": False, **fields, "version": 1, "created_at": now}


async def seed_defaults_of(uow: UnitOfWork, companies: dict[str, str]) -> None:
    """The usual items, for estates (their companies by estate id) that have none of them yet: a
    redelivered registration adds nothing. One read and one write for all of them."""
    if not companies:
        return
    existing = {(d["estate_id"], d["code"]) for d in await store.find_all(
        uow, store.FEE_ITEMS, query={"estate_id": {"$in": sorted(companies)}}, projection={"estate_id": 1, "code": 1})}
    now = utcnow()
    documents = [_item_document(estate_id, company_id, fields=dict(item), now=now)
                 for estate_id, company_id in companies.items() for item in fees.DEFAULT_ITEMS
                 if (estate_id, item["code"]) not in existing]
    if documents:
        await uow.db[store.FEE_ITEMS].insert_many(documents, ordered=True, session=uow.session)


def _check_price(formula: str, price: PriceInput, *, field: str) -> dict[str, Any]:
    fees.amount_in_fen(price.price, field=f"{field}.price")
    if formula == "one_off":
        raise InvalidInput("a one-off item has no price list: its amount comes with each charge", field=field)
    if formula == "metered":
        if not price.tiers:
            raise InvalidInput("a metered price has tiers", field=f"{field}.tiers")
        fees.check_tiers(price.tiers, field=f"{field}.tiers")
        for n, tier in enumerate(price.tiers):
            fees.amount_in_fen(str(tier.get("price")), field=f"{field}.tiers.{n}.price")
        tiers = [{"up_to": t.get("up_to"), "price": t["price"]} for t in price.tiers]
        return {"price": tiers[0]["price"], "valid_from": price.valid_from.isoformat(), "tiers": tiers}
    return {"price": price.price, "valid_from": price.valid_from.isoformat()}


def _discounts(discounts: list[dict[str, Any]], *, cycle: str) -> list[dict[str, Any]]:
    """Each rule with the fields of its kind only: a percent, or (缴N送M) N and M for a monthly item, once."""
    checked = []
    for n, rule in enumerate(discounts):
        if rule["kind"] != prepay.KIND:
            if rule.get("percent") is None:
                raise InvalidInput(f"a {rule['kind']} discount says what is charged", field=f"discounts.{n}.percent")
            checked.append({"kind": rule["kind"], "percent": rule["percent"],
                            "older_than_days": rule.get("older_than_days") or 0})
            continue
        for name in ("pay_months", "free_months"):
            if rule.get(name) is None:
                raise InvalidInput("缴N送M says how many months are paid and how many are free",
                                   field=f"discounts.{n}.{name}")
        if cycle != "monthly":
            raise InvalidInput(f"缴N送M counts months: the item is billed {cycle}", field=f"discounts.{n}.kind")
        if any(r["kind"] == prepay.KIND for r in checked):
            raise InvalidInput("an item has one 缴N送M rule at most", field=f"discounts.{n}.kind")
        checked.append({k: rule[k] for k in ("kind", "pay_months", "free_months")})
    return checked


def _check_item(fields: dict[str, Any], *, cycle: str) -> None:
    if unknown := set(fields.get("unit_kinds") or []) - set(fees.UNIT_KINDS):
        raise InvalidInput(f"unknown unit kinds: {sorted(unknown)}", field="unit_kinds")
    if "late_fee" in fields and fields["late_fee"] is not None:
        LateFeeRule.from_document(fields["late_fee"], prefix="late_fee.")
    if fields.get("discounts") is not None:
        fields["discounts"] = _discounts(fields["discounts"], cycle=cycle)
    if fields.get("season") is not None:
        if cycle != "yearly":
            raise InvalidInput(f"a season is billed once a year: the item is billed {cycle}", field="season")
        fields["season"] = check_season(fields["season"])


async def find_estate(database: Database, principal: Principal, *, estate_id: str) -> dict[str, Any]:
    await principal.require_estate(estate_id)
    estate = await store.find_one(database, ESTATES, query={"_id": estate_id, "company_id": principal.company_id})
    if estate is None:
        raise NotFound("estate")
    return estate


async def find_item(database: Database | UnitOfWork, principal: Principal, *, item_id: str) -> dict[str, Any]:
    item = await store.find_one(database, store.FEE_ITEMS, query={"_id": item_id, **principal.estate_filter()})
    if item is None:
        raise NotFound("fee item")
    return item


async def create_item(database: Database, principal: Principal, *, estate_id: str, request: FeeItemInput,
                      idempotency_key: str | None) -> dict[str, Any]:
    estate = await find_estate(database, principal, estate_id=estate_id)
    fields = request.model_dump(mode="json")
    _check_item(fields, cycle=request.cycle)
    fields["prices"] = [_check_price(request.formula, p, field=f"prices.{n}") for n, p in enumerate(request.prices)]
    document = _item_document(estate_id, estate["company_id"], fields=fields, now=utcnow())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await uow.db[store.FEE_ITEMS].insert_one(document, session=uow.session)
        return item_public(document)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work,
                             already_exists=Conflict(f"fee item {request.code} exists in this estate", field="code"))


async def change_item(database: Database, principal: Principal, *, item_id: str, request: FeeItemChange,
                      expected_version: int | None) -> dict[str, Any]:
    item = await find_item(database, principal, item_id=item_id)
    fields = {k: v for k, v in request.model_dump(mode="json", exclude_unset=True).items() if v is not None}
    if "late_fee" in fields:  # the whole rule, its defaults included (exclude_unset drops them inside too)
        fields["late_fee"] = request.late_fee.model_dump(mode="json")
    _check_item(fields, cycle=item["cycle"])
    version = item["version"] if expected_version is None else expected_version
    result = await database.db[store.FEE_ITEMS].update_one(
        {"_id": item_id, "version": version}, {"$set": fields, "$inc": {"version": 1}})
    if result.modified_count != 1:
        raise Conflict("the fee item changed meanwhile; read it again", field="If-Match")
    return item_public(await find_item(database, principal, item_id=item_id))


async def add_price(database: Database, principal: Principal, *, item_id: str, request: PriceInput) -> dict[str, Any]:
    item = await find_item(database, principal, item_id=item_id)
    price = _check_price(item["formula"], request, field="price")
    if any(p["valid_from"] == price["valid_from"] for p in item["prices"]):
        raise Conflict(f"a price from {price['valid_from']} exists; add one from another day", field="valid_from")
    result = await database.db[store.FEE_ITEMS].update_one(
        {"_id": item_id, "version": item["version"]}, {"$push": {"prices": price}, "$inc": {"version": 1}})
    if result.modified_count != 1:
        raise Conflict("the fee item changed meanwhile; try again")
    return item_public(await find_item(database, principal, item_id=item_id))


def item_public(document: dict[str, Any]) -> dict[str, Any]:
    keys = ("estate_id", "code", "name_zh", "name_en", "formula", "cycle", "unit_kinds", "due_day", "season",
            "late_fee", "refundable", "version")
    document = {"discounts": [], **document}
    return {"id": document["_id"], **{k: document.get(k) for k in keys}, "discounts": document["discounts"],
            "prices": sorted(document.get("prices", []), key=lambda p: p["valid_from"])}

