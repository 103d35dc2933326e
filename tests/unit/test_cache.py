"""The per-process TTL copy: served while fresh, reloaded after, never keeps an absence."""

import asyncio

from shared.cache import TtlCache


def test_a_fresh_copy_is_served_a_forgotten_or_missing_one_is_loaded_again():
    cache: TtlCache[dict] = TtlCache(ttl_s=60)
    loads = []

    async def load(value):
        loads.append(value)
        return value

    async def scenario():
        assert await cache.get("a", lambda: load({"v": 1})) == {"v": 1}
        assert await cache.get("a", lambda: load({"v": 2})) == {"v": 1}
        cache.forget("a")
        assert await cache.get("a", lambda: load({"v": 3})) == {"v": 3}
        assert await cache.get("b", lambda: load(None)) is None
        assert await cache.get("b", lambda: load({"v": 4})) == {"v": 4}

    asyncio.run(scenario())
    assert loads == [{"v": 1}, {"v": 3}, None, {"v": 4}]


def test_an_expired_copy_is_loaded_again():
    cache: TtlCache[int] = TtlCache(ttl_s=0)

    async def scenario():
        await cache.get("a", lambda: asyncio.sleep(0, 1))
        return await cache.get("a", lambda: asyncio.sleep(0, 2))

    assert asyncio.run(scenario()) == 2


def test_a_remembered_absence_is_served_until_it_expires_and_the_process_ttl_applies():
    from shared import cache as caches

    remembered: TtlCache[dict] = TtlCache(remember_missing=True)
    loads = []

    async def load(value):
        loads.append(value)
        return value

    async def scenario():
        assert await remembered.get("x", lambda: load(None)) is None
        assert await remembered.get("x", lambda: load({"v": 1})) is None  # the absence is kept
        remembered.forget("x")
        caches.configure(0)  # what every cache without a fixed TTL keeps from now on expires at once
        try:
            assert await remembered.get("x", lambda: load({"v": 2})) == {"v": 2}
            assert await remembered.get("x", lambda: load({"v": 3})) == {"v": 3}
        finally:
            caches.configure(5.0)

    asyncio.run(scenario())
    assert loads == [None, {"v": 2}, {"v": 3}]


def test_many_keys_load_together_only_those_not_fresh():
    cache: TtlCache[int] = TtlCache(ttl_s=60)
    asked: list[list[str]] = []

    async def load(keys):
        asked.append(keys)
        return {key: len(key) for key in keys}

    async def scenario():
        assert await cache.get_many(["a", "bb"], load) == {"a": 1, "bb": 2}
        assert await cache.get_many(["a", "bb", "ccc"], load) == {"a": 1, "bb": 2, "ccc": 3}
        cache.forget("a")
        assert await cache.get_many(["a", "ccc"], load) == {"a": 1, "ccc": 3}

    asyncio.run(scenario())
    assert asked == [["a", "bb"], ["ccc"], ["a"]]
