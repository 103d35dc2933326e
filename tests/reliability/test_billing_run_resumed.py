"""A billing run whose worker is killed (kill -9) inside a chunk's transaction is taken over at once.

The kill is timed inside the transaction: billing runs on a database server of this test's own
with test commands on, a `failCommand` failpoint holds every commit, and the worker is killed
once its chunk's writes (lines and progress) are seen holding the run's document. That
transaction stays open on the server (nobody commits or aborts it) until the server reaps it,
60 s or more later. The process that takes the run over must
not wait for that: it finishes the run long before, with every unit billed once."""

from __future__ import annotations

import time

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from devstack.infra import mongo_url, secantusdb
from devstack.stack import wait_until_ready
from tests.e2e.billing_estate import BillingEstate
from tests.helpers import eventually

UNITS = 600
# Well under the 60 s after which SecantusDB (like mongod) reaps an abandoned transaction.
TAKE_OVER_BOUND_S = 40


def _hold_commits(database: MongoClient, milliseconds: int) -> None:
    database.admin.command({"configureFailPoint": "failCommand", "mode": "alwaysOn", "data": {
        "failCommands": ["commitTransaction"], "blockConnection": True, "blockTimeMS": milliseconds}})


def _release_commits(database: MongoClient) -> None:
    database.admin.command({"configureFailPoint": "failCommand", "mode": "off"})


def _run_held_by_open_transaction(database: MongoClient, run_id: str) -> bool:
    """Whether an uncommitted write holds the run's document (a write to it in a transaction conflicts)."""
    with database.start_session() as session:
        session.start_transaction()
        try:
            database["estatedesk_billing"]["billing_runs"].update_one(
                {"_id": run_id}, {"$inc": {"probe": 1}}, session=session)
        except OperationFailure as error:
            if error.code == 112:  # WriteConflict
                return True
            raise
        finally:
            session.abort_transaction()
    return False


@pytest.fixture
def own_database(stack, tmp_path):
    if stack.mongo is not None:
        pytest.skip("needs a local SecantusDB with test commands (the failpoint times the kill)")
    # The server's own 60 s (mongod's default) for an abandoned transaction: the take-over must not wait for it.
    server = secantusdb(tmp_path / "billing-db", transaction_lifetime_s=60)
    server.command.append("--enable-test-commands")
    server.start()
    yield server
    server.kill()  # a commit held by the failpoint may still be asleep in it


def test_a_run_killed_inside_a_chunk_is_taken_over_at_once(stack, own_database):
    original = stack.services["billing"][0]
    original.kill()
    # Billing on the test's database; small chunks and a short lease, so that the take-over comes soon.
    billing = stack.start_service("billing", port=stack.ports["billing"], MONGO_URL=mongo_url(own_database.port),
                                  RUN_BATCH_SIZE="20", RUN_LEASE_S="3")
    database = MongoClient(mongo_url(own_database.port))
    try:
        rows = [[f"{n // 100 + 1}栋", f"R-{n:05d}", 1, "90.00", "residential", "", "", "", ""] for n in range(UNITS)]
        estate = BillingEstate(stack, rows)
        response = estate.clerk.post("billing", "/v1/billing-runs", json={
            "estate_id": estate.estate_id, "period": "2025-06", "items": ["property_fee"]})
        assert response.status_code == 202, response.text
        run_id = response.json()["id"]
        eventually(lambda: estate.clerk.get("billing", f"/v1/billing-runs/{run_id}").json()["done"] > 0,
                   interval=0.02, timeout=30, what="the run's first chunk")
        # Longer than the server takes to reap an abandoned transaction: the held commit never comes.
        _hold_commits(database, 90_000)
        eventually(lambda: _run_held_by_open_transaction(database, run_id), interval=0.02, timeout=30,
                   what="a chunk's transaction holding the run")
        billing.kill()
        _release_commits(database)
        partly = database["estatedesk_billing"]["billing_runs"].find_one({"_id": run_id})
        assert 0 < partly["done"] < UNITS and partly["status"] == "running"

        billing.start()
        wait_until_ready(stack.url("billing"), timeout=90, process=billing, service="billing")
        started = time.monotonic()
        run = estate.finished(run_id, timeout=TAKE_OVER_BOUND_S)
        taken_over_in = time.monotonic() - started
        assert taken_over_in < TAKE_OVER_BOUND_S
        assert (run["total"], run["done"], run["created"], run["existing"]) == (UNITS, UNITS, UNITS, 0)
        lines = estate.lines(period="2025-06")
        assert len(lines) == len({line["unit_id"] for line in lines}) == UNITS
        assert {line["amount"] for line in lines} == {"225.00"}  # 90 m² × 2.50
        again = estate.run("2025-06", ["property_fee"])
        assert (again["created"], again["existing"]) == (0, UNITS)
        assert len(estate.lines(period="2025-06")) == UNITS
        assert estate.reconciliation()["balanced"] is True
    finally:
        database.close()
        billing.stop()
        stack.services["billing"].remove(billing)
        original.start()
        wait_until_ready(stack.url("billing"), timeout=90, process=original, service="billing")
