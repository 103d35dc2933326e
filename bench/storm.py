"""A call storm: 20,000 contacts from 64 clients as fast as intake accepts them, then the time
until the last of their work orders exists (quality.md `storm.drain_ratio`), with the peak
resident memory of every service process sampled throughout (`memory.rss_mb_max`)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from pymongo import AsyncMongoClient

from bench.load import run_load
from bench.results import Figure
from devstack.stack import Stack


class MemorySampler:
    """Peak VmRSS per service process (from /proc), sampled every `interval` seconds."""

    def __init__(self, stack: Stack, interval: float = 0.5) -> None:
        self.processes = {
            process.name: process.process.pid
            for replicas in stack.services.values() for process in replicas if process.process
        }
        self.peak_kb: dict[str, int] = dict.fromkeys(self.processes, 0)
        self.interval, self.stopping = interval, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            for name, pid in self.processes.items():
                self.peak_kb[name] = max(self.peak_kb[name], _rss_kb(pid))

    def __enter__(self) -> MemorySampler:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stopping.set()
        self.thread.join()


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def _drained(stack: Stack, estate_id: str, expected: int, timeout: float) -> tuple[float | None, dict]:
    """Poll dispatch's database until `expected` work orders of the estate exist; when, and the counts."""
    client = AsyncMongoClient(stack.mongo_url_of("dispatch"))
    try:
        orders = client["estatedesk_dispatch"]["work_orders"]
        deadline = time.monotonic() + timeout
        count = 0
        while time.monotonic() < deadline:
            count = await orders.count_documents({"estate_id": estate_id})
            if count >= expected:
                break
            await asyncio.sleep(0.25)
        finished = time.time() if count >= expected else None
        distinct_tickets = len(await orders.distinct("ticket_id", {"estate_id": estate_id}))
        return finished, {"work_orders": count, "distinct_tickets": distinct_tickets}
    finally:
        await client.close()


async def _tickets(stack: Stack, estate_id: str) -> int:
    client = AsyncMongoClient(stack.mongo_url_of("intake"))
    try:
        return await client["estatedesk_intake"]["tickets"].count_documents({"estate_id": estate_id})
    finally:
        await client.close()


def drain_ratio(stack: Stack, token: str, estate_id: str, *, count: int = 20_000, clients: int = 64,
                drain_timeout: float = 1800) -> list[Figure]:
    """Accept `count` repairs from `clients` workers; ratio = (first 201 → last work order) ÷ accept time."""
    with MemorySampler(stack) as memory:
        started = time.time()
        result = run_load(f"{stack.url('intake')}/v1/contacts", estate_id, token, prefix="storm",
                          concurrency=clients, count=count, duration=3600, warmup=0, timeout=3600)
        accept_s = result["elapsed_s"]
        finished, counts = asyncio.run(_drained(stack, estate_id, result["accepted"], drain_timeout))
    tickets = asyncio.run(_tickets(stack, estate_id))
    drain_s = None if finished is None else finished - started
    detail = {
        "sent": result["sent"], "accepted": result["accepted"], "statuses": result["statuses"],
        "accept_s": round(accept_s, 1), "until_last_work_order_s": drain_s and round(drain_s, 1),
        "accepted_per_s": round(result["accepted_per_s"], 1), "tickets": tickets, **counts,
        "lost": max(0, tickets - counts["distinct_tickets"]),
        "duplicated": counts["work_orders"] - counts["distinct_tickets"],
    }
    peak_name = max(memory.peak_kb, key=memory.peak_kb.get)
    return [
        Figure("storm.drain_ratio", drain_s / accept_s if drain_s else None, "ratio", detail=detail),
        Figure("memory.rss_mb_max", memory.peak_kb[peak_name] / 1024, "MB",
               detail={"process": peak_name, **{name: round(kb / 1024) for name, kb in memory.peak_kb.items()}}),
    ]
