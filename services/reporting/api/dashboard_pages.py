"""The dashboards' pages and their static files: shells without data, open to any browser.

A page holds no figure: its script asks for a bearer token (kept in the tab's sessionStorage, or
taken from a link's `#token=` fragment, which no server sees) and reads `/v1/dashboards/...` with
it, where roles and estate scope are checked as everywhere else. Nothing is loaded from outside:
ECharts is served from the vendored copy in `static/vendor/`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.errors import NotFound

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
STATIC_FILES = {p.relative_to(STATIC).as_posix(): p for p in STATIC.rglob("*") if p.is_file()}
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The pages' own rules for the browser: scripts and connections only from this service.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, *, page: str, title_key: str, estate_id: str | None = None) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    html = TEMPLATES.get_template(template).render(root=root, page=page, title_key=title_key, estate_id=estate_id)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/dashboard")
async def overview_page(request: Request) -> HTMLResponse:
    return _page(request, "overview.html", page="overview", title_key="overview_title")


@router.get("/dashboard/estates/{estate_id}")
async def estate_page(request: Request, estate_id: str) -> HTMLResponse:
    return _page(request, "estate.html", page="estate", title_key="queue", estate_id=estate_id)


@router.get("/dashboard/reports")
async def reports_page(request: Request) -> HTMLResponse:
    return _page(request, "reports.html", page="reports", title_key="reports_title")


@router.get("/dashboard/static/{name:path}")
async def static_file(name: str) -> FileResponse:
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound("file")
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix), headers={"Cache-Control": "max-age=300"})
