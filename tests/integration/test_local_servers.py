"""The local broker leaves nothing behind: its epmd (which Erlang starts as a daemon, outside our
process group) is its own, on a port of its own, and stops with it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from devstack.infra import RABBITMQ_SERVER, rabbitmq
from tests.helpers import eventually

pytestmark = pytest.mark.skipif(not Path(RABBITMQ_SERVER).exists(), reason="no local RabbitMQ")


def epmd_pids(port: int) -> list[int]:
    """The epmd processes started for `port` (ERL_EPMD_PORT in their environment)."""
    marker = f"ERL_EPMD_PORT={port}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "epmd" \
                    and marker in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_brokers_own_epmd_stops_with_it(tmp_path):
    broker = rabbitmq(tmp_path / "rabbitmq")
    epmd_port = int(broker.env["ERL_EPMD_PORT"])
    assert epmd_port != 4369  # not the machine's shared epmd
    try:
        broker.start()
        assert epmd_pids(epmd_port), "the node runs with an epmd of its own"
        assert listening(epmd_port)
    finally:
        broker.stop()
    eventually(lambda: not epmd_pids(epmd_port), timeout=10, what="its epmd stopping")
    assert not listening(epmd_port)
