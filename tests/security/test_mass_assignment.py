"""Mass assignment (quality.md, security 5): no request body of any service accepts fields only
the server sets. Every JSON body of every operation in the OpenAPI documents is sent with
them, and every one must be refused (422) naming each such field."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import SERVICES
from shared.auth import Role
from tests.security.operations import fill, operations
from tests.security.test_tenant_isolation import ESTATE

# Set by the server only: whose data it is, the record's identity, and what it computes.
SERVER_SET = {"company_id": "other-company", "created_at": "2026-01-01T00:00:00Z", "version": 99}


def operations_with_json_bodies(stack, service: str):
    document = httpx.get(f"{stack.url(service)}/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                yield method.upper(), path


def decoration(stack, headers: dict) -> str:
    cases = httpx.get(f"{stack.url('intake')}/v1/procedures", params={"estate_id": ESTATE, "kind": "decoration"},
                      headers=headers).json()["items"]
    return cases[0]["id"]



@pytest.mark.parametrize("service", SERVICES)
def test_no_body_accepts_fields_only_the_server_sets(stack, demo, service):
    admin = {"Authorization": "Bearer " + stack.token(user_id="admin-1", roles=list(Role.__args__), estates="*")}
    accepted, tried = [], 0
    json_bodies = set(operations_with_json_bodies(stack, service))
    for operation in operations(stack, service):
        if (operation.method, operation.path) not in json_bodies:
            continue
        # The demo estate's real ids: estates and resources are looked up (404) before the body is
        # read; an id the demo has none of gets a placeholder (its body is refused before lookup).
        filled = fill(stack, service, operation)
        url, query = filled if not isinstance(filled, str) else fill(stack, service, operation, real=False)
        if operation.path.endswith(("/approve", "/reject")) and "{procedure_id}" in operation.path:
            url = f"/v1/procedures/{decoration(stack, admin)}/{operation.path.rsplit('/', 1)[1]}"  # has approvers
        response = httpx.request(operation.method, f"{stack.url(service)}{url}", params=query, json=SERVER_SET,
                                 headers=admin)
        tried += 1
        refused = {error["field"].rsplit(".", 1)[-1] for error in response.json().get("errors") or []}
        if response.status_code != 422 or not set(SERVER_SET) <= refused:
            accepted.append(f"{operation} → {response.status_code} {sorted(refused)} {response.json().get('detail')}")
    assert not accepted, accepted
    if service in ("intake", "dispatch"):
        assert tried >= 2
