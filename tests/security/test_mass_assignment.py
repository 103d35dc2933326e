"""Mass assignment (quality.md, security 5): no request body of any service accepts fields only
the server sets. Every JSON body of every operation in the OpenAPI documents is sent with
them, and every one must be refused (422) naming each such field."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import SERVICES
from shared.auth import Role
from tests.helpers import setup_estate

# Set by the server only: whose data it is, the record's identity, and what it computes.
SERVER_SET = {"company_id": "other-company", "created_at": "2026-01-01T00:00:00Z", "version": 99}


def operations_with_json_bodies(stack, service: str):
    document = httpx.get(f"{stack.url(service)}/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path


@pytest.mark.parametrize("service", SERVICES)
def test_no_body_accepts_fields_only_the_server_sets(stack, service):
    admin = {"Authorization": "Bearer " + stack.token(user_id="admin-1", roles=list(Role.__args__), estates="*")}
    estate_id = setup_estate(stack, engineers=0)
    accepted, operations = [], list(operations_with_json_bodies(stack, service))
    for method, path in operations:
        # A registered estate (an unknown one is 404 before the body is read); any other id: the
        # body is refused before it is looked up.
        url = path.replace("{estate_id}", estate_id).replace("{", "").replace("}", "")
        response = httpx.request(method, f"{stack.url(service)}{url}", json=SERVER_SET, headers=admin)
        refused = {error["field"].rsplit(".", 1)[-1] for error in response.json().get("errors") or []}
        if response.status_code != 422 or not set(SERVER_SET) <= refused:
            accepted.append(f"{method} {path} → {response.status_code} {sorted(refused)}")
    assert not accepted, accepted
    if service in ("intake", "dispatch"):
        assert len(operations) >= 2
