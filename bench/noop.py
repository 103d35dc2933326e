"""The server behind `ref.http_noop`: validate POST /v1/contacts' body, answer 201, nothing else.

Run as `python -m bench.noop` (port in `HTTP_PORT`) with the uvicorn settings of
`shared.service.serve`, so that only the work behind the endpoint differs from intake.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from services.intake.commands.inputs.contacts import ContactCreate

app = FastAPI(title="http-noop")


@app.post("/v1/contacts", status_code=201, response_model=ContactCreate)
async def validate_contact(body: ContactCreate) -> ContactCreate:
    """Validated, serialized back, nothing stored."""
    return body


@app.get("/readyz")
async def ready() -> dict:
    return {"status": "ready"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["HTTP_PORT"]),
                log_config=None, access_log=False, timeout_graceful_shutdown=5)
