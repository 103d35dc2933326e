"""Identity and estate scope from JWT bearer tokens.

Every route takes `CurrentPrincipal` (or a role-checked variant); every query is scoped with
`principal.estate_filter()`, so a resource of another estate is simply not found (404).
"""

from __future__ import annotations

from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from shared.errors import Forbidden, NotFound, Unauthorized

Role = Literal[
    "resident", "agent", "supervisor", "dispatcher", "technician", "billing_clerk",
    "estate_manager", "company_admin", "ops_viewer", "integrator",
]
ALL_ESTATES = "*"
ALGORITHM = "HS256"


class Principal(BaseModel):
    user_id: str
    name: str = ""
    company_id: str
    estates: list[str] | Literal["*"]
    roles: list[Role]
    unit_ids: list[str] = []

    def may_act_in(self, estate_id: str) -> bool:
        return self.estates == ALL_ESTATES or estate_id in self.estates

    def estate_filter(self) -> dict:
        """The query filter of everything this caller may see."""
        if self.estates == ALL_ESTATES:
            return {"company_id": self.company_id}
        return {"company_id": self.company_id, "estate_id": {"$in": list(self.estates)}}

    def require_estate(self, estate_id: str) -> None:
        """An estate outside the caller's scope does not exist for them."""
        if not self.may_act_in(estate_id):
            raise NotFound("estate")


def decode_token(token: str, *, secret: str, issuer: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=issuer, options={"require": ["exp", "sub", "iss"]}
        )
        return Principal(
            user_id=claims["sub"],
            name=claims.get("name", ""),
            company_id=claims["company_id"],
            estates=claims["estates"],
            roles=claims["roles"],
            unit_ids=claims.get("unit_ids", []),
        )
    except (jwt.PyJWTError, KeyError, ValidationError) as error:
        raise Unauthorized("the bearer token is missing, expired or not valid") from error


def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    settings = request.app.state.settings
    principal = decode_token(token, secret=settings.jwt_secret, issuer=settings.jwt_issuer)
    request.app.state.rate_limiter.admit(principal.user_id, resident=principal.roles == ["resident"])
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role):
    """A dependency that admits only callers holding one of `roles` (403 otherwise)."""
    allowed = set(roles)

    def check(principal: CurrentPrincipal) -> Principal:
        if not allowed.intersection(principal.roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(allowed))}")
        return principal

    return Depends(check)
