from shared.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: str = "notification"
    http_port: int = 8004
