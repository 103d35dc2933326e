"""Tenant isolation (quality.md, security 1): every endpoint that takes an estate or a resource id,
read from the services' OpenAPI documents, answers a caller scoped to another estate with 404.

The demo estate is loaded (every area's demo data); each `{something_id}` in a path is filled
with a real id of the demo estate, found in the owning service's database by the naming
convention (`work_order_id` → `work_orders`) or the table below. A new endpoint is covered
without anyone remembering to; a path parameter the test cannot fill fails it, by name.
"""

from __future__ import annotations

import re

import httpx
import pytest
from pymongo import MongoClient

from devstack.demo import ESTATE, load_demo
from devstack.stack import SERVICES
from shared.auth import Role

EVERY_ROLE = list(Role.__args__)
# Path parameters whose collection does not follow `<name>_id` → `<name>s`.
COLLECTION_OF: dict[str, str] = {"staff_id": "staff", "change_id": "roster_changes"}
# Parameters that are not ids, with a value that exists in the demo estate.
VALUE_OF: dict[str, str] = {"department": "engineering", "day": "2026-11-26", "month": "2026-11",
                             "phone": "13812345678"}
# Operations that are not about one estate's data.
NOT_ESTATE_SCOPED = re.compile(r"^/v1/admin/|^/v1/asyncapi")


@pytest.fixture(scope="module")
def demo(stack):
    return load_demo(stack)


def operations(stack, service: str):
    document = httpx.get(f"{stack.url(service)}/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            names = {p["name"] for p in parameters if p["in"] in ("path", "query")}
            if "estate_id" in names or any(p["in"] == "path" for p in parameters):
                if not NOT_ESTATE_SCOPED.search(path):
                    yield method.upper(), path, parameters


def real_id(stack, service: str, parameter: str) -> str | None:
    collection = COLLECTION_OF.get(parameter, parameter.removesuffix("_id") + "s")
    with MongoClient(stack.mongo_url_of(service)) as client:
        document = client[f"estatedesk_{service}"][collection].find_one({"estate_id": ESTATE})
    return document and str(document["_id"])


@pytest.mark.parametrize("service", SERVICES)
def test_a_caller_of_another_estate_finds_nothing(stack, demo, service):
    outsider = {"Authorization": "Bearer " + stack.token(user_id="outsider", roles=EVERY_ROLE,
                                                          estates=["another-estate"])}
    unfillable, leaks, checked = [], [], 0
    for method, path, parameters in operations(stack, service):
        url, query = path, {}
        for parameter in parameters:
            name = parameter["name"]
            if name == "estate_id":
                value = ESTATE
            elif name in VALUE_OF:
                value = VALUE_OF[name]
            elif parameter["in"] == "path" or parameter.get("required"):
                value = real_id(stack, service, name) if name.endswith("_id") else None
                if value is None:
                    unfillable.append(f"{method} {path}: {name}")
                    break
            else:
                continue
            if parameter["in"] == "path":
                url = url.replace("{" + name + "}", value)
            else:
                query[name] = value
        else:
            response = httpx.request(method, f"{stack.url(service)}{url}", params=query, headers=outsider,
                                     json={} if method in ("POST", "PUT", "PATCH") else None)
            checked += 1
            # 404, or a 422 for a body checked before the scope; never data, a 403 or a 409 that tells it exists.
            if response.status_code != 404 and not (method != "GET" and response.status_code == 422):
                leaks.append(f"{method} {url} → {response.status_code}")
    assert not unfillable, f"path parameters with no demo data to try: {unfillable}"
    assert not leaks, leaks
    if service in ("intake", "dispatch"):
        assert checked >= 3
