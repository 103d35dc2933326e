"""What a consumer's batch costs, whatever the machine's load: round trips and CPU per event by batch size.

`python -m bench.batches` starts its own database server and applies batches of events through the
consumer's own `apply_batch` (inbox, handlers, unit of work, commit), as dispatch and intake receive
them: `intake.ticket.opened` (dispatch makes the order, assigns it) and then `dispatch.workorder.created`
and `.assigned` (intake links and starts the ticket). It counts the commands sent while each batch is
applied, and the CPU of this process and of the database server. The same file runs against any
checkout whose consumers take `Delivery` batches, so before and after are measured alike, in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import structlog
from pymongo import AsyncMongoClient, monitoring

from devstack.infra import free_port, mongo_url, secantusdb
from services.dispatch import handlers as dispatch_handlers
from services.dispatch import store as dispatch_store
from services.intake import handlers as intake_handlers
from shared.consumer import BATCHED, Consumer, Delivery, typed
from shared.db import Database, outbox_envelope
from shared.envelope import new_id, utcnow
from shared.events import TicketOpened, envelope_for
from shared.settings import ServiceSettings

ESTATE, COMPANY = "bench-batches", "bench-company"
TICKS = os.sysconf("SC_CLK_TCK")


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent[event.command_name] += 1

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICKS


def deliveries(consumer: Consumer, envelopes) -> list[Delivery]:
    batch = []
    for envelope in envelopes:
        handler = consumer.handler_for(envelope.routing_key)
        events = [typed(envelope)] if getattr(handler, BATCHED, False) else None
        # No message: nothing to acknowledge.
        batch.append(Delivery(None, envelope, handler, None, parts=[envelope], events=events))
    return batch


async def apply(consumer: Consumer, envelopes, commands: Commands, server_pid: int) -> dict:
    batch = deliveries(consumer, envelopes)
    commands.sent.clear()
    started, server = time.process_time(), cpu_s(server_pid)
    await consumer.apply_batch(batch)
    return {"round_trips": sum(commands.sent.values()), "by_command": dict(commands.sent),
            "cpu_ms": (time.process_time() - started + cpu_s(server_pid) - server) * 1000}


async def measure(url: str, server_pid: int, sizes: list[int], rounds: int) -> dict:
    commands = Commands()
    client = AsyncMongoClient(url, tz_aware=True, event_listeners=[commands])
    settings = ServiceSettings(service_name="bench-batches", mongo_url=url, amqp_url="amqp://unused")
    results: dict = {"dispatch": {}, "intake": {}}
    for size in sizes:
        totals = {"dispatch": Counter(), "intake": Counter()}
        name = f"batches_{size}"
        database = Database(client, name)
        await dispatch_store.ensure_indexes(database)
        await database.db[dispatch_store.STAFF].insert_many([
            {"_id": f"engineer-{n}", "estate_id": ESTATE, "company_id": COMPANY, "name": f"工程{n}",
             "department": "engineering", "position": "staff", "on_duty": True, "open_orders": 0}
            for n in range(3)])
        dispatch = Consumer(queue="dispatch", handlers=dispatch_handlers.HANDLERS, database=database,
                            settings=settings)
        intake = Consumer(queue="intake", handlers=intake_handlers.HANDLERS, database=database, settings=settings)
        for round_ in range(rounds + 1):  # the first warms this process's copies (settings, policies) up
            costs = await _one_batch(database, dispatch, intake, size, commands, server_pid)
            if round_:
                for service, cost in costs.items():
                    totals[service].update(cost)
        await client.drop_database(name)
        for service in totals:
            events = totals[service]["events"]
            results[service][size] = {"round_trips_per_event": round(totals[service]["round_trips"] / events, 2),
                                      "cpu_ms_per_event": round(totals[service]["cpu_ms"] / events, 2)}
    await client.close()
    return results


async def _one_batch(database: Database, dispatch: Consumer, intake: Consumer, size: int, commands: Commands,
                     server_pid: int) -> dict[str, dict]:
    """`size` tickets opened (dispatch's batch), then their orders' created and assigned events (intake's)."""
    now = utcnow()
    opened = [envelope_for(TicketOpened(
        ticket_id=new_id(), number=f"DH-{n}", category="repair", priority="P3", scope="in_unit",
        description="水龙头漏水", channel="hotline", promised_reply_at=now, opened_at=now),
        subject="t", company_id=COMPANY, estate_id=ESTATE) for n in range(size)]
    await database.db["tickets"].insert_many([
        {"_id": e.data["ticket_id"], "estate_id": ESTATE, "company_id": COMPANY, "number": e.data["number"],
         "category": "repair", "status": "open", "version": 1, "history": [], "opened_at": now} for e in opened])
    await database.db["outbox"].delete_many({})
    dispatched = await apply(dispatch, opened, commands, server_pid)
    made = [outbox_envelope(document) for document in
            await database.db["outbox"].find().sort("_id", 1).to_list(None)]
    orders = [e for e in made if e.routing_key in ("dispatch.workorder.created", "dispatch.workorder.assigned")]
    followed = await apply(intake, orders, commands, server_pid)
    return {"dispatch": {"round_trips": dispatched["round_trips"], "cpu_ms": dispatched["cpu_ms"], "events": size},
            "intake": {"round_trips": followed["round_trips"], "cpu_ms": followed["cpu_ms"], "events": len(orders)}}


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    parser = argparse.ArgumentParser(prog="python -m bench.batches")
    parser.add_argument("--sizes", default="1,8,64")
    parser.add_argument("--rounds", type=int, default=3, help="batches measured per size (after one to warm up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="estatedesk-batches-") as folder:
        server = secantusdb(Path(folder), port=free_port()).start()
        try:
            results = asyncio.run(measure(mongo_url(server.port), server.process.pid,
                                          [int(size) for size in args.sizes.split(",")], args.rounds))
        finally:
            server.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
