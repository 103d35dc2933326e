"""One service in the test process, against the session's real database server and broker.

The service's own app — routes, consumers, outbox relay and background jobs, started by its
lifespan — is served by uvicorn on a thread of this process, on a database of its own and a broker
virtual host of its own, so nothing it does reaches the five-process stack the e2e tests share (and the
stack need not run at all). It answers the calls `tests.helpers` makes of a stack (`url`, `token`,
`http_client`, `wait_for_estate`), so a test reads the same whether it drives one service or five;
what the service emitted is read from its outbox (`events_of`), where e2e tests read reporting's archive.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from typing import Any

import httpx
import uvicorn
from pymongo import MongoClient
from ulid import ULID

from devstack.infra import free_port
from shared.db import outbox_envelope
from shared.service import create_app
from shared.tokens import mint_token
from tests.conftest import FAST_ENV

JWT_SECRET = "in-process-tests-signing-key-0123456789"


def _value(text: str) -> Any:
    """An environment value as the settings would parse it: JSON where it is JSON (lists, numbers, booleans)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


# FAST_ENV's delays and leases, as settings fields (the stack's services read them from the environment).
FAST_SETTINGS = {key.lower(): _value(value) for key, value in FAST_ENV.items()}


class InProcessService:
    """`with InProcessService("intake", infrastructure) as intake:` — the service up, then gone with its data."""

    def __init__(self, name: str, infrastructure: Any) -> None:
        if not infrastructure.management_url:
            raise RuntimeError("an in-process service needs the broker's management API (for its virtual host)")
        self.name = name
        unique = str(ULID()).lower()
        self.database_name, self.vhost = f"itest_{name}_{unique}", f"itest-{name}-{unique}"
        self.management = httpx.Client(base_url=infrastructure.management_url, auth=("guest", "guest"), timeout=10)
        self.amqp_url = f"{infrastructure.amqp_url.rstrip('/')}/{self.vhost}"
        self.mongo = MongoClient(infrastructure.mongo_url, tz_aware=True)
        self.mongo_url = infrastructure.mongo_url
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def __enter__(self) -> "InProcessService":
        self.management.put(f"/api/vhosts/{self.vhost}").raise_for_status()
        self.management.put(f"/api/permissions/{self.vhost}/guest",
                            json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        service = importlib.import_module(f"services.{self.name}.app")
        settings_module = importlib.import_module(f"services.{self.name}.settings")
        settings_class = next(value for key, value in vars(settings_module).items()
                              if key.endswith("Settings") and key != "ServiceSettings")
        settings = settings_class(**{**FAST_SETTINGS, "mongo_url": self.mongo_url, "amqp_url": self.amqp_url,
                                     "mongo_database": self.database_name, "jwt_secret": JWT_SECRET})
        config = uvicorn.Config(create_app(service.DEFINITION, settings), host="127.0.0.1", port=free_port(),
                                log_config=None, access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"in-process {self.name}", daemon=True)
        self.thread.start()  # the lifespan: indexes, broker, consumers, relay, background jobs
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start in-process")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)
        self.mongo.drop_database(self.database_name)
        self.mongo.close()
        self.management.delete(f"/api/vhosts/{self.vhost}")
        self.management.close()

    # --- what tests.helpers asks of a stack -------------------------------------------------
    def url(self, service: str) -> str:
        if service != self.name:
            raise AssertionError(f"this test runs {self.name} alone; it asked {service} (an e2e test's call)")
        return f"http://127.0.0.1:{self.server.config.port}"

    def http_client(self) -> httpx.Client:
        return httpx.Client(timeout=15)

    def token(self, **claims: Any) -> str:
        defaults = {"user_id": "agent-1", "company_id": "demo-company", "estates": ["demo-estate"], "roles": ["agent"]}
        return mint_token(secret=JWT_SECRET, issuer="estatedesk", **{**defaults, **claims})

    def wait_for_estate(self, estate_id: str, **_: Any) -> None:
        """Intake registers estates itself; another service alone learns of one from intake's event."""
        if self.name != "intake":
            raise AssertionError(f"{self.name} alone cannot learn of estate {estate_id}: no intake runs here")

    def events_of(self, estate_id: str, event_type: str) -> list[dict[str, Any]]:
        """The events of one type the service committed for an estate, oldest first (its outbox)."""
        outbox = self.mongo[self.database_name]["outbox"]
        query = {"estate_id": estate_id, "type": event_type}
        return [outbox_envelope(document).model_dump(mode="json") for document in outbox.find(query).sort("_id", 1)]

