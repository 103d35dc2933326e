from pydantic import model_validator

from shared.settings import ServiceSettings

DEVELOPMENT_LEDGER_KEY = "estatedesk-development-ledger-key-change-me"


class DispatchSettings(ServiceSettings):
    service_name: str = "dispatch"
    http_port: int = 8002

    # The duty ledger's HMAC key: whoever holds it can recompute a chain, so production needs its own.
    ledger_hmac_key: str = DEVELOPMENT_LEDGER_KEY
    # A chain head that moved is published at most this often (dispatch.ledger.head_published).
    ledger_head_publish_interval_s: float = 10.0
    # A watched shift with no handover this long after its end is flagged to the supervisor.
    handover_grace_s: int = 900
    handover_watch_interval_s: float = 2.0
    # How often the SLA scheduler looks for due timers (a warning or breach fires this late at most).
    sla_tick_s: float = 0.2

    @model_validator(mode="after")
    def _refuse_development_ledger_key_in_production(self) -> "DispatchSettings":
        if self.environment == "production" and (
            self.ledger_hmac_key == DEVELOPMENT_LEDGER_KEY or len(self.ledger_hmac_key) < 32
        ):
            raise ValueError("production needs its own LEDGER_HMAC_KEY of at least 32 characters")
        return self
