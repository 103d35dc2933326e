"""Authentication and roles (quality.md, security 2 and 3) for every operation of every service,
read from the OpenAPI documents: who is asking is checked before what they sent is read.

- no token → 401, whatever the body (a broken one included);
- a token holding only roles the operation does not admit (its `x-roles`) → 403, whatever the body;
- every operation's roles are those of the role matrix, `docs/role-matrix.md`, in full.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from devstack.stack import SERVICES
from shared.auth import Role
from tests.security.operations import fill, operations

EVERY_ROLE = set(Role.__args__)
ROLE_MATRIX = Path(__file__).resolve().parents[2] / "docs" / "role-matrix.md"
BODIES = {"broken JSON": b'{"estate_id": "demo-estate", ', "empty object": b"{}", "no body": None}
# Public on purpose: the AsyncAPI document of the events.
# Called without a bearer token: the AsyncAPI document, and WeChat Pay's payment notifications, whose
# caller is authenticated by the platform's signature (tests/e2e/test_billing_wechatpay.py refuses a bad one).
# The SMS vendors push delivery receipts unsigned: a secret in the path is their authentication (a wrong one
# is 404, tests/e2e/test_notification_receipts.py).
UNAUTHENTICATED = {"GET /v1/asyncapi.json", "POST /v1/wechatpay/notifications",
                   "POST /v1/sms-receipts/{provider}/{token}"}


def send(stack, service: str, operation, headers: dict, body: bytes | None) -> httpx.Response:
    filled = fill(stack, service, operation, real=False)
    assert not isinstance(filled, str), f"{operation}: cannot fill {filled}"
    url, query = filled
    content_type = {"Content-Type": "application/json"} if body is not None else {}
    return httpx.request(operation.method, f"{stack.url(service)}{url}", params=query, content=body,
                         headers={**headers, **content_type}, timeout=30)


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_names_its_roles(stack, service):
    unguarded = [str(o) for o in operations(stack, service) if o.roles is None and str(o) not in UNAUTHENTICATED]
    assert not unguarded, f"operations that do not authenticate their caller: {unguarded}"


@pytest.mark.parametrize("service", SERVICES)
def test_no_token_is_401_whatever_the_body(stack, service):
    wrong = []
    for operation in operations(stack, service):
        for label, body in BODIES.items():
            if operation.roles is None or (body is not None and not operation.has_body):
                continue
            response = send(stack, service, operation, {}, body)
            if response.status_code != 401 or response.json().get("code") != "unauthorized":
                wrong.append(f"{operation} ({label}) → {response.status_code}")
    assert not wrong, wrong


@pytest.mark.parametrize("service", SERVICES)
def test_a_role_the_operation_does_not_admit_is_403_whatever_the_body(stack, service):
    wrong, tried = [], 0
    for operation in operations(stack, service):
        if not isinstance(operation.roles, list) or not (others := EVERY_ROLE - set(operation.roles)):
            continue
        headers = {"Authorization": "Bearer " + stack.token(user_id="eng-wang", roles=sorted(others), estates="*")}
        for label, body in BODIES.items():
            if body is not None and not operation.has_body:
                continue
            tried += 1
            response = send(stack, service, operation, headers, body)
            if response.status_code != 403 or response.json().get("code") != "forbidden":
                wrong.append(f"{operation} as {sorted(others)} ({label}) → {response.status_code}")
    assert not wrong, wrong
    assert tried >= 1


def matrix_rows() -> dict[str, list[str] | str]:
    """`| service | METHOD /path | role, role |` rows of the role matrix."""
    rows = {}
    for line in ROLE_MATRIX.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in SERVICES:
            rows[f"{cells[0]} {cells[1].strip('`')}"] = "any" if cells[2] == "any" else \
                sorted(r.strip() for r in cells[2].split(","))
    return rows


def test_the_role_matrix_is_what_every_service_enforces(stack):
    documented = matrix_rows()
    enforced = {f"{service} {o}": o.roles for service in SERVICES for o in operations(stack, service)
                if o.roles is not None}
    differences = sorted(
        f"{key}: matrix {documented.get(key)} ≠ service {enforced.get(key)}"
        for key in documented.keys() | enforced.keys() if documented.get(key) != enforced.get(key)
    )
    assert not differences, differences
