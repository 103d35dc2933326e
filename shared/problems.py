"""RFC 9457 problem+json: every error of every service is answered here."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://estatedesk.example/problems/"


def problem(
    *, status: int, code: str, title: str, detail: str, request: Request, headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
        **{key: value for key, value in extra.items() if value is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[-1] if location else "")


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    """One entry per error, naming its field; a body that is not JSON is `body`, at a line and column."""
    errors = []
    for e in error.errors():
        if e.get("type") == "json_invalid" and isinstance(error.body, str | bytes):
            document = error.body if isinstance(error.body, str) else error.body.decode("utf-8", "replace")
            position = e["loc"][-1] if isinstance(e["loc"][-1], int) else 0
            line = document.count("\n", 0, position) + 1
            column = position - (document.rfind("\n", 0, position) + 1) + 1
            reason = (e.get("ctx") or {}).get("error", "not valid JSON")
            errors.append({"field": "body", "message": f"not valid JSON: {reason} (line {line}, column {column})",
                           "line": line, "column": column})
        else:
            errors.append({"field": _field_of(e["loc"]), "message": e["msg"]})
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        # An error may list several problems itself (a rejected import: one per line of the file).
        extra = {"errors": [{"field": error.field, "message": error.detail}] if error.field else None, **error.extra}
        return problem(
            status=error.status, code=error.code, title=error.title, detail=error.detail,
            request=request, field=error.field, headers=getattr(error, "headers", None), **extra,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(error)
        first = errors[0] if errors else {}
        return problem(
            status=422, code="invalid_input", title="The request is not valid",
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
            request=request, errors=errors, field=first.get("field"), line=first.get("line"),
            column=first.get("column"),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        return problem(
            status=error.status_code, code=codes.get(error.status_code, "http_error"),
            title=str(error.detail), detail=str(error.detail), request=request, headers=error.headers,
        )

    @app.exception_handler(ConnectionFailure)
    async def database_unavailable(request: Request, error: ConnectionFailure) -> JSONResponse:
        log.warning("database unavailable", error=repr(error))
        return problem(
            status=503, code="database_unavailable", title="Temporarily unavailable",
            detail="The database cannot be reached; retry shortly.", request=request,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem(
            status=500, code="internal_error", title="Internal error",
            detail="Something went wrong on our side; it has been logged.", request=request,
        )

