"""Things are killed for real (SIGKILL) while contacts flow: nothing is lost, nothing doubles."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.helpers import Api, all_pages, eventually, repair_contact, setup_estate, work_orders_by_ticket


def post_contacts(api: Api, estate_id: str, count: int, *, label: str) -> list[str]:
    """Post repair contacts one after another; every one must be accepted. Returns ticket ids."""
    ticket_ids = []
    for n in range(count):
        response = api.post("intake", "/v1/contacts", json=repair_contact(estate_id, f"{label} 第{n}号 水管漏水"))
        assert response.status_code == 201, response.text
        ticket_ids.append(response.json()["ticket"]["id"])
    return ticket_ids


def assert_each_ticket_once_everywhere(
    supervisor: Api, estate_id: str, ticket_ids: list[str], *, timeout: float = 60
) -> None:
    expected = {ticket_id: 1 for ticket_id in ticket_ids}

    def work_orders_complete() -> bool:
        counts = work_orders_by_ticket(supervisor, estate_id)
        missing = len(set(expected) - set(counts))
        doubled = sum(n > 1 for n in counts.values())
        progress.update(missing=missing, doubled=doubled, unexpected=len(set(counts) - set(expected)))
        return counts == expected

    progress: dict[str, int] = {}
    eventually(work_orders_complete, timeout=timeout, what=lambda: f"one work order per ticket ({progress})")
    messages = eventually(
        lambda: (items := all_pages(supervisor, "notification", "/v1/messages", {"estate_id": estate_id}))
        and len(items) >= len(ticket_ids) and items,
        timeout=60, what="a message for every assignment",
    )
    assert len(messages) == len(ticket_ids)
    archived = eventually(
        lambda: (items := all_pages(supervisor, "reporting", "/v1/events", {"estate_id": estate_id}))
        and sum(e["type"] == "estatedesk.intake.ticket.opened.v1" for e in items) >= len(ticket_ids) and items,
        timeout=60, what="every ticket archived in reporting",
    )
    opened = [e["subject"] for e in archived if e["type"] == "estatedesk.intake.ticket.opened.v1"]
    assert sorted(opened) == sorted(ticket_ids)


def test_broker_killed_and_restarted_while_contacts_are_posted(stack, infrastructure):
    estate_id = setup_estate(stack, engineers=3)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])

    before = post_contacts(agent, estate_id, 100, label="停机前")
    infrastructure.kill_broker()
    try:
        during = post_contacts(agent, estate_id, 100, label="停机中")  # the outbox holds their events
    finally:
        infrastructure.start_broker()
    after = post_contacts(agent, estate_id, 100, label="恢复后")

    assert_each_ticket_once_everywhere(supervisor, estate_id, before + during + after)


def test_two_dispatch_replicas_one_killed_mid_stream(stack):
    estate_id = setup_estate(stack, engineers=2)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    replica = stack.start_service("dispatch")
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            batches = list(pool.map(
                lambda n: post_contacts(agent, estate_id, 50, label=f"批次{n}"), range(4)
            ))
            replica.kill()  # its unacknowledged deliveries go back to the other replica
            batches.append(post_contacts(agent, estate_id, 50, label="杀死后"))
        replica.start()
        ticket_ids = [ticket_id for batch in batches for ticket_id in batch]
        # A replica killed inside a transaction leaves it open, holding the estate's work-order
        # counter, until the database reaps it (devstack.infra.ABANDONED_TRANSACTION_LIFETIME_S).
        assert_each_ticket_once_everywhere(supervisor, estate_id, ticket_ids, timeout=150)
    finally:
        replica.stop()
        stack.services["dispatch"].remove(replica)
