"""Where each busy process spends its time under load: py-spy samples, reduced to the top frames.

py-spy (pinned in bench/requirements.txt, installed by `make bench`) attaches to a running
process without stopping it (`--nonblocking`), so the services run as they do unprofiled;
only samples holding the GIL count (`--gil`): an event loop waiting in `epoll` or a server
thread waiting in `recv` is not busy, and would otherwise top every profile. Services and SecantusDB are
Python both, so the database servers are profiled too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")
OWN_CODE = ("services/", "shared/")


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(pids: dict[str, int], seconds: float, workdir: Path, rate: int = 50) -> dict[str, subprocess.Popen]:
    """One py-spy per process, sampling for `seconds` into `<workdir>/<name>.txt` (raw, collapsed stacks)."""
    binary = py_spy()
    if binary is None:
        return {}
    workdir.mkdir(parents=True, exist_ok=True)
    return {
        name: subprocess.Popen(
            [binary, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))), "--rate", str(rate),
             "--format", "raw", "--function", "--nonblocking", "--gil", "--output", str(workdir / f"{name}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, pid in pids.items()
    }


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for part in stack.split(";"):
        if m := FRAME.match(part.strip()):
            out.append((m.group("function"), m.group("file")))
    return out


def top_frames(path: Path, count: int = 8) -> dict:
    """The functions most often on top of the stack (self) and the own-code frames most often under it."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        n, frames = int(samples), _frames(stack)
        if not frames:
            continue
        total += n
        function, file = frames[-1]
        own[f"{function} ({file})"] += n
        for label in {f"{f} ({p})" for f, p in frames if p.startswith(OWN_CODE)}:
            inclusive[label] += n

    def share(counter: Counter) -> list[list]:
        return [[label, round(100 * n / total, 1)] for label, n in counter.most_common(count)] if total else []

    return {"samples": total, "self_pct": share(own), "own_code_inclusive_pct": share(inclusive)}


def finish(running: dict[str, subprocess.Popen], workdir: Path, timeout: float = 120) -> dict[str, dict]:
    """Wait for every py-spy, then the top frames of each profile that has samples."""
    out = {}
    for name, process in running.items():
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)
        path = workdir / f"{name}.txt"
        if path.exists():
            out[name] = top_frames(path)
    return out
