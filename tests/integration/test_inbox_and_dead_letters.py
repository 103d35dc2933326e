"""The inbox applies each event once; failing events retry, park, and replay once."""

from __future__ import annotations

import asyncio
import time

import aio_pika
from ulid import ULID

from shared.bus import declare_exchange
from shared.consumer import CONSUMED, Consumer, Event, batched
from shared.dead_letters import DEAD_LETTERS, DeadLetterKeeper
from shared.envelope import Envelope
from shared.events import Parts, Payload, event


async def eventually(probe, *, timeout: float = 20.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := await probe():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def an_event(subject: str, **data) -> Envelope:
    return Envelope(
        source="/estatedesk/itest", type="estatedesk.itest.thing.happened.v1", subject=subject,
        companyid="company-1", estateid="estate-1", data=data,
    )


async def publish(connection, settings, envelope: Envelope, times: int = 1) -> None:
    channel = await connection.channel(publisher_confirms=True)
    exchange = await declare_exchange(channel, settings)
    for _ in range(times):
        await exchange.publish(
            aio_pika.Message(envelope.model_dump_json().encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=envelope.routing_key,
        )
    await channel.close()


def counted(queue: str, outcome: str) -> float:
    return CONSUMED.labels(queue, outcome)._value.get()


async def effect_count(database, subject: str) -> int:
    document = await database.db.effects.find_one({"_id": subject})
    return document["n"] if document else 0


class Handler:
    """Counts its effects in the database; fails on poison while `broken`."""

    def __init__(self) -> None:
        self.broken = True

    async def __call__(self, uow, envelope: Envelope) -> None:
        if envelope.data.get("poison") and self.broken:
            raise RuntimeError("cannot handle this one yet")
        await uow.db.effects.update_one(
            {"_id": envelope.subject}, {"$inc": {"n": 1}}, upsert=True, session=uow.session
        )


async def start_consumer(database, connection, settings, handler) -> Consumer:
    queue = f"itest.{str(ULID()).lower()}"
    consumer = Consumer(queue=queue, handlers={"itest.thing.happened": handler}, database=database, settings=settings)
    await consumer.start(connection)
    return consumer


async def test_the_same_event_three_times_has_one_effect(database, connection, settings):
    consumer = await start_consumer(database, connection, settings, Handler())
    event = an_event("thing-1")
    await publish(connection, settings, event, times=3)

    queue = consumer.queue_name
    await eventually(
        lambda: asyncio.sleep(0, counted(queue, "applied") + counted(queue, "duplicate") == 3),
        what="three deliveries",
    )
    assert counted(queue, "applied") == 1
    assert counted(queue, "duplicate") == 2
    assert await effect_count(database, "thing-1") == 1


async def test_a_poison_message_is_parked_while_others_flow_then_replayed_once(database, connection, settings):
    handler = Handler()
    consumer = await start_consumer(database, connection, settings, handler)
    keeper = DeadLetterKeeper(database=database, queues=[consumer.queue_name])
    await keeper.start(connection)

    poison = an_event("poison-1", poison=True)
    await publish(connection, settings, poison)
    for n in range(10):
        await publish(connection, settings, an_event(f"good-{n}"))

    async def all_good_applied():
        return all([await effect_count(database, f"good-{n}") == 1 for n in range(10)])

    await eventually(all_good_applied, what="the good events")
    parked = await eventually(
        lambda: database.db[DEAD_LETTERS].find_one({"event_id": poison.id}), what="the poison parked"
    )
    assert parked["attempts"] == settings.max_attempts
    assert "cannot handle this one yet" in parked["last_error"]
    assert counted(consumer.queue_name, "retried") == settings.max_attempts - 1
    assert await effect_count(database, "poison-1") == 0

    handler.broken = False  # the fix is deployed
    await keeper.replay(parked["_id"], company_id="company-1")
    await eventually(lambda: effect_count(database, "poison-1"), what="the replayed poison applied")
    await keeper.replay(parked["_id"], company_id="company-1")  # an operator clicks twice
    await eventually(
        lambda: asyncio.sleep(0, counted(consumer.queue_name, "duplicate") == 1), what="the second replay"
    )
    assert await effect_count(database, "poison-1") == 1
    replayed = await database.db[DEAD_LETTERS].find_one({"_id": parked["_id"]})
    assert replayed["replayed_at"] is not None


async def test_a_malformed_message_is_parked_at_once(database, connection, settings):
    consumer = await start_consumer(database, connection, settings, Handler())
    keeper = DeadLetterKeeper(database=database, queues=[consumer.queue_name])
    await keeper.start(connection)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await declare_exchange(channel, settings)
    await exchange.publish(aio_pika.Message(b"{not json"), routing_key="itest.thing.happened")
    parked = await eventually(
        lambda: database.db[DEAD_LETTERS].find_one({"queue": consumer.queue_name}), what="the malformed message parked"
    )
    assert parked["event_id"] is None
    assert parked["attempts"] == 1
    assert "malformed" in parked["last_error"]


@event("itest.count.happened")
class CountHappened(Payload):
    """A test event with a typed payload."""

    counter: str
    by: int


def a_count(counter: str, by) -> Envelope:
    return Envelope(source="/estatedesk/itest", type="estatedesk.itest.count.happened.v1", subject=counter,
                    companyid="company-1", estateid="estate-1", data={"counter": counter, "by": by})


class CountBatches:
    """A batch-shaped handler: one write per batch for all of its events."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    async def __call__(self, uow, events: list[Event[CountHappened]]) -> None:
        self.calls.append(len(events))
        totals: dict[str, int] = {}
        for counted_event in events:
            totals[counted_event.payload.counter] = totals.get(counted_event.payload.counter, 0) + counted_event.payload.by
        for counter, by in totals.items():
            await uow.db.effects.update_one({"_id": counter}, {"$inc": {"n": by}}, upsert=True, session=uow.session)


async def test_a_batched_handler_gets_typed_payloads_and_applies_each_event_once(database, connection, settings):
    handler = CountBatches()
    queue = f"itest.{str(ULID()).lower()}"
    consumer = Consumer(queue=queue, handlers={"itest.count.happened": batched(handler)}, database=database,
                        settings=settings)
    keeper = DeadLetterKeeper(database=database, queues=[queue])
    await keeper.start(connection)
    await consumer.start(connection)
    events = [a_count("batched-1", 1) for _ in range(30)]
    for envelope in events:
        await publish(connection, settings, envelope)
    await publish(connection, settings, events[0], times=2)  # redelivered
    invalid = a_count("batched-1", "not a number")
    await publish(connection, settings, invalid)

    await eventually(lambda: asyncio.sleep(0, counted(queue, "applied") + counted(queue, "duplicate") == 32),
                     what="every delivery")
    assert await effect_count(database, "batched-1") == 30
    assert counted(queue, "duplicate") == 2
    assert sum(handler.calls) == 30
    parked = await eventually(lambda: database.db[DEAD_LETTERS].find_one({"event_id": invalid.id}),
                              what="the invalid payload parked")
    assert parked["attempts"] == 1 and "invalid" in parked["last_error"]


@event("itest.counts.happened", parts=Parts(field="counts", of=CountHappened, subject="counter"))
class CountsHappened(Payload):
    """A test carrier of `itest.count.happened` events."""

    counts: list[CountHappened]


def a_carrier(*counts: tuple[str, object]) -> Envelope:
    return Envelope(source="/estatedesk/itest", type="estatedesk.itest.counts.happened.v1", subject="carrier",
                    companyid="company-1", estateid="estate-1",
                    data={"counts": [{"counter": counter, "by": by} for counter, by in counts]})


async def test_a_carrier_reaches_each_kind_of_handler_as_its_parts_once(database, connection, settings):
    batch_handler = CountBatches()
    one_by_one: list[Envelope] = []

    async def each(uow, envelope: Envelope) -> None:
        one_by_one.append(envelope)
        await uow.db.effects.update_one({"_id": f"each-{envelope.subject}"}, {"$inc": {"n": envelope.data["by"]}},
                                        upsert=True, session=uow.session)

    # Bound to the parts' routing key only: the carrier's key is bound for them.
    batched_consumer = Consumer(queue=f"itest.{str(ULID()).lower()}", handlers={
        "itest.count.happened": batched(batch_handler)}, database=database, settings=settings)
    plain_consumer = Consumer(queue=f"itest.{str(ULID()).lower()}", handlers={"itest.count.happened": each},
                              database=database, settings=settings)
    keeper = DeadLetterKeeper(database=database, queues=[batched_consumer.queue_name, plain_consumer.queue_name])
    await keeper.start(connection)
    for consumer in (batched_consumer, plain_consumer):
        await consumer.start(connection)
    carrier = a_carrier(*[(f"carried-{n % 3}", n) for n in range(100)])
    await publish(connection, settings, carrier, times=2)  # redelivered as a whole

    for consumer in (batched_consumer, plain_consumer):
        await eventually(lambda queue=consumer.queue_name: asyncio.sleep(
            0, counted(queue, "applied") + counted(queue, "duplicate") == 2), what="both deliveries of the carrier")
        assert (counted(consumer.queue_name, "applied"), counted(consumer.queue_name, "duplicate")) == (1, 1)
    expected = {f"carried-{k}": sum(n for n in range(100) if n % 3 == k) for k in range(3)}
    for counter, total in expected.items():
        assert await effect_count(database, counter) == total
        assert await effect_count(database, f"each-{counter}") == total
    assert sum(batch_handler.calls) == 100
    assert [e.id for e in one_by_one] == [f"{carrier.id}-{n:04d}" for n in range(100)]
    assert {e.type for e in one_by_one} == {"estatedesk.itest.count.happened.v1"}

    # A carrier with an invalid part, or with no list of parts, is parked at once, whole.
    invalid = a_carrier(("carried-0", 1), ("carried-0", "not a number"))
    broken = a_carrier()
    broken.data = {"counts": "none"}
    for envelope in (invalid, broken):
        await publish(connection, settings, envelope)
    for envelope, reason in ((invalid, "invalid"), (broken, "malformed carrier")):
        parked = await eventually(lambda envelope=envelope: database.db[DEAD_LETTERS].find_one(
            {"event_id": envelope.id, "queue": batched_consumer.queue_name}), what="the bad carrier parked")
        assert parked["attempts"] == 1 and reason in parked["last_error"]
    assert await effect_count(database, "carried-0") == expected["carried-0"]
