"""One poller per process serves every stream: each hears only of its own estates' moves."""

from __future__ import annotations

import asyncio

from services.reporting.commands import dashboard_stream


def test_every_stream_hears_of_its_estates_moving_and_one_read_serves_them_all(monkeypatch):
    versions = {"a": 1, "b": 1}
    reads: list[list[str]] = []

    async def read(_database, estate_ids):
        reads.append(sorted(estate_ids))
        return {i: versions.get(i, 0) for i in estate_ids}

    monkeypatch.setattr(dashboard_stream.store, "versions", read)

    async def scenario():
        watcher = dashboard_stream.VersionWatcher(object(), interval_s=0.01)
        only_a, both = watcher.watch(["a"], for_s=5), watcher.watch(["a", "b"], for_s=5)
        assert await anext(only_a) == {"a": 1} and await anext(both) == {"a": 1, "b": 1}
        versions["b"] = 2
        assert await asyncio.wait_for(anext(both), 2) == {"a": 1, "b": 2}
        versions["a"] = 3
        assert await asyncio.wait_for(anext(only_a), 2) == {"a": 3}  # b's move was not news to it
        assert await asyncio.wait_for(anext(both), 2) == {"a": 3, "b": 2}
        polls = [r for r in reads[2:]]
        assert polls and all(r == ["a", "b"] for r in polls)  # one read for both streams
        await only_a.aclose()
        await both.aclose()
        assert watcher.watchers == {}

    asyncio.run(scenario())


def test_a_stream_ends_after_its_time():
    async def scenario():
        watcher = dashboard_stream.VersionWatcher(object(), interval_s=0.01)
        return [v async for v in watcher.watch([], for_s=0.05)]

    assert asyncio.run(scenario()) == [{}]
