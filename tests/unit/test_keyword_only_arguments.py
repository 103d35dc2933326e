"""The style guide's keyword-only arguments: a function or method in services/ and shared/ takes at most
two positional parameters besides self/cls; the rest are keyword-only (after a bare `*`). A function
with *args is exempt, and so is a signature whose caller is not ours, listed below with the reason."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_POSITIONAL = 2

_ASGI = "ASGI application: the server calls app(scope, receive, send)"
_FIGURE_RULE = ("called through `_RULES` as rule(counted, data, happened_at, time_zone), one positional protocol "
                "for every rule; `_dunning` names its last two differently from the others")
EXEMPT = {
    "shared/idempotent_requests.py:IdempotentPosts.__call__": _ASGI,
    "shared/limits.py:BodySizeLimit.__call__": _ASGI,
    "shared/logging.py:mask_personal_data": "structlog processor: called as processor(logger, method_name, event_dict)",
    "shared/logging.py:add_trace_ids": "structlog processor: called as processor(logger, method_name, event_dict)",
    **{f"services/reporting/domain/figures.py:{name}": _FIGURE_RULE for name in (
        "_contact", "_ticket_opened", "_incident", "_counter.rule", "_bill_issued", "_payment", "_reversal",
        "_dunning", "_breach", "_escalation", "_staff_name", "_handover_acknowledged")},
}


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function, methods and nested functions included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _positional(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]


def functions_with_too_many_positional() -> tuple[list[str], set[str]]:
    offenders, seen = [], set()
    for folder in ("services", "shared"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for name, node in _functions(ast.parse(path.read_text())):
                positional = _positional(node)
                if len(positional) <= MAX_POSITIONAL or node.args.vararg:
                    continue
                key = f"{relative}:{name}"
                seen.add(key)
                if key not in EXEMPT:
                    offenders.append(f"{key} ({', '.join(positional)}) at line {node.lineno}")
    return offenders, seen


def test_functions_take_at_most_two_positional_arguments():
    offenders, _ = functions_with_too_many_positional()
    assert not offenders, ("make the parameters after the second keyword-only (a bare `*`), or list the "
                           "function in EXEMPT with why its callers need them positional:\n" + "\n".join(offenders))


def test_every_exemption_is_still_needed():
    _, seen = functions_with_too_many_positional()
    assert not set(EXEMPT) - seen, f"exempt but no longer taking more than two positional: {sorted(set(EXEMPT) - seen)}"
