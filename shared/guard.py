"""Who is asking is checked before what they sent is read, on every route of every service.

FastAPI reads and parses a request's body before it runs a route's dependencies, so without
this a caller with no token or the wrong role learnt about the body first (422 before 401/403).
`guard_routes` wraps each route that depends on `current_principal`: the token (401), the roles
of its `require_roles` dependencies (403) and the estate named in its path or query string
(404 outside the caller's scope or company) are checked first; the route's own dependencies
then find the principal already made. The roles also go into the OpenAPI document as the
operation's `x-roles` (`"any"`: every authenticated caller), which the role matrix is read from.
A route whose permission depends on the resource (the assignee of a work order) gives its
endpoint a `before_body` check (`async (request, principal) -> None`), run here as well.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, request_response
from starlette.requests import Request
from starlette.responses import Response

from shared.auth import check_roles, current_principal

ESTATE_PARAMETER = "estate_id"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _api_routes(routes: Iterable[object]) -> Iterator[APIRoute]:
    """Every APIRoute, also those of included routers (kept as their routers' own routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


BeforeBody = Callable[[Request, Any], Coroutine[Any, Any, None]]


async def check_caller(request: Request, role_sets: list[frozenset[str]], *, before_body: BeforeBody | None) -> None:
    principal = current_principal(request)
    for allowed in role_sets:
        check_roles(principal, allowed)
    estate_id = request.path_params.get(ESTATE_PARAMETER) or request.query_params.get(ESTATE_PARAMETER)
    if estate_id:
        await principal.require_estate(estate_id)
    if before_body is not None:
        await before_body(request, principal)


def _guard(route: APIRoute, role_sets: list[frozenset[str]]) -> None:
    make_handler = route.get_route_handler
    before_body = getattr(route.endpoint, "before_body", None)

    def get_route_handler() -> Handler:
        handler = make_handler()

        async def guarded(request: Request) -> Response:
            await check_caller(request, role_sets, before_body=before_body)
            return await handler(request)

        return guarded

    # FastAPI builds a route's handler from `get_route_handler`, for the route and for each inclusion.
    route.get_route_handler = get_route_handler  # type: ignore[method-assign]
    route.app = request_response(route.get_route_handler())


def guard_routes(app: FastAPI) -> None:
    """Call once all routers are included, before the first request."""
    for route in _api_routes(app.routes):
        if getattr(route, "guarded", False):
            continue
        calls = list(_calls(route.dependant))
        if current_principal not in calls:
            continue
        role_sets = [allowed for call in calls if (allowed := getattr(call, "allowed_roles", None)) is not None]
        roles: frozenset[str] | None = frozenset.intersection(*role_sets) if role_sets else None
        route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": sorted(roles) if roles is not None else "any"}
        _guard(route, role_sets)
        route.guarded = True  # type: ignore[attr-defined]
