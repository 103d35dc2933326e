"""The registry of event types: one pydantic model per type and version.

Adding an optional field is compatible; anything else is a new major version registered
alongside the old one. Payload models live here only, never reused as API or storage models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.envelope import TYPE_PREFIX, Envelope, utcnow


@dataclass(frozen=True)
class EventType:
    name: str  # `<service>.<entity>.<verb>`, also the routing key
    version: int
    model: type[BaseModel]
    description: str

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.name}.v{self.version}"

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]


REGISTRY: dict[str, EventType] = {}
_BY_MODEL: dict[type[BaseModel], EventType] = {}


def event(name: str, version: int = 1):
    """Register a payload model as the schema of `name` at `version`."""

    def register(model: type[BaseModel]) -> type[BaseModel]:
        spec = EventType(name, version, model, (model.__doc__ or "").strip())
        REGISTRY[spec.type] = spec
        _BY_MODEL[model] = spec
        return model

    return register


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


def envelope_for(
    payload: BaseModel, *, subject: str, company_id: str, estate_id: str, time: datetime | None = None
) -> Envelope:
    spec = _BY_MODEL[type(payload)]
    return Envelope(
        source=f"/estatedesk/{spec.service}",
        type=spec.type,
        subject=subject,
        time=time or utcnow(),
        companyid=company_id,
        estateid=estate_id,
        data=payload.model_dump(mode="json"),
    )


def parse_payload(envelope: Envelope) -> BaseModel:
    """The typed payload of a known event; KeyError for a type nobody registered."""
    return REGISTRY[envelope.type].model.model_validate(envelope.data)


