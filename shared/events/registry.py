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
class Parts:
    """What a carrier event carries: many events of one type in one message (see `parts_of`)."""

    field: str  # the list of the carrier's data that holds the parts' payloads
    of: type[BaseModel]  # the parts' registered payload model
    subject: str  # the field of a part that is its own envelope's subject


@dataclass(frozen=True)
class EventType:
    name: str  # `<service>.<entity>.<verb>`, also the routing key
    version: int
    model: type[BaseModel]
    description: str
    parts: Parts | None = None  # a carrier's parts

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.name}.v{self.version}"

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]


REGISTRY: dict[str, EventType] = {}
_BY_MODEL: dict[type[BaseModel], EventType] = {}


def event(name: str, version: int = 1, *, parts: Parts | None = None):
    """Register a payload model as the schema of `name` at `version` (a carrier of `parts`, if given)."""

    def register(model: type[BaseModel]) -> type[BaseModel]:
        spec = EventType(name, version, model, (model.__doc__ or "").strip(), parts=parts)
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




def parts_of(envelope: Envelope) -> list[Envelope]:
    """A carrier's parts, each the event it stands for; any other event, itself.

    A carrier is how many events of one type travel as one (a billing run's chunk of bills: one outbox
    document, one message, one inbox record instead of a thousand). Consumers see its parts only
    (`shared.consumer`). A part's id is `<carrier id>-<n>`, the same on every delivery of the carrier;
    its time, company, estate and trace are the carrier's. ValueError when the carrier holds no list.
    """
    spec = REGISTRY.get(envelope.type)
    if spec is None or spec.parts is None:
        return [envelope]
    payloads = envelope.data.get(spec.parts.field)
    if not isinstance(payloads, list) or not all(isinstance(p, dict) for p in payloads):
        raise ValueError(f"{envelope.type} carries no list of objects in {spec.parts.field!r}")
    part_type = _BY_MODEL[spec.parts.of].type
    return [envelope.model_copy(update={"id": f"{envelope.id}-{n:04d}", "type": part_type,
                                        "subject": str(payload.get(spec.parts.subject)), "data": payload})
            for n, payload in enumerate(payloads)]


def carriers_of(routing_key_matches) -> list[str]:
    """The routing keys of the carriers whose parts `routing_key_matches(part routing key)` accepts: a queue
    bound to a part's key is bound to its carrier's too."""
    return sorted(spec.name for spec in REGISTRY.values()
                  if spec.parts is not None and routing_key_matches(_BY_MODEL[spec.parts.of].name))
