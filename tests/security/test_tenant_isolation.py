"""Tenant isolation (quality.md, security 1): every operation of every service, read from the
services' OpenAPI documents, finds nothing of an estate the caller may not see — neither as a
caller scoped to another estate, nor as an admin of another company with every estate (`*`).

The demo estate is loaded (every area's demo data); each `{something_id}` in a path is filled
with a real id of the demo estate, found in the owning service's database by the naming
convention (`work_order_id` → `work_orders`) or the table in `operations.py`. A new endpoint is
covered without anyone remembering to; a path parameter the test cannot fill fails it, by name.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from devstack.demo import ESTATE
from devstack.stack import SERVICES
from shared.auth import Role
from shared.envelope import Envelope
from tests.e2e.test_dead_letters_api import parked, publish_raw
from tests.helpers import Api, eventually
from tests.security.operations import NOT_ESTATE_SCOPED, WRITES, fill, operations

EVERY_ROLE = list(Role.__args__)
OTHER_COMPANY = "evil-company"



def bearer(stack, **claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + stack.token(user_id="outsider", roles=EVERY_ROLE, **claims)}


def try_every_operation(stack, service: str, headers: dict, *, every_operation: bool) -> tuple[list, list, int]:
    """(unfillable parameters, leaks, operations tried). An operation naming the estate (path or query)
    or one of its resources answers 404 — or 422 for a write whose body is checked before its
    resource is looked up; never data, a 403 or a 409 that tells it exists. With `every_operation`,
    the others (lists of the caller's company, bodies naming the estate) must not show the estate."""
    unfillable, leaks, tried = [], [], 0
    for operation in operations(stack, service):
        if NOT_ESTATE_SCOPED.search(operation.path):
            continue
        scoped = operation.estate_in_path_or_query or operation.takes_ids
        if not scoped and not every_operation:
            continue
        filled = fill(stack, service, operation)
        if isinstance(filled, str):
            unfillable.append(f"{operation}: {filled}")
            continue
        url, query = filled
        body = ({} if scoped else {"estate_id": ESTATE}) if operation.has_body else None
        response = httpx.request(operation.method, f"{stack.url(service)}{url}", params=query, headers=headers,
                                 json=body, timeout=60)
        tried += 1
        status = response.status_code
        if scoped:
            body_first = operation.method in WRITES and not operation.estate_in_path_or_query
            if status != 404 and not (body_first and status == 422):
                leaks.append(f"{operation.method} {url} → {status}")
        elif status in (200, 201) and ESTATE in response.text or status not in (200, 403, 404, 422):
            leaks.append(f"{operation.method} {url} → {status} {response.text[:120]}")
    return unfillable, leaks, tried


@pytest.mark.parametrize("service", SERVICES)
def test_a_caller_of_another_estate_finds_nothing(stack, demo, service):
    unfillable, leaks, tried = try_every_operation(stack, service, bearer(stack, estates=["another-estate"]),
                                                   every_operation=False)
    assert not unfillable, f"path parameters with no demo data to try: {unfillable}"
    assert not leaks, leaks
    if service in ("intake", "dispatch"):
        assert tried >= 3


@pytest.mark.parametrize("service", SERVICES)
def test_an_admin_of_another_company_with_every_estate_finds_nothing(stack, demo, service):
    """`estates: "*"` is every estate of the token's company, not of the platform."""
    headers = bearer(stack, company_id=OTHER_COMPANY, estates="*")
    unfillable, leaks, tried = try_every_operation(stack, service, headers, every_operation=True)
    assert not unfillable, f"path parameters with no demo data to try: {unfillable}"
    assert not leaks, leaks
    assert tried >= 1


# Writes whose estate is in the body, with bodies that are valid: the estate's check, not the body's, answers.
BODY_WRITES = [
    ("dispatch", "/v1/staff", {"estate_id": ESTATE, "staff_id": "evil-staff", "name": "冒充", "department": "engineering",
                               "on_duty": True}),
    ("dispatch", "/v1/work-orders", {"estate_id": ESTATE, "kind": "repair", "department": "engineering",
                                     "priority": "P1", "description": "伪造工单"}),
    ("dispatch", "/v1/ledger/entries", {"estate_id": ESTATE, "text": "伪造台帐"}),
    ("dispatch", "/v1/spot-checks", {"estate_id": ESTATE, "post": "front-desk", "person_on_duty": "cs-chen",
                                     "result": "unsatisfactory"}),
    ("intake", "/v1/contacts", {"estate_id": ESTATE, "channel": "hotline", "caller_phone": "13900001111",
                                "summary": "伪造来电"}),
]


@pytest.mark.parametrize(("service", "path", "body"), BODY_WRITES, ids=[p for _, p, _ in BODY_WRITES])
def test_another_company_writes_nothing_into_the_estate(stack, demo, service, path, body):
    response = httpx.post(f"{stack.url(service)}{path}", json=body,
                          headers=bearer(stack, company_id=OTHER_COMPANY, estates="*"))
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_estate_settings_of_another_company_are_not_replaced(stack, demo):
    """The issue's first finding: a fake police number on the duty screen and in P1 escalations."""
    contacts = f"{stack.url('dispatch')}/v1/estates/{ESTATE}/emergency-contacts"
    body = {"contacts": [{"kind": "police", "name": "假派出所", "phone": "+8613800000000"}]}
    outsider = bearer(stack, company_id=OTHER_COMPANY, estates="*")
    assert httpx.put(contacts, json=body, headers=outsider).status_code == 404
    assert httpx.get(contacts, headers=outsider).status_code == 404
    owner = Api(stack, user_id="admin-1", roles=["company_admin"], estates="*")
    assert "假派出所" not in owner.get("dispatch", f"/v1/estates/{ESTATE}/emergency-contacts").text


def test_a_dead_letter_of_one_company_is_invisible_to_another(stack):
    mine = Api(stack, user_id="ops-a", roles=["company_admin"], estates="*", company_id="dlq-owner")
    other = Api(stack, user_id="ops-b", roles=["company_admin"], estates="*", company_id="dlq-other")
    broken = Envelope(source="/estatedesk/intake", type="estatedesk.intake.ticket.opened.v1", subject="t-secret",
                      companyid="dlq-owner", estateid="dlq-estate", data={})
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.opened", broken.model_dump_json().encode()))
    # Not an envelope at all: whose it is cannot be read, so it is no company admin's to see.
    garbage = b'{"companyid": "dlq-owner", "data": {"caller_phone": "13800000000"'
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.opened", garbage))
    [dead_letter] = eventually(lambda: parked(mine, broken.id), timeout=40, what="the broken event parked")
    eventually(lambda: stack_has_garbage(stack), timeout=40, what="the unreadable message parked")
    assert parked(other, broken.id, include_replayed="true") == []
    assert other.post("dispatch", f"/v1/admin/dead-letters/{dead_letter['id']}/replay").status_code == 404
    for operator in (mine, other):
        listed = operator.get("dispatch", "/v1/admin/dead-letters", params={"include_replayed": "true"}).json()
        assert all(item["event_id"] is not None for item in listed["items"]), listed


def stack_has_garbage(stack) -> bool:
    from pymongo import MongoClient

    with MongoClient(stack.mongo_url_of("dispatch")) as client:
        return client["estatedesk_dispatch"]["dead_letters"].find_one({"company_id": None}) is not None
