"""Integration tests against the session's real broker and database: the shared library's pieces, and one
service run in this process (`intake`, with an estate, agent and supervisor of its own for each module)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from ulid import ULID

from shared.bus import connect_bus
from shared.db import Database, connect
from shared.settings import ServiceSettings
from tests.helpers import Api, setup_estate
from tests.integration.in_process import InProcessService


@pytest.fixture
def settings(infrastructure) -> ServiceSettings:
    """Each test gets its own exchange and database, so nothing leaks between tests."""
    unique = str(ULID()).lower()
    return ServiceSettings(
        service_name="itest", mongo_url=infrastructure.mongo_url, amqp_url=infrastructure.amqp_url,
        mongo_database=f"itest_{unique}", events_exchange=f"itest.{unique}",
        retry_delays_ms=[100, 200, 300, 400], max_attempts=5, relay_lease_s=2, outbox_poll_interval_s=0.5,
    )


@pytest.fixture
async def database(settings) -> AsyncIterator[Database]:
    database = Database(connect(settings), settings.database_name)
    yield database
    await database.client.drop_database(settings.database_name)
    await database.client.close()


@pytest.fixture
async def connection(settings):
    connection = await connect_bus(settings)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def intake(infrastructure):
    """Intake alone, in this process, on a database and a broker virtual host of its own."""
    with InProcessService("intake", infrastructure) as service:
        yield service


# An estate of its own for each module that asks, and its agent and supervisor.
@pytest.fixture(scope="module")
def estate_id(intake) -> str:
    return setup_estate(intake, engineers=0)


@pytest.fixture(scope="module")
def agent(intake, estate_id) -> Api:
    return Api(intake, user_id="agent-1", roles=["agent"], estates=[estate_id])


@pytest.fixture(scope="module")
def supervisor(intake, estate_id) -> Api:
    return Api(intake, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
