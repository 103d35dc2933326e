"""The documentation pages of every service, served whole by the service itself (nothing from a CDN).

`/docs` is Swagger UI from the copy packaged in `fastapi-offline`; `/docs/asyncapi` renders
`/v1/asyncapi.json` with a small page of our own (`static/asyncapi.html`). There is no `/redoc`:
ReDoc's page loads its logo from a CDN whatever it is told.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

PACKAGED_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASYNCAPI_PAGE = (Path(__file__).parent / "static" / "asyncapi.html").read_text(encoding="utf-8")
ASSETS_PATH = "/docs/assets"
# validatorUrl: Swagger UI would otherwise send the document to an online validator for its badge.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None, "persistAuthorization": True, "displayRequestDuration": True}
# FastAPI's own /docs and /redoc load their scripts from a CDN: the app is made without either.
APP_OPTIONS = {
    "docs_url": None, "redoc_url": None, "swagger_ui_parameters": SWAGGER_UI_PARAMETERS,
    "description": "The events every service publishes: [/docs/asyncapi](/docs/asyncapi) "
                   "([/v1/asyncapi.json](/v1/asyncapi.json)).",
}


def install_docs(app: FastAPI) -> None:
    app.mount(ASSETS_PATH, StaticFiles(directory=PACKAGED_ASSETS), name="docs-assets")
    oauth2_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — API",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            oauth2_redirect_url=f"{root}{oauth2_redirect}", swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/docs/asyncapi", include_in_schema=False)
    async def asyncapi_page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = ASYNCAPI_PAGE.replace("{{ASYNCAPI_URL}}", f"{root}/v1/asyncapi.json")
        page = page.replace("{{FAVICON_URL}}", f"{root}{ASSETS_PATH}/favicon.png").replace("{{DOCS_URL}}", f"{root}/docs")
        return HTMLResponse(page.replace("{{TITLE}}", f"{app.title} — events"))
