"""Request ids, HTTP metrics, health and readiness: the same for every service."""

from __future__ import annotations

import time

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from shared.envelope import new_id

log = structlog.get_logger(__name__)
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}
REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def install_observability(app: FastAPI, *, service: str) -> None:
    @app.middleware("http")
    async def request_context(request: Request, call_next) -> Response:
        request_id = request.headers.get("x-request-id") or new_id()
        request.state.request_id = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        route = getattr(request.scope.get("route"), "path", "unmatched")
        elapsed = time.perf_counter() - started
        LATENCY.labels(service, request.method, route).observe(elapsed)
        REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
        response.headers["x-request-id"] = request_id
        if route not in QUIET_ROUTES:
            log.info("request handled", method=request.method, route=route, status=response.status_code,
                     duration_ms=round(elapsed * 1000, 1), request_id=request_id)
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        checks = {"database": await runtime.database.ping(), "broker": runtime.broker_connected()}
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
