from shared.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    service_name: str = "billing"
    http_port: int = 8003

    # Units per transaction of a billing run, and how long a worker's hold on a run lasts unrenewed.
    run_batch_size: int = 1000
    run_lease_s: float = 30.0
    run_poll_interval_s: float = 0.3
