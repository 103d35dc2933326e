"""Fixtures: a real RabbitMQ and a real MongoDB-wire server for the whole session.

Testcontainers when a Docker engine is reachable; otherwise local processes (RabbitMQ from
Debian's package, SecantusDB from PyPI), which the tests can kill -9 and restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from devstack.containers import ContainerInfrastructure, docker_engine_reachable
from devstack.infra import ServerProcess, amqp_url, management_url, mongo_url, rabbitmq, secantusdb
from devstack.stack import Stack
from shared import clock
from tests import progress
from tests.progress import announce


def pytest_configure(config: pytest.Config) -> None:
    # Say what the suite is doing while it is quiet: long tests named as they start, slow fixtures.
    progress.install(config)


# Short retry delays and leases, so that the suite sees retries, parking and take-overs quickly.
FAST_ENV = {
    "RETRY_DELAYS_MS": "[200, 400, 800, 1600]",
    "MAX_ATTEMPTS": "5",
    "RELAY_LEASE_S": "3",
    "OUTBOX_POLL_INTERVAL_S": "0.5",
    "LOG_LEVEL": "INFO",
    # Reporting announces yesterday's daily report at once and looks every second (not each morning).
    "DAILY_REPORT_AT": "00:00:00",
    "DAILY_REPORT_CHECK_S": "1",
    # Webhooks to the tests' local receivers, and their schedule walked in seconds (5 days: 8.6 s).
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    "WEBHOOK_SCHEDULE_SCALE": "0.00002",
    "WEBHOOK_POLL_INTERVAL_S": "0.2",
    "WEBHOOK_LANE_RECHECK_S": "0.5",
    "WEBHOOK_TIMEOUT_S": "5",
}


def pytest_report_header() -> str:
    if clock.offset():
        return f"clock: the platform's clock reads {clock.now().isoformat()} (CLOCK_AT; real time + {clock.offset()})"
    return "clock: real time (set CLOCK_AT=2026-12-31T23:30:00+08:00 to run the suite on another day)"


@dataclass
class Infrastructure:
    amqp_url: str
    mongo_url: str
    broker: ServerProcess | None = None
    database: ServerProcess | None = None
    management_url: str | None = None  # the broker's management API

    def kill_broker(self) -> None:
        if self.broker is None:
            raise RuntimeError("the broker runs in a container here; this test needs a local broker process")
        self.broker.kill()

    def start_broker(self) -> None:
        self.broker.start()


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    if docker_engine_reachable():
        with announce(request, "starting RabbitMQ and MongoDB in containers for the session"):
            containers = ContainerInfrastructure()
        yield Infrastructure(containers.amqp_url, containers.mongo_url)
        containers.stop()
        return
    workdir = tmp_path_factory.mktemp("infrastructure")
    broker = rabbitmq(workdir / "rabbitmq")
    database = secantusdb(workdir / "secantusdb")
    with announce(request, "starting RabbitMQ and SecantusDB for the session"):
        broker.start_async()
        database.start_async()
        broker.wait_started()
        database.wait_started()
    yield Infrastructure(amqp_url(broker.port), mongo_url(database.port), broker, database,
                         management_url(broker.management_port))
    broker.stop()  # and its own epmd
    database.stop()


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, infrastructure: Infrastructure, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """The five services as processes, each with its own database server (or the container's)."""
    in_containers = infrastructure.broker is None
    management = {"RABBITMQ_MANAGEMENT_URL": infrastructure.management_url} if infrastructure.management_url else {}
    platform = Stack(
        tmp_path_factory.mktemp("stack"), amqp=infrastructure.amqp_url,
        mongo=infrastructure.mongo_url if in_containers else None, env={**FAST_ENV, **management},
    )
    try:
        with announce(request, "starting the five services and their databases for the session"):
            platform.start_infrastructure()
            platform.start_services()
        yield platform
    finally:
        platform.stop()
