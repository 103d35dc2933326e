"""SecantusDB retries a write made outside a transaction server-side, without end, while it conflicts
with an open transaction's write of the same document, and holds the locks other transactions need
(platform notes; seen as a notification database that stopped answering while the directory was
projected). So a collection that a service changes in transactions is changed only in transactions:
this reads every service's code and names any write beside them. Inserts are not counted (a new
document is not being written by anyone else)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHANGES = {"update_one", "update_many", "delete_one", "delete_many", "bulk_write", "replace_one",
           "find_one_and_update", "find_one_and_delete", "find_one_and_replace"}


def _collection(call: ast.Call) -> str | None:
    """`X` of `….db[X].update_one(…)` or `uow.write(X, …)`, by its last name (`store.MESSAGES` → MESSAGES)."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "write" and call.args:
        node = call.args[0]
    elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Subscript):
        node = call.func.value.slice
    else:
        return None
    return ast.unparse(node).rsplit(".", 1)[-1] if isinstance(node, (ast.Name, ast.Attribute)) else None


def writes_by_collection() -> tuple[dict, dict]:
    inside, outside = defaultdict(list), defaultdict(list)
    for path in (ROOT / "services").rglob("*.py"):
        service = path.relative_to(ROOT / "services").parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = _collection(node)
            if name is None:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.attr == "write" and ast.unparse(node.func.value) == "uow":
                inside[service, name].append(where)
            elif node.func.attr in CHANGES:
                in_session = any(k.arg == "session" for k in node.keywords)
                (inside if in_session else outside)[service, name].append(where)
    return inside, outside


def test_the_reader_finds_both_kinds_of_write():
    inside, outside = writes_by_collection()
    assert ("notification", "MESSAGES") in inside and ("billing", "RUN_CLAIMS") in outside


def test_no_collection_changed_in_transactions_is_changed_outside_one():
    inside, outside = writes_by_collection()
    beside = {f"{service} {name}": outside[service, name] for service, name in outside if (service, name) in inside}
    assert not beside, beside
