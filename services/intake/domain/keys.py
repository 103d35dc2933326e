"""Keys lent from the service centre's register, and lost property kept for its owner.

A key is either in the cabinet or out on one loan; lending a key that is out, or returning
one that is in, is a conflict. Lost property is kept for the estate's keeping time (90 days
unless the estate says otherwise), then may be disposed of.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from shared.errors import Conflict, InvalidTransition
from shared.local_time import local_time

KeyKind = Literal["unit", "plant_room", "master", "other"]
LostItemStatus = Literal["held", "claimed", "disposed"]
DEFAULT_KEEP_DAYS = 90


class KeyAlreadyOut(Conflict):
    code, title = "key_out", "The key is out on loan"


class KeyNotOut(Conflict):
    code, title = "key_in", "The key is not out on loan"


def check_lendable(key: dict, time_zone: str) -> None:
    if key["status"] == "out":
        since = local_time(key["lent_at"], time_zone, with_year=True)
        raise KeyAlreadyOut(f"key {key['label']} is out on loan since {since}")


def check_returnable(key: dict) -> None:
    if key["status"] != "out":
        raise KeyNotOut(f"key {key['label']} is in the register, not out on loan")


def keep_until(found_at: datetime, keep_days: int) -> datetime:
    return found_at + timedelta(days=keep_days)


def check_claimable(item: dict) -> None:
    if item["status"] != "held":
        raise InvalidTransition(f"this item is {item['status']}; only an item held can be claimed")


def check_disposable(item: dict, now: datetime, *, time_zone: str) -> None:
    """Only an unclaimed item, and only once its keeping time is over."""
    if item["status"] != "held":
        raise InvalidTransition(f"this item is {item['status']}; only an item held can be disposed of")
    if now < item["keep_until"]:
        until = local_time(item["keep_until"], time_zone, with_year=True)
        raise Conflict(f"this item is kept until {until}", field="keep_until")


def mask_document_number(number: str) -> str:
    """`110101199003071234` → `110***********1234`: enough to recognise, not enough to misuse."""
    if len(number) <= 6:
        return "*" * (len(number) - 2) + number[-2:] if len(number) > 2 else "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
