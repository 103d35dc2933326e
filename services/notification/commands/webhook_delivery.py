"""Delivering webhooks: each replica claims due deliveries with a lease and sends them, one at a time per
lane (subscription and subject), many lanes at once.

A delivery is attempted only while it is the first pending one of its lane, by the time its event
happened; those behind it wait until it is delivered or given up. A claim is an atomic update of the
delivery (`claim_until` in the future, `claimed_by` this process), so two replicas never send the same
attempt at once. Every attempt is logged; its outcome, the delivery's next step and the events it causes
are written in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta
from typing import Any

import httpx
import structlog
from pymongo import UpdateOne

from services.notification.commands import webhooks as commands
from services.notification.domain import webhooks as rules
from services.notification.store import webhooks as store
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput
from shared.events import WebhookDelivered, WebhookDisabled, WebhookFailed

log = structlog.get_logger(__name__)
USER_AGENT = "EstateDesk-Webhooks/1.0"


class Transport:
    """How a delivery leaves: an HTTP POST (webhooks) or a publish to a queue (AMQP subscriptions)."""

    collection = store.WEBHOOKS  # where its subscriptions are kept

    async def subscription(self, database: Database, delivery: dict[str, Any]) -> dict[str, Any] | None:
        return await database.db[self.collection].find_one({"_id": delivery["subscription_id"]})

    async def close(self) -> None:
        pass

    async def send(self, subscription: dict[str, Any], delivery: dict[str, Any]) -> tuple[int | None, str, str | None]:
        """(status code or None, response excerpt or error, Retry-After)."""
        raise NotImplementedError


class HttpTransport(Transport):
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.client = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False,
                                        limits=httpx.Limits(max_connections=settings.webhook_concurrency))

    async def send(self, subscription: dict[str, Any], delivery: dict[str, Any]) -> tuple[int | None, str, str | None]:
        try:  # again at delivery: the name may resolve elsewhere now than when it was subscribed
            await commands.check_target(subscription["url"], allow_private=self.settings.webhook_allow_private_targets)
        except InvalidInput as refused:
            return None, f"refused: {refused.detail}", None
        # The receiver checks the timestamp against its own clock: the machine's, not the platform's.
        timestamp = int(time.time())
        body = delivery["body"]
        signing = rules.secrets_in_force(subscription["secrets"], utcnow())
        headers = {
            "content-type": "application/cloudevents+json", "user-agent": USER_AGENT,
            "webhook-id": delivery["_id"], "webhook-timestamp": str(timestamp),
            "webhook-signature": rules.signature_header(signing, delivery["_id"], timestamp=timestamp, body=body),
        }
        try:
            response = await self.client.post(subscription["url"], content=body.encode(), headers=headers)
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[: rules.EXCERPT_CHARS], None
        return response.status_code, rules.excerpt(response.text), response.headers.get("retry-after")

    async def close(self) -> None:
        await self.client.aclose()


class Dispatcher:
    def __init__(self, database: Database, settings: Any, *, transports: dict[str, Transport]) -> None:
        self.database = database
        self.settings = settings
        self.transports = transports
        self.scale = settings.webhook_schedule_scale
        self.lease = timedelta(seconds=settings.webhook_timeout_s + 30)
        self.recheck = timedelta(seconds=settings.webhook_lane_recheck_s)
        self.lanes_in_flight: set[str] = set()
        self.tasks: set[asyncio.Task] = set()
        self.wake = asyncio.Event()

    async def run(self) -> None:
        commands.wake_dispatcher.append(self.wake)
        try:
            while True:
                self.wake.clear()
                try:
                    await self.disable_failing_too_long()
                    await self.one_pass()
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # the database away for a moment: the next pass catches up
                    log.warning("webhook pass failed", error=repr(error))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=self.settings.webhook_poll_interval_s)
        finally:
            commands.wake_dispatcher.remove(self.wake)
            for task in self.tasks:
                task.cancel()

    async def one_pass(self) -> None:
        room = self.settings.webhook_concurrency - len(self.tasks)
        if room <= 0:
            return
        now = utcnow()
        due = await store.due_deliveries(self.database, now, limit=max(2 * room, 100))
        if not due:
            return
        heads = rules.heads_of_lanes(await store.pending_in_lanes(self.database, sorted({d["lane"] for d in due})))
        behind: dict[Any, list[str]] = {}
        wanted: list[str] = []
        for delivery in due:
            head = heads.get(delivery["lane"])
            if head is None:
                continue
            if head["_id"] != delivery["_id"]:  # its lane's earlier event goes first
                waiting = head["next_attempt_at"] > now
                behind.setdefault(head["next_attempt_at"] if waiting else now + self.recheck, []).append(
                    delivery["_id"])
            elif len(wanted) < room and delivery["lane"] not in self.lanes_in_flight:
                wanted.append(delivery["_id"])
        for until, delivery_ids in behind.items():
            await store.wait_behind(self.database, delivery_ids, until=until)
        if not wanted:
            return
        # Another replica may win some of them: each attempt is made by the one claim that took it.
        for claimed in await store.claim(self.database, wanted, claim_id=new_id(), now=now, until=now + self.lease):
            self.lanes_in_flight.add(claimed["lane"])
            task = asyncio.create_task(self.attempt(claimed))
            self.tasks.add(task)
            task.add_done_callback(self._finished(claimed["lane"]))

    def _finished(self, lane: str):
        def done(task: asyncio.Task) -> None:
            self.tasks.discard(task)
            self.lanes_in_flight.discard(lane)
            self.wake.set()  # the lane's next delivery may go now
            if not task.cancelled() and task.exception() is not None:
                log.warning("webhook attempt failed to record", error=repr(task.exception()))
        return done

    async def attempt(self, delivery: dict[str, Any]) -> None:
        transport = self.transports[delivery.get("transport", "http")]
        subscription = await transport.subscription(self.database, delivery)
        started = utcnow()
        clock = time.monotonic()
        if subscription is None or subscription["status"] != "active":
            status, text, asked = None, "the subscription is disabled or gone", None
            result = rules.Outcome(give_up=True)
        else:
            status, text, asked = await transport.send(subscription, delivery)
            result = rules.outcome(delivery["step"], status, retry_after_header=asked)
        duration_ms = round((time.monotonic() - clock) * 1000, 1)
        # Attempts that end together are recorded in one commit (group commit).
        await self.database.grouped_transaction(
            lambda uow: self.record(uow, subscription, delivery=delivery, result=result, started=started,
                                    duration_ms=duration_ms, status=status, text=text))

    async def record(self, uow: UnitOfWork, subscription: dict[str, Any] | None, *, delivery: dict[str, Any],
                     result: rules.Outcome, started, duration_ms: float, status: int | None, text: str) -> None:
        now = utcnow()
        next_at = now + result.retry_in * self.scale if result.retry_in is not None else None
        verdict = ("delivered" if result.delivered else "disabled" if result.disable
                   else "failed" if result.give_up else "retrying")
        uow.add(store.ATTEMPTS, {
            "_id": new_id(), "delivery_id": delivery["_id"], "subscription_id": delivery["subscription_id"],
            "company_id": delivery["company_id"], "estate_id": delivery["estate_id"],
            "event_id": delivery["event_id"], "event_type": delivery["event_type"], "subject": delivery["subject"],
            "attempt": delivery["attempts"], "step": delivery["step"], "started_at": started,
            "finished_at": now, "duration_ms": duration_ms, "status_code": status, "outcome": verdict,
            "response_excerpt": text, "next_attempt_at": next_at,
        })
        mine = {"_id": delivery["_id"], "claimed_by": delivery["claimed_by"]}
        if result.retry_in is not None:
            changes = {"next_attempt_at": next_at, "claim_until": now, "last_status_code": status}
        elif result.delivered:
            changes = {"status": store.DELIVERED, "delivered_at": now, "claim_until": now, "last_status_code": status}
        else:
            changes = {"status": store.FAILED, "claim_until": now, "last_status_code": status,
                       "reason": "the endpoint answered 410 Gone" if result.disable else text}
        outcomes = self._outcomes(uow)
        outcomes["deliveries"].append(UpdateOne(mine, {"$set": changes}))
        if next_at is None:
            outcomes["lanes"].add(delivery["lane"])
        if subscription is None:
            return
        collection = self.transports[delivery.get("transport", "http")].collection
        scope = {"company_id": delivery["company_id"], "estate_id": delivery["estate_id"]}
        if result.delivered:
            outcomes["subscriptions"].setdefault(collection, []).append(UpdateOne(
                {"_id": subscription["_id"], "failing_since": {"$ne": None}}, {"$set": {"failing_since": None}}))
            uow.emit(WebhookDelivered(subscription_id=subscription["_id"], delivery_id=delivery["_id"],
                                      event_id=delivery["event_id"], event_type=delivery["event_type"],
                                      attempt=delivery["attempts"], status_code=status or 0),
                     subject=delivery["_id"], **scope)
            return
        outcomes["subscriptions"].setdefault(collection, []).append(UpdateOne(
            {"_id": subscription["_id"], "failing_since": None}, {"$set": {"failing_since": now}}))
        if result.give_up:
            uow.emit(WebhookFailed(subscription_id=subscription["_id"], delivery_id=delivery["_id"],
                                   event_id=delivery["event_id"], event_type=delivery["event_type"],
                                   attempts=delivery["step"], last_status_code=status,
                                   reason="410 Gone" if result.disable else "every attempt of the schedule failed"),
                     subject=delivery["_id"], **scope)
        if result.disable:
            await disable(uow, subscription, reason="the endpoint answered 410 Gone", collection=collection)

    @staticmethod
    def _outcomes(uow: UnitOfWork) -> dict[str, Any]:
        """The writes of every attempt recorded in this transaction, made together as it commits: one
        bulk write per collection however many attempts a group commit records."""
        if "webhook_outcomes" not in uow.held:
            outcomes: dict[str, Any] = {"deliveries": [], "lanes": set(), "subscriptions": {}}
            uow.held["webhook_outcomes"] = outcomes

            async def write() -> None:
                if outcomes["deliveries"]:
                    await uow.db[store.DELIVERIES].bulk_write(outcomes["deliveries"], session=uow.session)
                if outcomes["lanes"]:
                    await store.release_lanes(uow, sorted(outcomes["lanes"]), now=utcnow())
                for collection, updates in outcomes["subscriptions"].items():
                    await uow.db[collection].bulk_write(updates, session=uow.session)

            uow.before_commit("webhook_outcomes", write)
        return uow.held["webhook_outcomes"]

    async def disable_failing_too_long(self) -> None:
        before = utcnow() - rules.DISABLE_AFTER * self.scale
        for subscription in await store.failing_too_long(self.database, before):
            reason = f"its endpoint failed for {rules.DISABLE_AFTER.days} days without one success"
            await self.database.transaction(
                lambda uow, s=subscription, r=reason: disable(uow, s, reason=r, collection=store.WEBHOOKS))


async def disable(uow: UnitOfWork, subscription: dict[str, Any], *, reason: str, collection: str) -> None:
    """Disable a subscription, give up its pending deliveries and tell its owner."""
    result = await uow.db[collection].update_one(
        {"_id": subscription["_id"], "status": "active"},
        {"$set": {"status": "disabled", "disabled_reason": reason, "updated_at": utcnow()}, "$inc": {"version": 1}},
        session=uow.session)
    if result.modified_count == 0:  # disabled already, by another replica or its owner
        return
    store.forget_active()
    await store.fail_pending(uow, subscription["_id"], reason=f"subscription disabled: {reason}")
    failing_since = subscription.get("failing_since")
    uow.emit(WebhookDisabled(subscription_id=subscription["_id"], owner_id=subscription["owner_id"],
                             url=subscription.get("url") or subscription.get("queue", ""), reason=reason,
                             failing_since=failing_since.isoformat() if failing_since else None),
             subject=subscription["_id"], company_id=subscription["company_id"],
             estate_id=subscription["estate_ids"][0])


async def run_webhook_dispatcher(database: Database, settings: Any) -> None:
    """The background task of every notification replica."""
    from services.notification.commands.amqp_subscriptions import AmqpTransport  # it builds on this module

    transports: dict[str, Transport] = {"http": HttpTransport(settings), "amqp": AmqpTransport(settings)}
    try:
        await Dispatcher(database, settings, transports=transports).run()
    finally:
        for transport in transports.values():
            with contextlib.suppress(Exception):
                await transport.close()
