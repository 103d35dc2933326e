"""The load generator: its own process, httpx.AsyncClient, POST /v1/contacts (repair calls).

Two modes. `max`: N workers send back to back (after a warm-up) until `--count` are sent or
`--duration` has passed; reports accepted (201) per second. `paced`: one request every
1/`--rate` s for `--duration` s, whatever the answers; reports each 201's wall-clock time
by tag (the tag is in the ticket's description, so it reaches the assignee's message).

The parent calls `run_load(...)`, which runs `python -m bench.load` and reads its JSON.
The bearer token comes in the environment (`BENCH_TOKEN`), not on the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter

import httpx

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def contact(estate_id: str, tag: str) -> dict:
    """The same repair call the tests post, tagged in its description."""
    return {
        "estate_id": estate_id, "channel": "hotline", "caller_phone": "13900001111", "caller_name": "李四",
        "summary": "来电报修：卫生间漏水",
        "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "in_unit",
                   "description": f"卫生间漏水 [{tag}]"},
    }


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Generator:
    def __init__(self, args: argparse.Namespace, client: httpx.AsyncClient) -> None:
        self.args, self.client = args, client
        self.statuses: Counter = Counter()
        self.latencies_ms: list[float] = []
        self.accepted_at: dict[str, float] = {}

    async def post(self, seq: int, *, measured: bool = True) -> None:
        tag = f"{self.args.prefix}-{seq:06d}"
        headers = {"Idempotency-Key": tag} if self.args.idempotency else {}
        started = time.perf_counter()
        try:
            response = await self.client.post(self.args.url, json=contact(self.args.estate, tag), headers=headers)
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        if not measured:
            return
        self.statuses[status] += 1
        if status == "201":
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.accepted_at[tag] = time.time()

    async def run_max(self) -> float:
        """Closed loop: the workers share a sequence; returns the measured seconds."""
        await asyncio.gather(*(self.post(-1 - n, measured=False) for n in range(self.args.warmup)))
        counter = iter(range(self.args.count))
        deadline = time.perf_counter() + self.args.duration

        async def worker() -> None:
            for seq in counter:
                if time.perf_counter() > deadline:
                    return
                await self.post(seq)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.args.concurrency)))
        return time.perf_counter() - started

    async def run_paced(self) -> float:
        """Open loop at a steady rate; returns the seconds until the last answer."""
        started, tasks = time.perf_counter(), []
        for seq in range(int(self.args.rate * self.args.duration)):
            delay = started + seq / self.args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.post(seq)))
        await asyncio.gather(*tasks)
        return time.perf_counter() - started


async def main(args: argparse.Namespace) -> dict:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    headers = {"Authorization": f"Bearer {os.environ.get('BENCH_TOKEN', '')}"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        generator = Generator(args, client)
        elapsed = await (generator.run_max() if args.mode == "max" else generator.run_paced())
    accepted = generator.statuses.get("201", 0)
    lat = generator.latencies_ms
    return {
        "mode": args.mode, "sent": sum(generator.statuses.values()), "accepted": accepted,
        "statuses": dict(generator.statuses), "elapsed_s": elapsed, "accepted_per_s": accepted / elapsed if elapsed else 0,
        "p50_ms": percentile(lat, 0.50), "p95_ms": percentile(lat, 0.95), "p99_ms": percentile(lat, 0.99),
        "accepted_at": generator.accepted_at if args.mode == "paced" else {},
    }


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="full URL of POST /v1/contacts")
    parser.add_argument("--estate", required=True)
    parser.add_argument("--mode", choices=("max", "paced"), default="max")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=int, default=32, help="unmeasured requests first (max mode)")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--idempotency", action=argparse.BooleanOptionalAction, default=True,
                        help="send a unique Idempotency-Key with each request, as the front desk does")
    return parser.parse_args(argv)


def run_load(url: str, estate: str, token: str, *, timeout: float = 180, **options) -> dict:
    """Run the generator as a separate process; options are its flags (`rate=20` → `--rate 20`)."""
    command = [sys.executable, "-m", "bench.load", "--url", url, "--estate", estate]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        command += [flag] if value is True else [f"--no-{flag[2:]}"] if value is False else [flag, str(value)]
    done = subprocess.run(command, cwd=REPO, env={**os.environ, "BENCH_TOKEN": token, "PYTHONPATH": REPO},
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(arguments()))))
