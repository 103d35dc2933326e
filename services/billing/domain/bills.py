"""A bill line as stored: one unit, one item, one period, its amount and the rule it came from.

Its `_id` is its unique key (`<unit>:<item>:<period>`, or the line id of a one-off charge): a
rerun, a resumed run or a redelivered event cannot make a second one, and no extra index is kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def new_line(*, key: str, estate_id: str, company_id: str, unit_id: str, item: dict[str, Any], period: str,
             due_date: date, rule: dict[str, Any], amount_fen: int, at, run_id: str | None = None,
             source: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "_id": key, "estate_id": estate_id, "company_id": company_id, "unit_id": unit_id,
        "item_code": item["code"], "item_name_zh": item["name_zh"], "item_name_en": item["name_en"],
        "period": period, "due_date": due_date.isoformat(), "rule": rule, "amount_fen": amount_fen, "paid_fen": 0, "waived_fen": 0,
        "status": "issued", "billing_run_id": run_id, "source": source or {}, "issued_at": at,
    }


def outstanding(line: dict[str, Any]) -> int:
    """What is still owed on a line: its amount less what was paid and what was waived."""
    return line["amount_fen"] - line["paid_fen"] - line.get("waived_fen", 0)
