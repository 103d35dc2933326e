from pydantic import Field

from shared.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: str = "notification"
    http_port: int = 8004

    # Vendors' endpoints other than their own (a local test server): allowed outside production unless set.
    allow_private_provider_endpoints: bool | None = None
    # The deliverer: how often it looks for due messages, how many it claims at once, how long a claim holds.
    delivery_poll_interval_s: float = 0.5
    delivery_batch_size: int = 200
    delivery_lease_s: float = 60.0
    # Retries on one channel before the next channel takes over.
    delivery_retry_delays_s: list[float] = Field(default_factory=lambda: [1.0, 5.0, 30.0])
    provider_timeout_s: float = 10.0
    # Residents an announcement's fan-out writes per transaction.
    announcement_chunk_size: int = 1000

    @property
    def provider_endpoints_allowed(self) -> bool:
        if self.allow_private_provider_endpoints is not None:
            return self.allow_private_provider_endpoints
        return self.environment != "production"
