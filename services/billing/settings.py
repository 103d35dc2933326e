from shared.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    service_name: str = "billing"
    http_port: int = 8003

    # Units per transaction of a billing run, and how long a worker's hold on a run lasts unrenewed.
    run_batch_size: int = 1000
    run_lease_s: float = 30.0
    run_poll_interval_s: float = 0.3
    # How often notes of runs of an earlier version are looked for and announced (a small query).
    announce_interval_s: float = 1.0
    # Notes wait while more events than this wait in the outbox (see `bill_events._relay_is_behind`).
    announce_outbox_backlog_max: int = 2000
    # How often bills past their due date are looked for (`billing.bill.overdue`; a small query).
    overdue_watch_interval_s: float = 10.0
    # How often the dunning schedule looks whether an estate's dunning day has come (one small query).
    dunning_schedule_interval_s: float = 5.0

    # WeChat Pay API v3: the merchant's APIv3 key (32 characters) and the platform's public key (PEM).
    # Without them the notification endpoint answers 404 (online payment is not set up).
    wechatpay_api_v3_key: str = ""
    wechatpay_platform_public_key: str = ""
    wechatpay_max_skew_s: int = 300

    # The receipt's PDF (`GET /v1/payments/{id}/receipt?format=pdf`): Debian's headless Chromium, by name on
    # the PATH or a path; how long one print may take, and how many browsers print at once.
    chromium_path: str = "chromium"
    receipt_pdf_timeout_s: float = 30.0
    receipt_pdf_concurrency: int = 2
