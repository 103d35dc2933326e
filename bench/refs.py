"""The references measured in the same run: HTTP no-op, raw insert_one, confirmed publish."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import aio_pika
from pymongo import AsyncMongoClient
from ulid import ULID

from bench.results import Figure
from bench.wrk import run_wrk
from devstack.infra import ServerProcess, free_port
from devstack.stack import REPO, Stack, wait_until_ready


def http_noop(stack: Stack, workdir: Path, token: str, estate_id: str, *, seconds: float, connections: int) -> Figure:
    """Requests/s of the no-op server, driven like intake by the same generator (wrk)."""
    port = free_port()
    server = ServerProcess("http-noop", [sys.executable, "-m", "bench.noop"], port, workdir,
                           {"HTTP_PORT": str(port), "PYTHONPATH": str(REPO)})
    server.start()
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=30, process=server)
        result = run_wrk(f"http://127.0.0.1:{port}/v1/contacts", estate=estate_id, token=token, prefix="noop",
                         seconds=seconds, connections=connections, workdir=workdir)
    finally:
        server.stop()
    return Figure("ref.http_noop", result["accepted_per_s"], "req/s", detail={**result, "driven_by": "wrk"})


async def _inserts(url: str, count: int, seconds: float, warmup: int = 50) -> tuple[int, float]:
    """One client awaiting one insert_one after another, in a fresh database."""
    client = AsyncMongoClient(url)
    name = f"bench_ref_{str(ULID()).lower()[-10:]}"
    try:
        collection = client[name]["inserts"]
        for n in range(warmup):
            await collection.insert_one({"_id": f"warm-{n}", "kind": "warm-up"})
        done, started = 0, time.perf_counter()
        deadline = started + seconds
        while done < count and time.perf_counter() < deadline:
            await collection.insert_one({
                "_id": str(ULID()), "estate_id": "bench-ref", "channel": "hotline", "seq": done,
                "summary": "来电报修：卫生间漏水", "logged_at": time.time(),
            })
            done += 1
        return done, time.perf_counter() - started
    finally:
        try:
            await client.drop_database(name)
        finally:
            await client.close()


def db_insert_one(stack: Stack, *, count: int = 2000, seconds: float = 8.0) -> Figure:
    """Single-document inserts/s into intake's database server (SecantusDB, as the stack runs it)."""
    done, elapsed = asyncio.run(_inserts(stack.mongo_url_of("intake"), count, seconds))
    return Figure("ref.db_insert_one", done / elapsed, "inserts/s", detail={"inserts": done, "seconds": round(elapsed, 2)})


async def _publishes(url: str, count: int, seconds: float, size: int = 512, warmup: int = 50) -> tuple[int, float]:
    """Persistent 512 B messages to a quorum queue, each publish awaited until confirmed."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        queue = await channel.declare_queue(f"bench.ref.{ULID()}", durable=True, arguments={"x-queue-type": "quorum"})
        body = b"x" * size

        async def publish() -> None:
            message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await channel.default_exchange.publish(message, routing_key=queue.name)

        for _ in range(warmup):
            await publish()
        done, started = 0, time.perf_counter()
        deadline = started + seconds
        while done < count and time.perf_counter() < deadline:
            await publish()
            done += 1
        elapsed = time.perf_counter() - started
        await queue.delete(if_unused=False, if_empty=False)
        return done, elapsed
    finally:
        await connection.close()


def amqp_publish_confirmed(stack: Stack, *, count: int = 2000, seconds: float = 8.0) -> Figure:
    """Confirmed persistent publishes/s to a quorum queue on the stack's broker."""
    done, elapsed = asyncio.run(_publishes(stack.amqp, count, seconds))
    return Figure("ref.amqp_publish_confirmed", done / elapsed, "msgs/s",
                  detail={"publishes": done, "seconds": round(elapsed, 2), "bytes": 512})


def load_summary(result: dict) -> dict:
    """What a load run says besides its rate."""
    keep = ("sent", "accepted", "statuses", "elapsed_s", "p50_ms", "p95_ms", "p99_ms")
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items() if k in keep}
