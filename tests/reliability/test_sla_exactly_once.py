"""SLA deadlines survive a restart of every dispatch replica across them: each fires exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from devstack.stack import wait_until_ready
from shared import clock
from tests.e2e.test_sla_and_escalation import fast_clock
from tests.helpers import Api, archived, eventually, setup_estate


def test_two_replicas_and_a_restart_across_the_deadlines_fire_each_timer_once(stack):
    estate_id = setup_estate(stack)
    fast_clock(stack, estate_id, accept=6, arrive=7, complete=8, ladder=(0, 3600, 3600, 3600))
    boss = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    replica = stack.start_service("dispatch")
    replicas = stack.services["dispatch"]
    try:
        orders = [boss.post("dispatch", "/v1/work-orders", json={
            "estate_id": estate_id, "kind": "inspection", "department": "engineering", "priority": "P3",
            "description": f"巡检 {n}"}).json() for n in range(10)]
        last_deadline = max(datetime.fromisoformat(o["deadlines"]["complete"]) for o in orders)
        for process in replicas:
            process.kill()  # every replica down, normally before the first warning
        killed_at = clock.now()
        eventually(lambda: clock.now() > last_deadline, timeout=30, what="the deadlines passing")
        restarting_at = clock.now()
        for process in replicas:
            process.start()
            wait_until_ready(f"http://127.0.0.1:{process.port}", timeout=60, process=process, service="dispatch")

        expected = {(o["id"], milestone) for o in orders for milestone in ("accept", "arrive", "complete")}
        for kind in ("warning", "breached"):
            fired = eventually(lambda kind=kind: (e := archived(boss, estate_id, f"dispatch.sla.{kind}"))
                               and len(e) >= len(expected) and e, timeout=60, what=f"every {kind}")
            counts = Counter((e["subject"], e["data"]["milestone"]) for e in fired)
            assert set(counts) == expected and set(counts.values()) == {1}, kind
            # Due while every replica was down (and more than the lateness mark before the restart).
            due_while_down = [e for e in fired if killed_at < datetime.fromisoformat(e["data"]["due_at"])
                              < restarting_at - timedelta(seconds=1)]
            on_time = [(e["data"]["milestone"], e["data"]["due_at"], e["data"]["fired_at"]) for e in due_while_down
                       if not e["data"]["late"]]
            assert due_while_down and not on_time, f"fired on restart, so late (killed at {killed_at}): {on_time}"
        escalations = eventually(lambda: (e := archived(boss, estate_id, "dispatch.workorder.escalated"))
                                 and len(e) >= len(orders) and e, timeout=60, what="one first step per order")
        assert sorted(e["subject"] for e in escalations) == sorted(o["id"] for o in orders)
        for kind in ("warning", "breached"):  # and nothing fired twice since
            assert len(archived(boss, estate_id, f"dispatch.sla.{kind}")) == len(expected)
    finally:
        replica.stop()
        replicas.remove(replica)
