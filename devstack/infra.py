"""Real RabbitMQ and a real MongoDB-wire server (SecantusDB) as local processes.

Used by `make run`, the test fixtures and the benchmarks alike. Each server runs in its own
folder with its own ports, so a test run never touches a broker or data of `make run`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all held open together, so the kernel cannot hand out one twice."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None, what: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on port {port} within {timeout} s")


@dataclass
class ServerProcess:
    """A server we started: restartable in place, killable with SIGKILL."""

    name: str
    command: list[str]
    port: int
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    startup_timeout: float = 60.0
    process: subprocess.Popen | None = None
    # What to tidy once the server has stopped for good (not after a kill: a restart follows those).
    after_stop: Callable[[], None] | None = None
    # RabbitMQ's management HTTP API (integrators' AMQP credentials are made through it).
    management_port: int | None = None

    def start(self) -> "ServerProcess":
        self.start_async()
        self.wait_started()
        return self

    def start_async(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / f"{self.name}.log", "ab") as log:
            self.process = subprocess.Popen(
                self.command, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.workdir, start_new_session=True,
            )

    def wait_started(self) -> None:
        wait_for_port(self.port, timeout=self.startup_timeout, process=self.process, what=self.name)
        if self.management_port:
            wait_for_port(self.management_port, timeout=self.startup_timeout, process=self.process,
                          what=f"{self.name} management")

    def kill(self) -> None:
        """SIGKILL the whole process group: nothing gets to flush or say goodbye."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 20) -> None:
        self.terminate()
        self.wait_stopped(timeout)

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM to its process group), without waiting."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self, timeout: float = 20) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.after_stop:
            self.after_stop()

    def restart(self) -> None:
        self.stop()
        self.start()


def rabbitmq(workdir: Path, *, port: int | None = None) -> ServerProcess:
    """A RabbitMQ node of its own (name, ports, data), started in the foreground as a child."""
    if not Path(RABBITMQ_SERVER).exists():
        raise RuntimeError(
            "RabbitMQ is not installed: run `make deps` as root (apt-get install rabbitmq-server), "
            "or set AMQP_URL to a broker you have."
        )
    port = port or free_port()
    epmd_port = free_port()
    management_port = free_port()
    workdir = workdir.resolve()
    (workdir / "enabled_plugins").parent.mkdir(parents=True, exist_ok=True)
    (workdir / "enabled_plugins").write_text("[rabbitmq_management].\n")
    (workdir / "rabbitmq.conf").write_text(
        f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {management_port}\n")
    env = {
        "HOME": str(workdir),  # the Erlang cookie lives here
        "RABBITMQ_NODENAME": f"estatedesk{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(free_port()),
        "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
        "RABBITMQ_LOG_BASE": str(workdir / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(workdir / "advanced.config"),
        # An epmd of its own (Erlang starts it as a daemon, outside our process group), so that
        # stopping the node can stop that epmd too without touching one that others use.
        "ERL_EPMD_PORT": str(epmd_port),
    }
    return ServerProcess("rabbitmq", [RABBITMQ_SERVER], port, workdir, env, startup_timeout=90,
                         after_stop=lambda: stop_epmd(epmd_port), management_port=management_port)


def stop_epmd(port: int) -> None:
    """Stop the epmd on `port`; epmd itself refuses while any node is still registered with it."""
    epmd = shutil.which("epmd") or "/usr/lib/erlang/bin/epmd"
    if not Path(epmd).exists():
        return
    try:
        subprocess.run([epmd, "-port", str(port), "-kill"], capture_output=True, timeout=10, check=False)
    except subprocess.TimeoutExpired:
        pass


# How long the local servers keep a transaction nobody finishes (a killed process's) before they
# abort it: our transactions last milliseconds, and mongod's 60 s stalls the other replicas for a
# minute after a crash (devstack/secantusd.py).
ABANDONED_TRANSACTION_LIFETIME_S = 15


def secantusdb(workdir: Path, *, port: int | None = None,
               transaction_lifetime_s: float = ABANDONED_TRANSACTION_LIFETIME_S) -> ServerProcess:
    """SecantusDB with a commit fsync, so acknowledged writes survive a kill -9."""
    port = port or free_port()
    workdir = workdir.resolve()
    command = [sys.executable, str(Path(__file__).with_name("secantusd.py")), "--transaction-lifetime-s", str(transaction_lifetime_s),
               "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(workdir / "data"),
               "--sync-on-commit", "--log-level", "WARNING"]
    return ServerProcess("secantusdb", command, port, workdir)


def mongo_url(port: int) -> str:
    # retryWrites=false: SecantusDB slows down badly with retryable writes (platform facts).
    return f"mongodb://127.0.0.1:{port}/?retryWrites=false&directConnection=true"


def amqp_url(port: int) -> str:
    return f"amqp://guest:guest@127.0.0.1:{port}/"


def management_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"
