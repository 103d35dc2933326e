from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    http_port: int = 8005
    # The daily report of the day before is announced at this local time of each estate.
    daily_report_at: str = "07:00:00"
    daily_report_check_s: float = 60.0
    # Prefixed to the report's path in the announcement (the address people open it at).
    report_base_url: str = ""

    # The dashboards' tiles: amber at the first figure, red at the second (rates are shares, 0–1).
    dashboard_answer_rate_amber: float = 0.90
    dashboard_answer_rate_red: float = 0.80
    dashboard_collection_rate_amber: float = 0.60
    dashboard_collection_rate_red: float = 0.40
    dashboard_open_p1_amber: int = 1
    dashboard_open_p1_red: int = 3
    dashboard_breaches_amber: int = 1
    dashboard_breaches_red: int = 3
    # How often a dashboard's stream looks at its estates' versions (one small read of the database,
    # so an event consumed by any replica reaches a browser connected to any other).
    dashboard_stream_poll_s: float = 0.25
    dashboard_stream_max_s: float = 600.0  # a stream ends after this; the page opens a new one
    dashboard_queue_limit: int = 500
