"""A local webhook endpoint, as an integrator would run one: it records every request it gets and answers
as it is told (tests program failures, `Retry-After`, 410 and stalls; the demo and the bench accept all).

It runs in a thread of the calling process (uvicorn, raw ASGI), on its own port.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from devstack.infra import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], str]


class WebhookReceiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        # Decides each answer (status, headers, body); every request is accepted by default.
        self.respond: Callable[[Received], Answer] = lambda _request: (200, {}, "ok")
        # A request waits while `hold_if` gives it an event not yet set (a slow endpoint for one subject).
        self.hold_if: Callable[[Received], threading.Event | None] = lambda _request: None
        self.gates: list[threading.Event] = []
        self.held: list[Received] = []  # requests waiting now, or that waited
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = Received(scope["path"], headers, body)
        with self.lock:  # in the order they arrive, held or not
            self.received.append(request)
        gate = self.hold_if(request)
        if gate is not None and not gate.is_set():
            with self.lock:
                self.gates.append(gate)
                self.held.append(request)
            while not gate.is_set():
                await asyncio.sleep(0.02)
        status, extra, text = self.respond(request)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                *((k.encode(), v.encode()) for k, v in extra.items())]})
        await send({"type": "http.response.body", "body": text.encode()})

    def start(self) -> WebhookReceiver:
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"webhook-receiver-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the webhook receiver did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        for gate in self.gates:
            gate.set()
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
