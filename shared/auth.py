"""Identity and estate scope from JWT bearer tokens.

Every route takes `CurrentPrincipal` (or a role-checked variant); every query is scoped with
`principal.estate_filter()`, so a resource of another estate is simply not found (404). An
estate named by a request is checked with `await principal.require_estate(...)`: in the token's
scope, and of the token's company (`estates: "*"` is every estate of the caller's company only).
`shared.guard` runs the same checks before a request's body is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, PrivateAttr, ValidationError

from shared.errors import Forbidden, NotFound, Unauthorized
from shared.estates import estate_company
from shared.roles import Role

ALL_ESTATES = "*"
ALGORITHM = "HS256"


class Principal(BaseModel):
    user_id: str
    name: str = ""
    company_id: str
    estates: list[str] | Literal["*"]
    roles: list[Role]
    unit_ids: list[str] = []
    # estate id → its company (None when not registered), bound by `current_principal`.
    _estate_company: Callable[[str], Awaitable[str | None]] | None = PrivateAttr(default=None)

    def bind_estates(self, estate_company: Callable[[str], Awaitable[str | None]]) -> Principal:
        self._estate_company = estate_company
        return self

    def may_act_in(self, estate_id: str) -> bool:
        """The token's own scope only; `require_estate` also checks the estate's company."""
        return self.estates == ALL_ESTATES or estate_id in self.estates

    def estate_filter(self) -> dict:
        """The query filter of everything this caller may see."""
        if self.estates == ALL_ESTATES:
            return {"company_id": self.company_id}
        return {"company_id": self.company_id, "estate_id": {"$in": list(self.estates)}}

    async def require_estate(self, estate_id: str) -> None:
        """An estate outside the caller's scope, of another company or not registered does not exist for them."""
        if not self.may_act_in(estate_id):
            raise NotFound("estate")
        if self._estate_company is None:  # fail closed: a principal not made by `current_principal`
            raise RuntimeError("this principal cannot check an estate's company")
        if await self._estate_company(estate_id) != self.company_id:
            raise NotFound("estate")


def acting_for(database: Any, *, user_id: str, company_id: str, estate_id: str, roles: list[Role]) -> Principal:
    """The principal of work the platform does itself in one estate (a schedule, a payment provider's
    notification): its estate checks are the same as a caller's."""
    principal = Principal(user_id=user_id, company_id=company_id, estates=[estate_id], roles=roles)
    return principal.bind_estates(lambda other: estate_company(database, other))


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


DECODED = "decoded_token"


def decode_once(state: dict[str, Any], token: str, *, secret: str, issuer: str) -> Principal:
    """The request's token decoded once (the Idempotency-Key middleware and the route share it);
    `state` is the request's ASGI scope state."""
    known = state.get(DECODED)
    if known is not None and known[0] == token:
        return known[1]
    principal = decode_token(token, secret=secret, issuer=issuer)
    state[DECODED] = (token, principal)
    return principal


def current_principal(request: Request) -> Principal:
    """The caller, authenticated once per request (the guard usually has, before the body is read)."""
    known = getattr(request.state, "principal", None)
    if known is not None:
        return known
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    settings = request.app.state.settings
    principal = decode_once(request.scope.setdefault("state", {}), token, secret=settings.jwt_secret,
                            issuer=settings.jwt_issuer)
    request.app.state.rate_limiter.admit(principal.user_id, resident=principal.roles == ["resident"])
    database = request.app.state.runtime.database
    principal.bind_estates(lambda estate_id: estate_company(database, estate_id))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def estate_query(principal: Principal, estate_id: str, **filters: Any) -> dict[str, Any]:
    """The query of one estate's documents for this caller (404 for an estate not theirs), with the
    filters that were given (None: not asked for)."""
    await principal.require_estate(estate_id)
    given = {name: value for name, value in filters.items() if value is not None}
    return {**principal.estate_filter(), "estate_id": estate_id, **given}


def check_roles(principal: Principal, allowed: frozenset[str]) -> None:
    if not allowed.intersection(principal.roles):
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(allowed))}")


def require_roles(*roles: Role):
    """A dependency that admits only callers holding one of `roles` (403 otherwise).

    The guard finds it by `allowed_roles`, checks it before the body is read and publishes it
    in the OpenAPI document as the operation's `x-roles`."""
    allowed = frozenset(roles)

    def check(principal: CurrentPrincipal) -> Principal:
        check_roles(principal, allowed)
        return principal

    check.allowed_roles = allowed  # type: ignore[attr-defined]
    return Depends(check)
