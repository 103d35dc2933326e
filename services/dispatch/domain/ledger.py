"""The duty ledger's hash chain (客服工作台帐, 记录不得涂改): pure rules, no I/O.

Each entry of an estate carries `hash = HMAC-SHA256(key, canonical_json(content) + previous_hash)`.
Altering an entry's content breaks its own hash; deleting or moving an entry breaks the link of
the one after it. Only the holder of the key can recompute a chain, which is why the head is
also published outside the database (see the decision record on the duty ledger).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

GENESIS_HASH = ""  # the "previous hash" of an estate's first entry
Reason = Literal["content_altered", "link_broken", "entry_missing"]


def canonical_json(content: dict[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link_hash(key: bytes, content: dict[str, Any], *, previous_hash: str) -> str:
    return hmac.new(key, canonical_json(content) + previous_hash.encode("ascii"), hashlib.sha256).hexdigest()


def entry_id(estate_id: str, sequence: int) -> str:
    """Entry ids sort by sequence within an estate, and a missing entry can still be named."""
    return f"{estate_id}:{sequence:012d}"


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    entry_id: str
    reason: Reason
    detail: str


@dataclass(frozen=True)
class Verdict:
    checked: int
    last_sequence: int | None
    last_hash: str | None
    broken: BrokenLink | None

    @property
    def valid(self) -> bool:
        return self.broken is None


def _check_entry(key: bytes, estate_id: str, *, entry: dict[str, Any], expected: int,
                 previous_hash: str) -> BrokenLink | None:
    name = entry_id(estate_id, expected)
    content = entry["content"]
    if not hmac.compare_digest(link_hash(key, content, previous_hash=entry["previous_hash"]), entry["hash"]):
        return BrokenLink(expected, name, "content_altered", "the entry's hash does not match its content")
    if content.get("estate_id") != estate_id:
        return BrokenLink(expected, name, "content_altered", "the entry belongs to another estate")
    if content.get("sequence") != expected:
        return BrokenLink(expected, name, "link_broken",
                          f"the entry at {expected} is entry {content.get('sequence')} of the chain (moved)")
    if entry["previous_hash"] != previous_hash:
        return BrokenLink(expected, name, "link_broken", "the entry does not point at the entry before it")
    return None


def verify_chain(
    key: bytes, estate_id: str, *, entries: Iterable[dict[str, Any]], from_sequence: int, to_sequence: int,
    previous_hash: str,
) -> Verdict:
    """Check entries `from_sequence`..`to_sequence` (by stored sequence order); name the first broken link.

    `previous_hash` anchors the range: the hash of the entry before it (GENESIS_HASH at the start).
    Each entry is a mapping with `sequence`, `content`, `previous_hash` and `hash`.
    """
    expected, checked, last_hash = from_sequence, 0, None
    for entry in entries:
        if expected > to_sequence:
            break
        if entry["sequence"] > expected:
            return Verdict(checked, expected - 1 if checked else None, last_hash, BrokenLink(
                expected, entry_id(estate_id, expected), "entry_missing", f"no entry {expected} in the chain"))
        broken = _check_entry(key, estate_id, entry=entry, expected=expected, previous_hash=previous_hash)
        if broken is not None:
            return Verdict(checked, expected - 1 if checked else None, last_hash, broken)
        previous_hash = last_hash = entry["hash"]
        checked += 1
        expected += 1
    if expected <= to_sequence:
        return Verdict(checked, expected - 1 if checked else None, last_hash, BrokenLink(
            expected, entry_id(estate_id, expected), "entry_missing", f"no entry {expected} in the chain"))
    return Verdict(checked, to_sequence if checked else None, last_hash, None)
