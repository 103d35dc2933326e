"""`make run` on data of its own and free ports: SIGTERM and SIGHUP to its process group stop it as
cleanly as Ctrl-C, at any moment, and it comes up again on the same data.

The whole of `make run` is run, demo included (a start takes some 20–60 s here); only the install
step is skipped (this interpreter stands in for `.venv`), and the ports are free ones, not 8001–8005.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devstack.stack import REPO
from tests.helpers import eventually

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")]

UP = "stops everything."
START_TIMEOUT_S = 300
STOP_TIMEOUT_S = 60


def processes_of(data: Path) -> dict[int, str]:
    """Every process working in `data` or started with it in its environment (the epmd daemon), by pid."""
    marker = str(data).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            environ = (entry / "environ").read_bytes()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if cwd.startswith(str(data)) or marker in environ:
            found[int(entry.name)] = command.strip()
    return found


class MakeRun:
    """One `make run` in a process group of its own, as a terminal or a process manager runs it."""

    def __init__(self, data: Path, log: Path) -> None:
        self.log = log
        venv = log.parent / "venv"
        venv.mkdir(exist_ok=True)
        (venv / ".installed").touch()  # newer than requirements.txt: make installs nothing
        env = {k: v for k, v in os.environ.items() if k not in ("AMQP_URL", "MONGO_URL", "MAKEFLAGS", "MAKELEVEL")}
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                ["make", "-s", "run", f"VENV={venv}", f"PY={sys.executable}", f"RUN_ARGS=--data {data} --free-ports"],
                cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"},
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = START_TIMEOUT_S) -> None:
        def printed() -> bool:
            if self.process.poll() is not None and text not in self.output():
                raise AssertionError(f"it exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            return text in self.output()
        eventually(printed, timeout=timeout, interval=0.5, what=lambda: f"{text!r} in:\n{self.output()[-3000:]}")

    def signal_group(self, signum: int) -> float:
        """Send `signum` to the whole process group; how long it took to exit."""
        started = time.monotonic()
        os.killpg(self.process.pid, signum)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError(f"still running {STOP_TIMEOUT_S} s after {signum!r}:\n{self.output()[-3000:]}")
        return time.monotonic() - started


def stop_and_check(run: MakeRun, data: Path, signum: int) -> None:
    servers = processes_of(data)
    elapsed = run.signal_group(signum)
    # make passes the signal on, waits for its recipe to finish, and then dies of the signal itself.
    assert run.process.returncode in (0, -signum), run.output()[-3000:]
    assert "Stopped. The data stays in" in run.output()
    assert elapsed < STOP_TIMEOUT_S
    left = eventually(lambda: not processes_of(data) and "none", timeout=15, what=lambda: f"{processes_of(data)}")
    assert left and servers, "there were servers to stop"
    assert "stopping the services, the broker and the databases" in run.output()


def test_sigterm_and_sighup_stop_it_cleanly_and_it_comes_up_again_on_the_same_data(tmp_path):
    data = tmp_path / "run"
    first = MakeRun(data, tmp_path / "first.log")
    try:
        first.wait_for(UP)
        servers = processes_of(data)
        # five databases, five services, the broker and the broker's own epmd
        assert len(servers) >= 12, servers
        assert any("epmd" in command for command in servers.values()), servers
        stop_and_check(first, data, signal.SIGTERM)
        assert "SIGTERM: stopping" in first.output()

        second = MakeRun(data, tmp_path / "second.log")
        second.wait_for(UP)
        assert "Kept the data of the previous run" in second.output()
        assert "its engineer was told: 新派工单" in second.output()
        stop_and_check(second, data, signal.SIGHUP)
        assert "SIGHUP: stopping" in second.output()
    finally:
        for run in [r for r in locals().values() if isinstance(r, MakeRun)]:
            if run.process.poll() is None:
                os.killpg(run.process.pid, signal.SIGKILL)


def test_sigterm_while_it_is_still_starting_stops_it_at_once(tmp_path):
    data = tmp_path / "run"
    run = MakeRun(data, tmp_path / "run.log")
    try:
        # The databases are up and the services on their way: the old handler only noted the
        # signal and went on starting (and loading the demo) before it stopped.
        run.wait_for("Starting the five services…", timeout=120)
        eventually(lambda: len(processes_of(data)) >= 6, timeout=60, what="a service starting")
        stop_and_check(run, data, signal.SIGTERM)
        assert UP not in run.output()
    finally:
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
