"""CPU time of every process of the stack (from /proc), and the services' own counters (/metrics).

Each server is started in its own session (`start_new_session`), so a session's CPU is that
server with its children (RabbitMQ's Erlang VM, SecantusDB's workers): user + system time,
waited-for children included, as `/proc/<pid>/stat` tells it.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import httpx

from devstack.stack import Stack

_TICKS = os.sysconf("SC_CLK_TCK")
METRIC = re.compile(r'^(\w+)\{([^}]*)\} ([0-9.e+-]+)$')


def session_cpu_s() -> dict[int, float]:
    """CPU seconds summed per session id over all live processes."""
    totals: dict[int, float] = defaultdict(float)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        totals[int(fields[3])] += sum(int(f) for f in fields[11:15]) / _TICKS
    return totals


def process_groups(stack: Stack) -> dict[str, int]:
    """Name → session id: `db-<service>`, `broker`, and each service process (`dispatch`, `dispatch-2`)."""
    named = {f"db-{name}": server for name, server in stack.databases.items()}
    if stack.broker:
        named["broker"] = stack.broker
    for name, replicas in stack.services.items():
        for n, process in enumerate(replicas):
            named[name if n == 0 else f"{name}-{n + 1}"] = process
    return {name: p.process.pid for name, p in named.items() if p.process and p.process.poll() is None}


class CpuMeter:
    """CPU seconds of each process group between `start()` and `stop()`."""

    def __init__(self, stack: Stack) -> None:
        self.groups = process_groups(stack)
        self.before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        cpu = session_cpu_s()
        return {name: cpu.get(sid, 0.0) for name, sid in self.groups.items()}

    def start(self) -> None:
        self.before = self._now()

    def per_contact_ms(self, contacts: int) -> dict[str, float]:
        after = self._now()
        per = {name: (after[name] - self.before.get(name, 0.0)) * 1000 / max(contacts, 1) for name in self.groups}
        return {name: round(ms, 2) for name, ms in sorted(per.items(), key=lambda kv: -kv[1])}


def counters(stack: Stack) -> dict[str, dict[tuple[str, str], float]]:
    """Per running service: (metric, label set) → value, for the counters the bench reads."""
    wanted = ("mongo_commands_total", "outbox_published_total", "events_consumed_total")
    out: dict[str, dict[tuple[str, str], float]] = {}
    for name, replicas in stack.services.items():
        if not replicas:
            continue
        values: dict[tuple[str, str], float] = defaultdict(float)
        for process in replicas:
            text = httpx.get(f"http://127.0.0.1:{process.port}/metrics", timeout=10).text
            for line in text.splitlines():
                if (m := METRIC.match(line)) and m.group(1) in wanted:
                    values[(m.group(1), m.group(2))] += float(m.group(3))
        out[name] = values
    return out


def per_contact(before: dict, after: dict, contacts: int) -> dict[str, dict]:
    """Round trips (by command), events published and events applied, per contact, per service."""
    result: dict[str, dict] = {}
    for service, values in after.items():
        delta = {key: value - before.get(service, {}).get(key, 0.0) for key, value in values.items()}
        commands: dict[str, float] = defaultdict(float)
        published = applied = 0.0
        for (metric, labels), value in delta.items():
            if metric == "mongo_commands_total":
                commands[re.search(r'command="([^"]*)"', labels).group(1)] += value
            elif metric == "outbox_published_total":
                published += value
            elif metric == "events_consumed_total" and 'outcome="applied"' in labels:
                applied += value
        n = max(contacts, 1)
        result[service] = {
            "round_trips": round(sum(commands.values()) / n, 2),
            "by_command": {c: round(v / n, 2) for c, v in sorted(commands.items(), key=lambda kv: -kv[1]) if v},
            "events_published": round(published / n, 2),
            "events_applied": round(applied / n, 2),
        }
    return result
