"""Every operation of every service, read from its OpenAPI document, and the demo estate's real
values for its parameters: what the isolation, authentication and role tests try."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx
from pymongo import MongoClient

from devstack.demo import ESTATE

# Path parameters whose collection does not follow `<name>_id` → `<name>s`.
COLLECTION_OF: dict[str, str] = {"staff_id": "staff", "change_id": "roster_changes",
                                 "delivery_id": "webhook_deliveries"}
# Documents of several estates name them in a list (an integrator's subscriptions).
ESTATE_FIELD_OF: dict[str, str] = {"webhook_id": "estate_ids", "amqp_subscription_id": "estate_ids"}
# Parameters that are not ids, with a value that exists in the demo estate.
VALUE_OF: dict[str, str] = {"department": "engineering", "day": "2026-11-26", "month": "2026-11",
                            "phone": "13812345678", "report": "complaints",
                            # notification's rule and template names, a channel, a language, a staff member
                            "rule_id": "bill.issued", "name": "bill.issued", "channel": "email", "language": "zh",
                            "person_id": "cs-chen",
                            # the SMS vendors' receipt address: a provider and a token no estate has
                            "provider": "aliyun", "token": "no-such-token"}
# Operations that are not about one estate's data (dead letters have their own test).
NOT_ESTATE_SCOPED = re.compile(r"^/v1/admin/|^/v1/asyncapi")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Operation:
    method: str
    path: str
    parameters: list[dict] = field(default_factory=list)
    roles: list[str] | str | None = None  # `x-roles`: the roles admitted, or "any" authenticated caller
    has_body: bool = False

    @property
    def names(self) -> set[str]:
        return {p["name"] for p in self.parameters if p["in"] in ("path", "query")}

    @property
    def estate_in_path_or_query(self) -> bool:
        return "estate_id" in self.names

    @property
    def takes_ids(self) -> bool:
        return any(p["in"] == "path" for p in self.parameters)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(stack, service: str) -> list[Operation]:
    document = httpx.get(f"{stack.url(service)}/openapi.json").json()
    return [
        Operation(method.upper(), path, operation.get("parameters", []), operation.get("x-roles"),
                  "requestBody" in operation)
        for path, methods in document["paths"].items() for method, operation in methods.items()
    ]


def real_id(stack, service: str, parameter: str) -> str | None:
    collection = COLLECTION_OF.get(parameter, parameter.removesuffix("_id") + "s")
    with MongoClient(stack.mongo_url_of(service)) as client:
        document = client[f"estatedesk_{service}"][collection].find_one({ESTATE_FIELD_OF.get(parameter, "estate_id"):
                                                                          ESTATE})
    return document and str(document["_id"])


def fill(stack, service: str, operation: Operation, *, real: bool = True) -> tuple[str, dict] | str:
    """(url, query) with the demo estate's values; the name of a parameter that cannot be filled.
    `real=False` fills ids with a placeholder (for checks made before anything is looked up)."""
    url, query = operation.path, {}
    for parameter in operation.parameters:
        name = parameter["name"]
        if name == "estate_id":
            value = ESTATE
        elif name in VALUE_OF:
            value = VALUE_OF[name]
        elif parameter["in"] == "path" or (parameter["in"] == "query" and parameter.get("required")):
            value = (real_id(stack, service, name) if real else "any-id") if name.endswith("_id") else None
            if value is None:
                return name
        else:
            continue
        if parameter["in"] == "path":
            url = url.replace("{" + name + "}", value)
        elif parameter["in"] == "query":
            query[name] = value
    return url, query
