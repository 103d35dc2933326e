from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    http_port: int = 8005
    # The daily report of the day before is announced at this local time of each estate.
    daily_report_at: str = "07:00:00"
    daily_report_check_s: float = 60.0
    # Prefixed to the report's path in the announcement (the address people open it at).
    report_base_url: str = ""
