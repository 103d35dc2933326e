from shared.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    service_name: str = "dispatch"
    http_port: int = 8002
