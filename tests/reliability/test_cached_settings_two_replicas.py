"""What rarely changes is read from each process's memory: a change made through one replica's
API reaches the orders every replica creates within the cache's time to live."""

from __future__ import annotations

import httpx

from tests.helpers import Api, admin, eventually, repair_contact, setup_estate

# The replica's bound (READ_CACHE_TTL_S); the session's first replica keeps the default of 5 s.
TTL_S = 2


def test_grab_mode_set_through_one_replica_reaches_orders_made_by_both(stack):
    estate_id = setup_estate(stack, engineers=2)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    replica = stack.start_service("dispatch", READ_CACHE_TTL_S=str(TTL_S))
    try:
        def orders_of(ticket_ids: list[str]) -> list[dict] | None:
            found = []
            for ticket_id in ticket_ids:
                page = supervisor.get("dispatch", "/v1/work-orders",
                                      params={"estate_id": estate_id, "ticket_id": ticket_id}).json()["items"]
                if not page:
                    return None
                found.extend(page)
            return found

        def repairs(count: int, label: str) -> list[dict]:
            ticket_ids = []
            for n in range(count):
                response = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, f"{label}{n}"))
                assert response.status_code == 201, response.text
                ticket_ids.append(response.json()["ticket"]["id"])
            return eventually(lambda: orders_of(ticket_ids), timeout=60, what=f"the work orders of {label}")

        # Both replicas take tickets (competing consumers) and so keep the department's settings.
        before = repairs(8, "设置前")
        assert all(order["status"] == "assigned" and not order["offered_to"] for order in before)

        # Grab mode, set through the second replica's API (the first one learns of it only by its TTL).
        boss = {"Authorization": admin(stack).headers["Authorization"]}
        changed = httpx.put(f"http://127.0.0.1:{replica.port}/v1/estates/{estate_id}/departments/engineering",
                            json={"grab_mode": True}, headers=boss, timeout=15)
        assert changed.status_code == 200, changed.text

        # Within the first replica's bound (5 s) every new order, whoever makes it, is offered.
        def all_offered() -> bool:
            return all(order["status"] == "pending" and len(order["offered_to"]) == 2
                       for order in repairs(6, "设置后"))

        # A copy kept past its bound would keep assigning, and this would fail at its timeout.
        eventually(all_offered, timeout=45, interval=0.5, what="every new order offered (grab mode)")
    finally:
        replica.stop()
        stack.services["dispatch"].remove(replica)
