"""The AsyncAPI 3.0 document of every registered event, generated from the payload models."""

from __future__ import annotations

from functools import cache

from shared.envelope import Envelope
from shared.events import REGISTRY


@cache
def asyncapi_document() -> dict:
    channels, operations, messages, schemas = {}, {}, {}, {}
    for spec in sorted(REGISTRY.values(), key=lambda s: s.type):
        message_name = spec.type.removeprefix("estatedesk.").replace(".", "_")
        schema = spec.model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[spec.model.__name__] = schema
        messages[message_name] = {
            "name": spec.type,
            "title": spec.name,
            "summary": spec.description,
            "contentType": "application/cloudevents+json",
            "headers": {"type": "object", "properties": {"traceparent": {"type": "string"}}},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {"type": "object", "properties": {
                        "type": {"const": spec.type},
                        "data": {"$ref": f"#/components/schemas/{spec.model.__name__}"},
                    }},
                ]
            },
        }
        channels[spec.name] = {
            "address": spec.name,
            "messages": {message_name: {"$ref": f"#/components/messages/{message_name}"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": "estatedesk.events", "type": "topic", "durable": True}}},
        }
        operations[f"publish_{message_name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{spec.name}"},
            "summary": f"{spec.service} publishes {spec.name}",
        }
    envelope_schema = Envelope.model_json_schema()
    schemas["Envelope"] = envelope_schema
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "EstateDesk events",
            "version": "1.0.0",
            "description": "Every event is a CloudEvents 1.0 message on the topic exchange "
            "`estatedesk.events`, routed by `<service>.<entity>.<verb>`.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"broker": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0-9-1"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
