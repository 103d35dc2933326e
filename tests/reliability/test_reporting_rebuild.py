"""Reliability 9: a reporting rebuild from the archive equals the live read models, figure for figure.

Events reach reporting through the services and, crafted, straight into its queue out of order and
twice; some arrive while the rebuild runs. Two estates, with tickets, work orders and billing's events
(bills issued, payments, a reversal, dunning notices), and dispatch's and intake's events of today that
move the dashboards' live board (work orders out of order, SLA warnings and breaches, calls). Then every
day document, case and board document of every estate is compared between the live collections and the
rebuilt ones, and every estate's figures of every day, and the dashboards' overview, boards and charts,
read the same through the API after the swap.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aio_pika
import pytest
from pymongo import MongoClient

from devstack.infra import amqp_url, rabbitmq
from devstack.stack import Stack
from shared import clock
from shared.envelope import Envelope
from shared.estates import local_day
from shared.events import BillsIssued, envelope_for
from services.reporting.commands.dashboard import candidate_days
from shared.envelope import utcnow
from tests.conftest import FAST_ENV
from tests.e2e import dashboard_events as board_event
from tests.e2e.reporting_days import Day, month_of
from tests.helpers import Api, admin, all_pages, eventually, repair_contact, setup_estate

QUEUE = "reporting.all-events"
COLLECTIONS = ("daily_figures", "ticket_cases", "work_order_cases", "units", "unit_counts", "buildings", "backlog")
BOARD_COLLECTIONS = ("board_work_orders", "board_tickets", "board_timeline", "board_estates")


def _envelope(estate_id: str, name: str, data: dict[str, Any], *, hours_ago: float) -> Envelope:
    return Envelope(source=f"/estatedesk/{name.split('.')[0]}", type=f"estatedesk.{name}.v1", subject="crafted",
                    companyid="demo-company", estateid=estate_id, time=clock.now() - timedelta(hours=hours_ago),
                    data=data)


def late_ticket(estate_id: str, n: int, *, hours_ago: float) -> list[Envelope]:
    """A complaint's life, told backwards: the follow-up first, the opening last."""
    ticket_id, follow_up_id = f"{estate_id}-late-{n}", f"{estate_id}-fu-{n}"
    at = clock.now() - timedelta(hours=hours_ago)
    opened = {"ticket_id": ticket_id, "number": f"LATE-{n}", "category": "complaint", "subcategory": "noise",
              "priority": "P2", "scope": "public_area", "description": "楼上装修噪音", "channel": "hotline",
              "promised_reply_at": at.isoformat(), "opened_at": at.isoformat(), "resident_id": f"r-{n % 2}",
              "building_id": "b-1", "major": True}
    changed = {"ticket_id": ticket_id, "number": f"LATE-{n}", "status": "resolved", "previous_status": "in_progress"}
    return [
        _envelope(estate_id, "intake.followup.completed", {
            "follow_up_id": follow_up_id, "ticket_id": ticket_id, "ticket_number": f"LATE-{n}", "result": "satisfied",
            "score": 4 + n % 2, "attempts": 1, "by": "agent-1"}, hours_ago=hours_ago - 5),
        _envelope(estate_id, "intake.ticket.resolved", changed, hours_ago=hours_ago - 3),
        _envelope(estate_id, "intake.followup.due", {
            "follow_up_id": follow_up_id, "ticket_id": ticket_id, "ticket_number": f"LATE-{n}", "category": "complaint",
            "due_by": (at + timedelta(hours=27)).isoformat()}, hours_ago=hours_ago - 3),
        _envelope(estate_id, "intake.ticket.opened", opened, hours_ago=hours_ago),
        _envelope(estate_id, "intake.contact.logged", {
            "contact_id": f"{estate_id}-c-{n}", "channel": "hotline", "answered_within_15s": n % 3 != 0,
            "outcome": "ticket_opened", "ticket_id": ticket_id}, hours_ago=hours_ago),
    ]


def billing_day(estate_id: str, days_ago: int) -> list[Envelope]:
    """Billing's events of one day: two bills (in one carrier, as a run's chunk sends them), two payments
    (one partly prepaid), one reversed, a notice."""
    d = Day(estate_id, local_day(clock.now()) - timedelta(days=days_ago), tag=f"{estate_id}-bill-{days_ago}")
    d.bill("b1", "09:00", 30000 + days_ago)
    d.bill("b2", "09:05", 20000)
    d.payment("p1", "10:00", "250.00", "200.00", "50.00")
    d.payment("p2", "11:00", "100.00", "100.00")
    d.reversal("p2", "12:00", "100.00")
    d.dunning(1, "18:00", "300.00", month_of(d.day, 2))
    bills = [e for e in d.envelopes if e.routing_key == "billing.bill.issued"]
    carrier = envelope_for(BillsIssued(bills=[e.data for e in bills]), subject=f"{d.tag}-chunk",
                           company_id=bills[0].companyid, estate_id=estate_id, time=bills[0].time)
    return [carrier, *(e for e in d.envelopes if e not in bills)]


def board_day(estate_id: str) -> list[Envelope]:
    """Today's events of the live board: a work order accepted before its creation and warned, another
    completed before its creation and breached, two consultations (one P1), three calls."""
    t0 = board_event.now() - timedelta(minutes=10)
    late, done = board_event.work_order_id(), board_event.work_order_id()
    return [
        board_event.accepted(estate_id, late, t0 + timedelta(minutes=3)),
        board_event.sla(estate_id, late, t0 + timedelta(minutes=4), milestone="arrive", breached=False),
        board_event.created(estate_id, late, t0, priority="P1"),
        board_event.completed(estate_id, done, t0 + timedelta(minutes=5)),
        board_event.created(estate_id, done, t0),
        board_event.sla(estate_id, done, t0 + timedelta(minutes=2), milestone="accept", breached=True),
        board_event.consultation(estate_id, t0, priority="P1"), board_event.consultation(estate_id, t0),
        *(board_event.call(estate_id, t0, answered_within_15s=answered) for answered in (True, False, None)),
    ]


def deliver_twice(stack, envelopes: list[Envelope]) -> None:
    """Straight into reporting's queue (no other service sees them), each one twice."""

    async def send() -> None:
        connection = await aio_pika.connect(stack.amqp)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            for envelope in [*envelopes, *reversed(envelopes)]:
                await channel.default_exchange.publish(
                    aio_pika.Message(envelope.model_dump_json().encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=QUEUE)

    asyncio.run(send())


def _normal(value: Any) -> Any:
    """A figure document without zeros: a day moved +1 then -1 reads the same as one never moved."""
    if isinstance(value, dict):
        kept = {k: _normal(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (0, {}, None)}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def read_models(stack, estate_ids: str | list[str], suffix: str) -> dict[str, dict[str, Any]]:
    estate_ids = [estate_ids] if isinstance(estate_ids, str) else estate_ids
    with MongoClient(stack.mongo_url_of("reporting")) as client:
        db = client["estatedesk_reporting"]
        out = {}
        for name in COLLECTIONS:
            for document in db[name + suffix].find({"estate_id": {"$in": estate_ids}}):
                if name.endswith("_cases"):
                    document["events"] = sorted(document["events"], key=lambda e: e["id"])
                out[f"{name}/{document['_id']}"] = _normal(document)
        return out


def boards(stack, estate_ids: list[str], suffix: str) -> dict[str, dict[str, Any]]:
    """The live board's documents; an estate's without its version (the batches that moved it) and with
    only the local days a dashboard shows (older ones leave the board as later days come)."""
    shown = set(candidate_days(utcnow()))
    with MongoClient(stack.mongo_url_of("reporting")) as client:
        db = client["estatedesk_reporting"]
        out = {}
        for name in BOARD_COLLECTIONS:
            for document in db[name + suffix].find({"estate_id": {"$in": estate_ids}}):
                if name == "board_estates":
                    document.pop("version")
                    document["days"] = {day: v for day, v in (document.get("days") or {}).items() if day in shown}
                out[f"{name}/{document['_id']}"] = _normal(document)
        return out


def dashboards(api: Api, estate_ids: list[str]) -> dict[str, Any]:
    """What the dashboards show: the overview's tiles, each estate's board and charts (without the
    versions and the orders' ages, which move by themselves)."""

    def shown(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shown(v) for k, v in value.items() if k not in ("version", "age_s")}
        if isinstance(value, list):
            return [shown(v) for v in value]
        return value

    overview = api.get("reporting", "/v1/dashboards/overview")
    assert overview.status_code == 200, overview.text
    out = {"overview": shown(overview.json())}
    for estate in estate_ids:
        for path in (f"/v1/dashboards/estates/{estate}", f"/v1/dashboards/estates/{estate}/charts"):
            response = api.get("reporting", path)
            assert response.status_code == 200, response.text
            out[path] = shown(response.json())
    return out


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """A platform of its own, broker included: a rebuild walks the whole archive, which the shared stack's
    is large by this point of the suite (the tests beside it would wait for reporting's database)."""
    workdir = tmp_path_factory.mktemp("rebuild")
    broker = rabbitmq(workdir / "rabbitmq").start()
    platform = Stack(workdir / "stack", amqp=amqp_url(broker.port), env=FAST_ENV)
    try:
        platform.start_infrastructure()
        platform.start_services()
        yield platform
    finally:
        platform.stop()
        broker.stop()


def test_a_rebuild_from_the_archive_equals_the_live_figures(own_stack):
    stack = own_stack
    estate_id, other_id = setup_estate(stack), setup_estate(stack, engineers=0)
    estates = [estate_id, other_id]
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=estates)
    operator = admin(stack)
    for text in ("厨房水管漏水", "楼道灯不亮"):
        assert agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, text)).status_code == 201
    units = [_envelope(estate_id, "intake.unit.registered", {
        "unit_id": f"{estate_id}-u{n}", "building_id": "b-1", "building_name": "1栋", "number": f"10{n}",
        "kind": "residential"}, hours_ago=80) for n in range(2)]
    before = [*units, *(e for n in range(6) for e in late_ticket(estate_id, n, hours_ago=30 + n)),
              *(e for n in range(3) for e in late_ticket(other_id, n, hours_ago=40 + n)),
              *billing_day(estate_id, 2), *billing_day(other_id, 2), *board_day(estate_id)]
    deliver_twice(stack, before)

    def archived_ids() -> set[str]:
        return {e["id"] for estate in estates
                for e in all_pages(supervisor, "reporting", "/v1/events", {"estate_id": estate})}

    eventually(lambda: {e.id for e in before} <= archived_ids(), timeout=30, what="the crafted events archived")

    started = operator.post("reporting", "/v1/admin/read-model-rebuilds", json={"swap_when_ready": False})
    assert started.status_code == 202, started.text
    during = [*(e for n in range(6, 12) for e in late_ticket(estate_id, n, hours_ago=50 + n)),
              *(e for n in range(3, 5) for e in late_ticket(other_id, n, hours_ago=70 + n)),
              *billing_day(estate_id, 4), *billing_day(other_id, 4), *board_day(estate_id), *board_day(other_id)]
    deliver_twice(stack, during)  # while the rebuild walks the archive
    assert agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "阳台渗水")).status_code == 201
    again = operator.post("reporting", "/v1/admin/read-model-rebuilds", json={"swap_when_ready": False})
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    def state() -> str:
        return operator.get("reporting", "/v1/admin/read-model-rebuilds/current").json()["state"]

    eventually(lambda: state() == "ready", timeout=60, what="the rebuild ready")
    eventually(lambda: {e.id for e in during} <= archived_ids(), timeout=30, what="the later events archived")
    counts: list[int] = []

    def settled() -> bool:  # the services' own events (work orders assigned, …) have all arrived
        counts.append(len(archived_ids()))
        return len(counts) >= 3 and counts[-1] == counts[-2] == counts[-3]

    eventually(settled, timeout=30, interval=0.5, what="the archive settled")

    current = operator.get("reporting", "/v1/admin/read-model-rebuilds/current").json()
    live_set, rebuilt_set = current["live"], "" if current["live"] else "__rebuild"
    live, rebuilt = read_models(stack, estates, live_set), read_models(stack, estates, rebuilt_set)
    assert live.keys() == rebuilt.keys()
    differing = [key for key in live if live[key] != rebuilt[key]]
    assert differing == [], {key: (live[key], rebuilt[key]) for key in differing[:3]}
    board_live, board_rebuilt = boards(stack, estates, live_set), boards(stack, estates, rebuilt_set)
    assert board_live.keys() == board_rebuilt.keys()
    differing = [key for key in board_live if board_live[key] != board_rebuilt[key]]
    assert differing == [], {key: (board_live[key], board_rebuilt[key]) for key in differing[:3]}
    # Each board event once, though delivered twice: the other estate (crafted events only) has one order
    # open of its two, and its two consultations open, one of them P1 (its complaints are resolved).
    assert [v["status"] for k, v in board_live.items() if k.startswith("board_work_orders/")
            and v["estate_id"] == other_id and v.get("open")] == ["accepted"]
    other_board = board_live[f"board_estates/{other_id}"]
    assert (other_board.get("open_tickets"), other_board.get("open_p1")) == (2, 1)
    days = [v for k, v in live.items() if k.startswith("daily_figures/") and v["estate_id"] == estate_id]
    assert sum(d.get("tickets_opened", 0) for d in days) == 19  # 12 crafted complaints, 4 consultations, 3 repairs
    assert sum(d.get("complaints", 0) for d in days) == 12
    assert sum(d.get("satisfaction_count", 0) for d in days) == 12  # each follow-up once, though delivered twice
    assert live[f"unit_counts/{estate_id}"]["units"] == 2  # each unit once, though registered twice
    for estate in estates:  # billing's events of two days, each once, though delivered twice
        billed = [v for k, v in live.items() if k.startswith("daily_figures/") and v["estate_id"] == estate]
        assert sum(d.get("billed_fen", 0) for d in billed) == 2 * 50000 + 2 + 4
        assert (sum(d.get("collected_fen", 0) for d in billed), sum(d.get("reversed_fen", 0) for d in billed)) == (
            60000, 20000)
        assert sum(d.get("dunning_notices", 0) for d in billed) == 2
    assert sum(v.get("tickets_opened", 0) for k, v in live.items()
               if k.startswith("daily_figures/") and v["estate_id"] == other_id) == 7

    # Every figure of every estate and day, as the API gives it, before and after the swap.
    every_day = sorted({(v["estate_id"], v["day"]) for k, v in live.items() if k.startswith("daily_figures/")})
    assert {estate for estate, _day in every_day} == set(estates)

    def all_figures() -> dict[tuple[str, str], dict]:
        return {(estate, day): supervisor.get("reporting", "/v1/figures", params={
            "estate_id": estate, "day": day}).json() for estate, day in every_day}

    first_day = min(d["day"] for d in days)
    params = {"estate_id": estate_id, "day": first_day, "period": "month"}
    figures_live, every_figure_live = supervisor.get("reporting", "/v1/figures", params=params).json(), all_figures()
    ops = Api(stack, user_id="ops-1", roles=["ops_viewer"], estates=estates)
    shown_live = dashboards(ops, estates)
    swapped = operator.post("reporting", "/v1/admin/read-model-rebuilds/current/swap")
    assert swapped.status_code == 200 and swapped.json()["state"] == "done", swapped.text
    assert swapped.json()["live"] == rebuilt_set  # the swap only names the other set live
    assert supervisor.get("reporting", "/v1/figures", params=params).json() == figures_live
    every_figure_rebuilt = all_figures()
    assert [key for key in every_figure_live if every_figure_live[key] != every_figure_rebuilt[key]] == []
    shown_rebuilt = dashboards(ops, estates)  # the dashboards read the swapped-in board
    assert [key for key in shown_live if shown_live[key] != shown_rebuilt[key]] == [], (shown_live, shown_rebuilt)
    assert read_models(stack, estates, rebuilt_set) == rebuilt

    # From now on the live path moves the swapped-in set only; the one before stays as it was.
    def opened(suffix: str) -> int:
        return sum(v.get("tickets_opened", 0) for k, v in read_models(stack, estate_id, suffix).items()
                   if k.startswith("daily_figures/"))

    assert agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "水表井盖破损")).status_code == 201
    eventually(lambda: opened(rebuilt_set) == 20, timeout=30, what="the new repair counted in the live set")
    assert opened(live_set) == 19
    # A second rebuild fills the other set afresh and swaps it back.
    second = operator.post("reporting", "/v1/admin/read-model-rebuilds", json={"swap_when_ready": True})
    assert second.status_code == 202, second.text
    eventually(lambda: (c := operator.get("reporting", "/v1/admin/read-model-rebuilds/current").json())["state"]
               == "done" and c["rebuild_id"] == second.json()["rebuild_id"], timeout=60, what="the second swap")
    assert operator.get("reporting", "/v1/admin/read-model-rebuilds/current").json()["live"] == live_set
    assert opened(live_set) == 20
