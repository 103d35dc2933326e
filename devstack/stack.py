"""The whole platform as local processes: broker, databases, and the five services."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx

from devstack.infra import (
    ServerProcess,
    amqp_url,
    free_port,
    free_ports,
    management_url,
    mongo_url,
    rabbitmq,
    secantusdb,
)
from shared import clock
from shared.settings import DEVELOPMENT_JWT_SECRET
from shared.tokens import mint_token

SERVICES = ("intake", "dispatch", "billing", "notification", "reporting")
DEFAULT_PORTS = {"intake": 8001, "dispatch": 8002, "billing": 8003, "notification": 8004, "reporting": 8005}
REPO = Path(__file__).resolve().parent.parent
# A cheap estate-scoped read per service that keeps a projection of estates: 404 until the
# estate's registration has arrived there (the scope check asks each estate's company).
ESTATE_PROBES = {
    "dispatch": "/v1/estates/{estate_id}/on-duty",
    "notification": "/v1/messages?estate_id={estate_id}&limit=1",
    "reporting": "/v1/events?estate_id={estate_id}&limit=1",
}


def wait_until_ready(url: str, *, timeout: float, process: ServerProcess, service: str | None = None) -> None:
    """Until the server answers ready — and, given `service`, it is that service answering, not another."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process and process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.process.returncode}; see {process.workdir}")
        try:
            itself = service is None or httpx.get(f"{url}/healthz", timeout=1).json().get("service") == service
            if itself and httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except (httpx.HTTPError, ValueError):  # not up yet, or something else on the port
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{process.name} was not ready within {timeout} s; see {process.workdir}")


class Stack:
    """Starts what is not given: `amqp` and `mongo` URLs from the caller win over local servers."""

    def __init__(
        self, workdir: Path, *, amqp: str | None = None, mongo: str | None = None,
        ports: dict[str, int] | None = None, env: dict[str, str] | None = None, broker_port: int | None = None,
    ) -> None:
        self.workdir = workdir.resolve()
        self.amqp = amqp
        self.mongo = mongo
        # Every port this stack will listen on, reserved together so that no two collide.
        reserved = free_ports(2 * len(SERVICES) + 1)
        self.ports = ports or dict(zip(SERVICES, reserved, strict=False))
        self.database_ports = dict(zip(SERVICES, reserved[len(SERVICES):], strict=False))
        self.env = env or {}
        self.broker_port = broker_port or reserved[-1]
        self.jwt_secret = self.env.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET)
        self.broker: ServerProcess | None = None
        self.databases: dict[str, ServerProcess] = {}
        self.services: dict[str, list[ServerProcess]] = {name: [] for name in SERVICES}

    # --- infrastructure -------------------------------------------------------------
    def start_infrastructure(self) -> None:
        if self.amqp is None:
            self.broker = rabbitmq(self.workdir / "rabbitmq", port=self.broker_port)
        if self.mongo is None:
            # One database server per service, as in production: one service's heavy reads
            # never stall another's writes (SecantusDB serves one request at a time).
            self.databases = {
                name: secantusdb(self.workdir / f"db-{name}", port=self.database_ports[name]) for name in SERVICES
            }
        starting = [*self.databases.values(), *([self.broker] if self.broker else [])]
        for server in starting:
            server.start_async()
        for server in starting:
            server.wait_started()
        if self.broker:
            self.amqp = amqp_url(self.broker.port)
            self.env.setdefault("RABBITMQ_MANAGEMENT_URL", management_url(self.broker.management_port))

    def mongo_url_of(self, service: str) -> str:
        return self.mongo or mongo_url(self.databases[service].port)

    # --- services -------------------------------------------------------------------
    def service_env(self, service: str, port: int, **overrides: str) -> dict[str, str]:
        return {
            "HTTP_PORT": str(port), "MONGO_URL": self.mongo_url_of(service),
            "AMQP_URL": self.amqp or "", "JWT_SECRET": self.jwt_secret, "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1", **clock.child_environment(), **self.env, **overrides,
        }

    def start_service(self, service: str, *, port: int | None = None, **overrides: str) -> ServerProcess:
        """Start one more process of `service` (the first on its usual port, replicas elsewhere)."""
        replicas = self.services[service]
        port = port or (self.ports[service] if not replicas else free_port())
        process = ServerProcess(
            f"{service}-{len(replicas) + 1}", [sys.executable, "-m", f"services.{service}"], port,
            self.workdir / "services", self.service_env(service, port, **overrides),
        )
        replicas.append(process)  # before it starts: a stop that interrupts the start still finds it
        process.start()
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=90, process=process, service=service)
        return process

    def start_services(self) -> None:
        for service in SERVICES:
            self.start_service(service)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def wait_for_estate(self, estate_id: str, *, company_id: str = "demo-company", timeout: float = 60) -> None:
        """Until every service knows a newly registered estate (its event is on the way)."""
        headers = {"Authorization": "Bearer " + self.token(user_id="admin-1", company_id=company_id,
                                                          roles=["company_admin"], estates="*")}
        deadline = time.monotonic() + timeout
        for service, probe in ESTATE_PROBES.items():
            while httpx.get(f"{self.url(service)}{probe.format(estate_id=estate_id)}", headers=headers,
                            timeout=10).status_code == 404:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} did not learn of estate {estate_id} within {timeout} s")
                time.sleep(0.05)

    def http_client(self) -> httpx.Client:
        """A client for calls to the services (tests.helpers.Api)."""
        return httpx.Client(timeout=15)

    def token(self, **claims) -> str:
        defaults = {"user_id": "agent-1", "company_id": "demo-company", "estates": ["demo-estate"], "roles": ["agent"]}
        return mint_token(secret=self.jwt_secret, issuer="estatedesk", **{**defaults, **claims})

    def stop(self) -> None:
        """Services first (they finish their work), then the servers; each group stops in parallel."""
        services = [process for replicas in self.services.values() for process in replicas]
        servers = [*self.databases.values(), *([self.broker] if self.broker else [])]
        for group in (services, servers):
            for process in group:
                process.terminate()
            for process in group:
                process.wait_stopped()


def stack_from_environment(workdir: Path, *, fixed_ports: bool = True) -> Stack:
    """`AMQP_URL` and `MONGO_URL`, when set, name servers to use instead of local ones.

    With `fixed_ports`, the services listen on 8001–8005 and the broker on 5672, as the README says;
    without, on free ports (a test's own copy of `make run`)."""
    return Stack(
        workdir, amqp=os.environ.get("AMQP_URL"), mongo=os.environ.get("MONGO_URL"),
        ports=dict(DEFAULT_PORTS) if fixed_ports else None, broker_port=5672 if fixed_ports else None,
        # A local run: the demo's webhook receiver is on this machine.
        env={"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"},
    )
