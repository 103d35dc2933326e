"""What the dashboards show: the company overview's tiles, one estate's board, its 30-day charts.

Read from the live board (kept by `live_board`) and the daily figures; a figure whose inputs were
not recorded is None (shown as —), never 0.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.reporting import store as read_models
from services.reporting.domain import dashboard_board as rules
from services.reporting.settings import ReportingSettings
from services.reporting.store import dashboard_board as store
from shared.cache import TtlCache
from shared.envelope import utcnow
from shared.estates import DEFAULT_TIME_ZONE, local_day

CHART_DAYS = 30
TIMELINE_LIMIT = 100
MONEY_FIELDS = ("billed_fen", "collected_fen", "reversed_fen")


def today_of(estate: dict[str, Any], now: datetime) -> date:
    return local_day(now, estate.get("time_zone") or DEFAULT_TIME_ZONE)


def _sum_of(documents: list[dict[str, Any]], name: str) -> int | None:
    """The sum over the days that recorded `name`; None when none did."""
    values = [d[name] for d in documents if isinstance(d.get(name), int)]
    return sum(values) if values else None


# This month's money changes with billing's runs and payments, not with every call, and reading a
# month of daily figures for 200 estates takes seconds here: each process keeps the sums of the
# month's earlier days for minutes (only a late event changes them) and today's for seconds.
_earlier_days: TtlCache[dict[str, int | None]] = TtlCache(ttl_s=300.0)
_today: TtlCache[dict[str, int | None]] = TtlCache(ttl_s=5.0)


async def _sums(database, cache: TtlCache, *, days_of: dict[str, list[str]]) -> dict[str, dict[str, int | None]]:
    """`days_of`: cache key → the daily-figures ids it sums; those not cached are read in one `$in`."""

    async def load(missing: list[str]) -> dict[str, dict[str, int | None]]:
        ids = [i for key in missing for i in days_of[key]]
        found = await read_models.days_by_id(database, ids, projection={name: 1 for name in MONEY_FIELDS})
        return {key: {name: _sum_of([found[i] for i in days_of[key] if i in found], name) for name in MONEY_FIELDS}
                for key in missing}

    return await cache.get_many(list(days_of), load)


async def _month_money(database, boards: list[dict[str, Any]], *, now: datetime) -> dict[str, dict[str, int | None]]:
    """This month's billed and collected fen per estate, summed from its daily figures."""
    earlier, today, estate_of = {}, {}, {}
    for board in boards:
        day = today_of(board, now)
        key = f"{database.db.name}/{board['_id']}/{day.isoformat()}"
        earlier[key] = [f"{board['_id']}:{day.replace(day=d).isoformat()}" for d in range(1, day.day)]
        today[key] = [f"{board['_id']}:{day.isoformat()}"]
        estate_of[key] = board["_id"]
    before, now_sums = await _sums(database, _earlier_days, days_of=earlier), await _sums(database, _today,
                                                                                          days_of=today)
    result = {}
    for key in earlier:
        parts = [before[key], now_sums[key]]
        result[estate_of[key]] = {name: _sum_of([p for p in parts if p[name] is not None], name)
                                     for name in MONEY_FIELDS}
    return result


def _net(collected_fen: int | None, reversed_fen: int | None) -> int | None:
    """Collected less what reversals took off bills (as the figures' 收缴率 counts it)."""
    if collected_fen is None and reversed_fen is None:
        return None
    return (collected_fen or 0) - (reversed_fen or 0)


def _levels(tile: dict[str, Any], settings: ReportingSettings) -> dict[str, str]:
    s = settings
    return {
        "answer_rate": rules.level(tile["answer_rate"], amber=s.dashboard_answer_rate_amber,
                                   red=s.dashboard_answer_rate_red, higher_is_worse=False),
        "open_p1": rules.level(tile["open_p1"], amber=s.dashboard_open_p1_amber, red=s.dashboard_open_p1_red,
                               higher_is_worse=True),
        "breaches_today": rules.level(tile["breaches_today"], amber=s.dashboard_breaches_amber,
                                      red=s.dashboard_breaches_red, higher_is_worse=True),
        "collection_rate": rules.level(tile["collection_rate"], amber=s.dashboard_collection_rate_amber,
                                       red=s.dashboard_collection_rate_red, higher_is_worse=False),
    }


def _overall(levels: dict[str, str]) -> str:
    return "red" if "red" in levels.values() else "amber" if "amber" in levels.values() else "ok"


def candidate_days(now: datetime) -> list[str]:
    """Every estate's local today is one of these, whatever its time zone."""
    return [(now.date() + timedelta(days=n)).isoformat() for n in (-1, 0, 1)]


async def tiles(database, boards: list[dict[str, Any]], *, settings: ReportingSettings) -> list[dict[str, Any]]:
    """One tile per estate's board (read with its `days` of `candidate_days`) and this month's money."""
    now = utcnow()
    money = await _month_money(database, boards, now=now)
    result = []
    for board in boards:
        estate_id, today = board["_id"], today_of(board, now)
        day = (board.get("days") or {}).get(today.isoformat(), {})
        tile = {
            "estate_id": estate_id, "name": board.get("name") or estate_id, "day": today.isoformat(),
            "time_zone": board.get("time_zone") or DEFAULT_TIME_ZONE, "version": board.get("version", 0),
            "calls_today": day.get("calls", 0), "calls_timed_today": day.get("calls_timed", 0),
            "answered_15s_today": day.get("answered_15s", 0),
            "answer_rate": rules.answer_rate(day.get("answered_15s", 0), day.get("calls_timed", 0)),
            "open_tickets": board.get("open_tickets", 0), "open_p1": board.get("open_p1", 0),
            "breaches_today": day.get("breaches", 0),
            "billed_fen_month": money[estate_id]["billed_fen"],
            "collected_fen_month": _net(money[estate_id]["collected_fen"], money[estate_id]["reversed_fen"]),
        }
        tile["collection_rate"] = rules.collection_rate(tile["billed_fen_month"], tile["collected_fen_month"])
        tile["levels"] = _levels(tile, settings)
        tile["level"] = _overall(tile["levels"])
        result.append(tile)
    return result


def _order_view(order: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = order.get("created_at") or order.get("first_seen_at")
    milestone, deadline = rules.next_deadline(order)
    return {
        "work_order_id": order["_id"], "number": order.get("number"), "status": order.get("status") or "unknown",
        "priority": order.get("priority"), "department": order.get("department"), "since": since,
        "age_s": int((now - since).total_seconds()) if since else None,
        "sla_state": rules.sla_state(order), "next_milestone": milestone, "deadline": deadline,
        "breached_milestones": order.get("breached", []),
    }


async def estate_board(database, estate: dict[str, Any], *, settings: ReportingSettings) -> dict[str, Any]:
    now = utcnow()
    (tile,) = await tiles(database, [estate], settings=settings)
    orders = [_order_view(o, now) for o in
              await store.open_work_orders(database, estate["_id"], limit=settings.dashboard_queue_limit)]
    orders.sort(key=lambda o: (o["since"] is None, o["since"] or now))
    by_status: dict[str, int] = {}
    for order in orders:
        by_status[order["status"]] = by_status.get(order["status"], 0) + 1
    timeline = await store.timeline(database, estate["_id"], day=tile["day"], limit=TIMELINE_LIMIT)
    return {
        **tile, "open_work_orders": orders, "open_by_status": by_status,
        "about_to_breach": [o for o in orders if o["sla_state"] == "at_risk"],
        "breached": [o for o in orders if o["sla_state"] == "breached"],
        "timeline": [{"id": e["_id"], **{k: v for k, v in e.items() if k not in ("_id", "estate_id", "company_id")}}
                     for e in timeline],
    }


def _ratio(numerator: int | None, denominator: int | None, *, digits: int = 4) -> float | None:
    if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator == 0:
        return None
    return round(numerator / denominator, digits)


async def charts(database, estate: dict[str, Any]) -> dict[str, Any]:
    """The last 30 local days up to today: one value per day, None where nothing was recorded."""
    today = today_of(estate, utcnow())
    days = [(today - timedelta(days=n)).isoformat() for n in range(CHART_DAYS - 1, -1, -1)]
    found = await read_models.days_by_id(database, [f"{estate['_id']}:{d}" for d in days])
    documents = [found.get(f"{estate['_id']}:{d}", {}) for d in days]
    categories = sorted({c for d in documents for c in (d.get("tickets_by_category") or {})})
    return {
        "estate_id": estate["_id"], "days": days,
        "calls": [d.get("contacts_logged") for d in documents],
        "tickets_by_category": {c: [(d.get("tickets_by_category") or {}).get(c) if d else None for d in documents]
                                for c in categories},
        "on_time_rate": [_ratio(d.get("work_orders_completed_on_time"), d.get("work_orders_completed"))
                         for d in documents],
        "satisfaction": [_ratio(d.get("satisfaction_sum"), d.get("satisfaction_count"), digits=2) for d in documents],
        "collection_rate": [_ratio(_net(d.get("collected_fen"), d.get("reversed_fen")), d.get("billed_fen"))
                            for d in documents],
    }
