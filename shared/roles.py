"""The roles a token may carry, and the role sets every service means the same way by.

Plain Python, so that domain rules may name them; each service's `api/deps.py` turns the sets
its routes admit into `Annotated` aliases.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal[
    "resident", "agent", "supervisor", "dispatcher", "technician", "billing_clerk",
    "estate_manager", "company_admin", "ops_viewer", "integrator",
]

ROLES: frozenset[str] = frozenset(get_args(Role))
# Everyone but a resident: the company's staff and its systems (a resident sees their own units only).
STAFF: frozenset[str] = ROLES - {"resident"}
# Supervisors and the managers above them: approvals, settings, spot checks, every message of their estates.
SUPERVISORS: frozenset[str] = frozenset({"supervisor", "estate_manager", "company_admin"})
# The service centre's desk: agents and those above them.
FRONT_DESK: frozenset[str] = SUPERVISORS | {"agent"}
