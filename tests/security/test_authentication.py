"""Missing, expired, wrongly signed and `alg: none` tokens get 401 on every service."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest

from devstack.stack import SERVICES
from shared.tokens import mint_token

PROTECTED = {
    "intake": "/v1/tickets?estate_id=demo-estate",
    "dispatch": "/v1/work-orders?estate_id=demo-estate",
    "billing": "/v1/estates",
    "notification": "/v1/messages?estate_id=demo-estate",
    "reporting": "/v1/reports/daily?estate_id=demo-estate&day=2026-11-26",
}


def bad_tokens(stack) -> dict[str, str | None]:
    claims = {"user_id": "u1", "company_id": "demo-company", "estates": ["demo-estate"], "roles": ["company_admin"]}
    return {
        "missing": None,
        "expired": mint_token(secret=stack.jwt_secret, issuer="estatedesk", ttl=timedelta(seconds=-5), **claims),
        "wrongly signed": mint_token(secret="not-the-key-not-the-key-not-the-key", issuer="estatedesk", **claims),
        "alg none": jwt.encode({"sub": "u1", "iss": "estatedesk", "exp": 4102444800, "company_id": "demo-company",
                                "estates": ["demo-estate"], "roles": ["company_admin"]}, key=None, algorithm="none"),
        "garbage": "abc.def.ghi",
    }


@pytest.mark.parametrize("service", SERVICES)
def test_bad_tokens_get_401_problems(stack, service):
    for label, token in bad_tokens(stack).items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.get(f"{stack.url(service)}{PROTECTED[service]}", headers=headers)
        assert response.status_code == 401, (service, label, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("service", SERVICES)
def test_health_readiness_metrics_and_asyncapi_are_served(stack, service):
    base = stack.url(service)
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{base}/readyz").json() == {"ready": True, "checks": {"database": True, "broker": True}}
    assert "http_requests_total" in httpx.get(f"{base}/metrics").text
    assert "intake.ticket.opened" in httpx.get(f"{base}/v1/asyncapi.json").json()["channels"]
