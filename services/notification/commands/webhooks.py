"""Webhook subscriptions of integrators: kept, changed, rotated; every subscribed event becomes a delivery."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime, timedelta
from typing import Any

from services.notification.domain import webhooks as rules
from services.notification.store import amqp_subscriptions as amqp_store
from services.notification.store import webhooks as store
from shared.auth import Principal
from shared.consumer import Event, batched
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.lookup import found

# Set by the dispatcher of this process: new deliveries wake it instead of waiting for its next poll.
wake_dispatcher: list[asyncio.Event] = []


async def resolve(host: str) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


async def check_target(url: str, *, allow_private: bool) -> None:
    """Form and address of a webhook URL: at subscription and again before every delivery."""
    host = rules.check_url_form(url)
    rules.check_addresses(host, await resolve(host), allow_private=allow_private)


async def check_estates(principal: Principal, estate_ids: list[str]) -> None:
    for index, estate_id in enumerate(estate_ids):
        try:
            await principal.require_estate(estate_id)
        except Exception as error:  # an estate not theirs is as unknown as one that does not exist
            raise InvalidInput(f"estate {estate_id} is not one of yours", field=f"estate_ids.{index}") from error


async def create(database: Database, principal: Principal, *, request: dict[str, Any],
                 allow_private: bool) -> dict[str, Any]:
    await check_estates(principal, request["estate_ids"])
    rules.check_patterns(request["event_types"])
    await check_target(request["url"], allow_private=allow_private)
    now = utcnow()
    subscription = {
        "_id": new_id(), "company_id": principal.company_id, "owner_id": principal.user_id,
        "url": request["url"], "description": request.get("description") or "",
        "event_types": request["event_types"], "estate_ids": sorted(set(request["estate_ids"])),
        "secrets": [{"secret": rules.new_secret(), "created_at": now, "expires_at": None}],
        "status": "active", "disabled_reason": None, "failing_since": None, "last_success_at": None,
        "version": 1, "created_at": now, "updated_at": now,
    }
    await store.insert_subscription(database, subscription)
    return subscription


async def find(database: Database, principal: Principal, *, webhook_id: str) -> dict[str, Any]:
    return found(await store.find_subscription(database, principal, webhook_id=webhook_id), "webhook subscription")


async def change(database: Database, principal: Principal, *, webhook_id: str, changes: dict[str, Any],
                 version: int | None, allow_private: bool) -> dict[str, Any]:
    await find(database, principal, webhook_id=webhook_id)
    if "estate_ids" in changes:
        await check_estates(principal, changes["estate_ids"])
        changes["estate_ids"] = sorted(set(changes["estate_ids"]))
    if "event_types" in changes:
        rules.check_patterns(changes["event_types"])
    if "url" in changes:
        await check_target(changes["url"], allow_private=allow_private)
    if "enabled" in changes:  # enabling again starts a fresh count of failing days
        enabled = changes.pop("enabled")
        changes.update({"status": "active", "disabled_reason": None, "failing_since": None} if enabled
                       else {"status": "disabled", "disabled_reason": "disabled by its owner"})
    updated = await store.update_subscription(database, webhook_id, version=version,
                                              changes={**changes, "updated_at": utcnow()})
    if updated is None:
        raise Conflict("the subscription was changed meanwhile: read it again", field="If-Match")
    return updated


async def delete(database: Database, principal: Principal, *, webhook_id: str, version: int | None) -> None:
    await find(database, principal, webhook_id=webhook_id)
    if not await store.delete_subscription(database, webhook_id, version=version):
        raise Conflict("the subscription was changed meanwhile: read it again", field="If-Match")


async def rotate_secret(database: Database, principal: Principal, *, webhook_id: str, overlap: timedelta,
                        version: int | None) -> tuple[dict[str, Any], str]:
    subscription = await find(database, principal, webhook_id=webhook_id)
    secret = rules.new_secret()
    secrets = rules.rotated(subscription["secrets"], secret, now=utcnow(), overlap=overlap)
    updated = await store.update_subscription(database, webhook_id, version=version,
                                              changes={"secrets": secrets, "updated_at": utcnow()})
    if updated is None:
        raise Conflict("the subscription was changed meanwhile: read it again", field="If-Match")
    return updated, secret


async def resend(database: Database, principal: Principal, *, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    await find(database, principal, webhook_id=webhook_id)
    query = {"_id": delivery_id, "subscription_id": webhook_id, "claim_until": {"$lte": utcnow()}}
    delivery = await database.db[store.DELIVERIES].find_one({"_id": delivery_id, "subscription_id": webhook_id})
    found(delivery, "delivery")
    if not await store.requeue(database, query, now=utcnow()):
        raise Conflict("this delivery is being attempted right now; try again in a moment")
    _wake()
    return found(await database.db[store.DELIVERIES].find_one({"_id": delivery_id}), "delivery")


async def recover(database: Database, principal: Principal, *, webhook_id: str, since: datetime) -> int:
    """Every failed delivery of the subscription since `since`, sent again."""
    await find(database, principal, webhook_id=webhook_id)
    count = await store.requeue(
        database, {"subscription_id": webhook_id, "status": store.FAILED, "created_at": {"$gte": since}}, now=utcnow())
    _wake()
    return count


def _wake() -> None:
    for event in wake_dispatcher:
        event.set()


@batched
async def fan_out(uow: UnitOfWork, events: list[Event[Any]]) -> None:
    """Every event a subscription wants becomes one delivery: one read of the subscriptions (cached), one
    insert of the batch's deliveries."""
    subscriptions = [*((s, "http") for s in await store.active_subscriptions(uow)),
                     *((s, "amqp") for s in await amqp_store.active(uow))]
    if not subscriptions:
        return
    now = utcnow()
    for event in events:
        envelope = event.envelope
        body = None
        for subscription, transport in subscriptions:
            if not rules.wants(subscription, envelope.routing_key, company_id=envelope.companyid,
                               estate_id=envelope.estateid):
                continue
            body = body or envelope.model_dump_json()
            uow.add(store.DELIVERIES, {
                "_id": new_id(), "subscription_id": subscription["_id"], "transport": transport,
                "company_id": envelope.companyid,
                "estate_id": envelope.estateid, "event_id": envelope.id, "event_type": envelope.type,
                "subject": envelope.subject, "event_time": envelope.time,
                "event_order": rules.event_order(envelope.time, envelope.id),
                "lane": rules.lane_of(subscription["_id"], envelope.subject, event_id=envelope.id),
                "body": body, "status": store.PENDING, "attempts": 0, "step": 0, "next_attempt_at": now,
                "claim_until": now, "claimed_by": None, "last_status_code": None, "reason": None,
                "created_at": now, "delivered_at": None,
            })
    uow.after_commit.append(_wake)
