"""The deliverer: every replica claims due messages with a lease, sends them, records each attempt.

A claim leases due, unleased messages in one transaction, so two replicas never hold the same
message; the outcome is written only by the lease's holder, and only while the message
is still queued, so a message is never recorded twice. The lease outlasts a provider's timeout many
times over: a message is sent again only if its sender died before recording the outcome (the vendor
is given our message id as its idempotency token where it takes one: Aliyun's OutId, WeChat's
client_msg_id). A vendor account's rate limit is counted in the database, for all replicas together
(`commands.rate_limits`): what finds no window soon enough goes back to the queue.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

import structlog
from pymongo import UpdateOne

from services.notification import store
from services.notification.commands.drafting import sent_event
from services.notification.domain import delivery
from services.notification.domain.receipts import PROVIDERS as RECEIPT_PROVIDERS
from services.notification.commands import rate_limits
from services.notification.domain.rate import DEFAULT_RATE_PER_S, account_key
from services.notification.providers import Answer, Outgoing, Provider, registry
from services.notification.settings import NotificationSettings
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.events import MessageFailed
from shared.periodic import PeriodicJob

log = structlog.get_logger(__name__)


class Deliverer:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.owner = new_id()  # this process's name on its leases
        self.providers: dict[str, Provider] = registry(settings.provider_timeout_s)

    async def claim(self, database: Database) -> list[dict[str, Any]]:
        """Lease the next due messages to this process: one read, one update and one read back, in a
        transaction (the outcomes are written in transactions too; a write beside them outside one makes
        SecantusDB retry its conflict server-side without end). Two replicas racing for a message
        conflict, and the loser's transaction is retried without it."""
        now = utcnow()
        until = now + timedelta(seconds=self.settings.delivery_lease_s)
        due = {"status": "queued", "due_at": {"$lte": now}, "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}]}

        async def lease(uow: UnitOfWork) -> list[dict[str, Any]]:
            messages = uow.db[store.MESSAGES]
            size = self.settings.delivery_batch_size  # each read in one reply (a first batch is 101)
            ids = [m["_id"] for m in await messages.find(due, {"_id": 1}, session=uow.session).sort("due_at", 1)
                   .limit(size).batch_size(size).to_list(None)]
            if not ids:
                return []
            await messages.update_many({"_id": {"$in": ids}, **due},
                                       {"$set": {"lease_until": until, "lease_owner": self.owner}}, session=uow.session)
            return await messages.find({"_id": {"$in": ids}, "lease_owner": self.owner, "lease_until": until},
                                       session=uow.session).sort("due_at", 1).batch_size(size).to_list(None)

        return await database.transaction(lease)

    async def run_pass(self, database: Database, settings: NotificationSettings | None = None) -> int:
        claimed = await self.claim(database)
        if not claimed:
            return 0
        estates = {m["estate_id"] for m in claimed}
        accounts = {e: d.get("channels", {}) for e,
                    d in (await _by_ids(database, store.CHANNEL_SETTINGS, ids=estates)).items()}
        vendors = await _vendor_templates(database, claimed)
        turns = await self._turns(database, claimed, accounts=accounts)
        sending = [m for m in claimed if m["_id"] in turns]  # the others went back to the queue
        outcomes = await asyncio.gather(*(self._send(m, accounts, vendors=vendors, at=turns[m["_id"]])
                                          for m in sending))
        await database.transaction(lambda uow: self._record(uow, list(zip(sending, outcomes, strict=True))))
        return len(claimed)

    def _route(self, message: dict, accounts: dict) -> tuple[str, dict, Provider]:
        """The message's current channel, the estate's account on it, and that account's provider."""
        channel = message["channels"][message["channel_index"]]
        account = (accounts.get(message["estate_id"]) or {}).get(channel) or {"provider": "local"}
        return channel, account, self.providers.get(account["provider"], self.providers["local"])

    async def _turns(self, database: Database, claimed: list[dict], *, accounts: dict) -> dict[str, float]:
        """When each claimed message may go (machine time): at once on `local`, else in a window of its
        provider account's rate limit, counted with every replica's sends (`commands.rate_limits`)."""
        now = time.time()
        turns: dict[str, float] = {}
        groups: dict[str, list[str]] = defaultdict(list)
        rates: dict[str, float] = {}
        for message in claimed:
            _, account, provider = self._route(message, accounts)
            if provider.name == "local":  # stored, not sent: no vendor to overwhelm
                turns[message["_id"]] = now
                continue
            key = account_key(provider.name, account, estate_id=message["estate_id"])
            groups[key].append(message["_id"])
            rates[key] = account.get("rate_per_s") or DEFAULT_RATE_PER_S.get(provider.name, 10.0)
        for key, ids in groups.items():
            turns.update(await rate_limits.reserve(database, key=key, rate_per_s=rates[key], message_ids=ids,
                                                   owner=self.owner, now=now))
        return turns

    async def _send(self, message: dict, accounts: dict, *, vendors: dict, at: float) -> tuple[str, str, Answer]:
        channel, account, provider = self._route(message, accounts)
        if (wait := at - time.time()) > 0:
            await asyncio.sleep(wait)
        outgoing = Outgoing(
            message_id=message["_id"], channel=channel, address=message.get("address") or {},
            subject=message.get("subject"), body=message["body"], variables=message.get("variables") or {},
            vendor=vendors.get((message["estate_id"], message["template"], channel, message.get("language", "zh")))
            or vendors.get((message["estate_id"], message["template"], channel, "zh")),
            recipient_id=message["recipient_id"],
        )
        try:
            answer = await provider.send(outgoing, account)
        except Exception as error:  # noqa: BLE001 — a provider's bug must not lose the message: it is an attempt that failed
            answer = Answer(ok=False, answer={"error": repr(error)})
        return channel, provider.name, answer

    async def _record(self, uow: UnitOfWork, outcomes: list[tuple[dict, tuple[str, str, Answer]]]) -> None:
        now = utcnow()
        for message, (channel, provider, answer) in outcomes:
            step = delivery.after_attempt(
                succeeded=answer.ok, permanent=answer.permanent, channel_index=message["channel_index"],
                tries_on_channel=message["tries_on_channel"], channels=len(message["channels"]),
                retry_delays_s=self.settings.delivery_retry_delays_s, now=now)
            attempt = {"at": now, "status": "sent" if answer.ok else "failed", "channel": channel,
                       "provider": provider, "answer": answer.answer}
            changes: dict[str, Any] = {"status": step.status, "channel_index": step.channel_index,
                                       "tries_on_channel": step.tries_on_channel, "lease_until": None,
                                       "provider": provider}
            if step.status == "sent":
                changes.update(sent_at=now, channel=channel)
                if answer.vendor_id:
                    changes["vendor_message_id"] = answer.vendor_id
            elif step.status == "queued":
                changes["due_at"] = step.due_at
            result = await uow.db[store.MESSAGES].update_one(
                {"_id": message["_id"], "lease_owner": self.owner, "status": "queued"},
                {"$set": changes, "$push": {"attempts": attempt}}, session=uow.session)
            if result.modified_count != 1:
                log.warning("delivery outcome not recorded: the lease was lost", message_id=message["_id"])
                continue
            if step.status == "sent" and answer.vendor_id and provider in RECEIPT_PROVIDERS:
                # The vendor's delivery receipt names only its own id (commands.receipts); an upsert,
                # so that a vendor repeating an id cannot undo this whole transaction.
                uow.write(store.VENDOR_IDS, UpdateOne(
                    {"_id": store.vendor_id_key(provider, answer.vendor_id, estate_id=message["estate_id"])},
                    {"$set": {"message_id": message["_id"], "at": now}}, upsert=True))
            if message.get("announcement_id") and step.status != "queued":  # the announcement's progress
                moved = {"counts.queued": -1, f"counts.{step.status}": 1}
                if message.get("deferred"):
                    moved["counts.deferred"] = -1
                await uow.db[store.ANNOUNCEMENTS].update_one({"_id": message["announcement_id"]}, {"$inc": moved},
                                                             session=uow.session)
            recorded = {**message, **changes, "attempts": [*message["attempts"], attempt]}
            scope = {"subject": message["_id"], "company_id": message["company_id"], "estate_id": message["estate_id"]}
            if step.status == "sent":
                uow.emit(sent_event(recorded), **scope)
            elif step.status == "failed":
                uow.emit(MessageFailed(
                    message_id=message["_id"], recipient_id=message["recipient_id"], channels=message["channels"],
                    template=message["template"], source_event_id=message["source_event_id"],
                    attempts=sum(1 for a in recorded["attempts"] if a["status"] == "failed"),
                    last_error=str(answer.answer)[:500], announcement_id=message.get("announcement_id")), **scope)


async def _by_ids(database: Database, collection: str, *, ids: set[str]) -> dict[str, dict]:
    return {d["_id"]: d async for d in database.db[collection].find({"_id": {"$in": sorted(ids)}})}


async def _vendor_templates(database: Database, messages: list[dict]) -> dict[tuple, dict]:
    """The vendor templates (SMS, WeChat) of the claimed messages' estates and templates, in one read."""
    wanted = defaultdict(set)
    for m in messages:
        wanted[m["estate_id"]].add(m["template"])
    clauses = [{"estate_id": e, "name": {"$in": sorted(names)}, "vendor": {"$ne": None}} for e, names in wanted.items()]
    found = await database.db[store.TEMPLATES].find({"$or": clauses}).to_list(None)
    return {(d["estate_id"], d["name"], d["channel"], d["language"]): d["vendor"] for d in found}


def delivery_job(settings: NotificationSettings) -> PeriodicJob:
    deliverer = Deliverer(settings)
    return PeriodicJob(name="deliverer", run_pass=deliverer.run_pass,
                       interval_s=lambda s: s.delivery_poll_interval_s)


async def run_deliverer(database: Database, settings: NotificationSettings) -> None:
    """The service's background task: one deliverer per process, a pass every poll interval."""
    await delivery_job(settings)(database, settings)
