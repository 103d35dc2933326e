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

    # Webhooks: the operator may allow loopback and private targets (local runs and tests do).
    webhook_allow_private_targets: bool = False
    # Every webhook wait (the retry schedule, Retry-After, the 5 days before disabling) times this:
    # tests walk the schedule in seconds with a small scale.
    webhook_schedule_scale: float = 1.0
    webhook_timeout_s: float = 10.0
    webhook_concurrency: int = 64
    webhook_poll_interval_s: float = 1.0
    # A delivery behind an attempt in flight looks again after this (or at once when it is done).
    webhook_lane_recheck_s: float = 2.0
    # RabbitMQ's management API, where integrators' queues and read-only users are made (admin credentials
    # are those of AMQP_URL); and the broker address integrators are given (default: AMQP_URL's host).
    rabbitmq_management_url: str = ""
    integrator_amqp_address: str = ""
    # An integrator's queue holds at most this many events; beyond, deliveries wait and are retried.
    integrator_queue_max_length: int = 100_000
