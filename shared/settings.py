"""Settings read from the environment, once, by the app factory (never at import time)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "estatedesk-development-signing-key-change-me"
DEFAULT_CREDENTIALS = ("guest:guest@",)


class ServiceSettings(BaseSettings):
    """What every service needs. A service subclasses it to set its name and port."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    # SecantusDB (local) needs retryWrites=false to stay fast; keep the default against MongoDB.
    mongo_url: str = "mongodb://127.0.0.1:27017/?retryWrites=false&directConnection=true"
    mongo_database: str = ""
    mongo_server_selection_timeout_ms: int = 2000
    # Count database commands by name in /metrics (`mongo_commands_total`): the bench's round trips.
    mongo_count_commands: bool = False
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "estatedesk.events"

    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_issuer: str = "estatedesk"

    consumer_prefetch: int = 100
    # Events applied together in one transaction (group commit of consumers).
    consumer_batch_size: int = 50
    # Attempts before a message is parked in its dead-letter queue, and the growing delays between them.
    max_attempts: int = 5
    retry_delays_ms: list[int] = Field(default_factory=lambda: [1_000, 5_000, 25_000, 60_000])
    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 2.0
    # Wake the relay on outbox inserts by other processes (replicas) through a change stream.
    outbox_watch: bool = True
    relay_lease_s: float = 10.0
    inbox_retention_days: int = 14

    # Request limits: JSON bodies, upload bodies (imports), requests per caller per second.
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 33_554_432
    rate_limit_per_s: float = 1000
    rate_limit_burst: int = 2000
    resident_rate_limit_per_s: float = 5
    resident_rate_limit_burst: int = 20

    # How long a process keeps its copy of what rarely changes (estates, settings, SLA policy, routing,
    # rosters): a change made through another replica is seen here within this bound.
    read_cache_ttl_s: float = 5.0

    otlp_endpoint: str | None = None
    log_level: str = "INFO"

    @property
    def database_name(self) -> str:
        return self.mongo_database or f"estatedesk_{self.service_name}"

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> "ServiceSettings":
        if self.environment != "production":
            return self
        if self.jwt_secret == DEVELOPMENT_JWT_SECRET or len(self.jwt_secret) < 32:
            raise ValueError("production needs its own JWT_SECRET of at least 32 characters")
        if any(default in self.amqp_url for default in DEFAULT_CREDENTIALS):
            raise ValueError("production refuses the default broker credentials in AMQP_URL")
        return self
