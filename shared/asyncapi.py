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
    integrators = _ways_in_for_integrators(sorted(messages))
    channels.update(integrators["channels"])
    operations.update(integrators["operations"])
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "EstateDesk events",
            "version": "1.0.0",
            "description": "Every event is a CloudEvents 1.0 message on the topic exchange "
            "`estatedesk.events`, routed by `<service>.<entity>.<verb>`.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "broker": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0-9-1"},
            "integrator-endpoint": {
                "host": "{endpoint}", "protocol": "https", "variables": {"endpoint": {"description":
                    "the host of the URL a webhook subscription names (POST /v1/webhooks on notification)"}},
                "description": "Webhooks: each event is POSTed to the subscription's URL.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


SIGNATURE_DESCRIPTION = (
    "Signed per the Standard Webhooks convention: `webhook-signature` is `v1,` and the base64 HMAC-SHA256, keyed "
    "with the base64-decoded part of the subscription's `whsec_` secret, of `<webhook-id>.<webhook-timestamp>.<body>` "
    "(the raw body). During a secret's rotation two signatures are sent, separated by a space; accept the message "
    "if either matches. Reject timestamps more than 5 minutes from your clock. `webhook-id` stays the same when a "
    "message is retried or resent: use it to drop duplicates. Answer 2xx to accept; any other status, or no answer "
    "within 10 s, is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (Retry-After honoured on 429 and "
    "503); 410 disables the subscription, as do 5 days of failures without a success. Deliveries about one subject "
    "(a work order, a ticket) arrive one at a time in the order the events happened."
)
WEBHOOK_HEADERS = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "webhook-id": {"type": "string", "description": "the message id, the same on every retry of it"},
        "webhook-timestamp": {"type": "string", "pattern": "^[0-9]+$", "description": "Unix seconds of this attempt"},
        "webhook-signature": {"type": "string", "pattern": "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"},
        "content-type": {"const": "application/cloudevents+json"},
    },
}


def _ways_in_for_integrators(message_names: list[str]) -> dict:
    """The two ways an integrator receives events: webhooks and a queue of its own."""
    every = {name: {"$ref": f"#/components/messages/{name}"} for name in message_names
             if not name.startswith("notification_webhook_")}  # events about webhooks are not sent to webhooks
    channels = {
        "integrator-webhook": {
            "address": "{subscription_url}",
            "title": "Webhook deliveries",
            "description": "Each event a webhook subscription wants, POSTed as its CloudEvents JSON. "
                           + SIGNATURE_DESCRIPTION,
            "parameters": {"subscription_url": {"description": "the URL of the subscription"}},
            "servers": [{"$ref": "#/servers/integrator-endpoint"}],
            "messages": every,
            "bindings": {"http": {"method": "POST", "headers": WEBHOOK_HEADERS}},
        },
        "integrator-queue": {
            "address": "integrator.{subscription_id}",
            "title": "An integrator's own queue",
            "description": "An AMQP subscription (POST /v1/amqp-subscriptions on notification) gets a durable quorum "
                           "queue of its own, holding the events it wants of its estates only, in order per subject, "
                           "and a broker user that may read that queue and do nothing else (no other queue, no "
                           "publishing, no declaring).",
            "parameters": {"subscription_id": {"description": "the id of the AMQP subscription, lower-case"}},
            "servers": [{"$ref": "#/servers/broker"}],
            "messages": every,
            "bindings": {"amqp": {"is": "queue", "queue": {"name": "integrator.{subscription_id}", "durable": True,
                                                           "exclusive": False, "autoDelete": False}}},
        },
    }
    operations = {
        "deliver_webhook": {"action": "send", "channel": {"$ref": "#/channels/integrator-webhook"},
                            "summary": "notification POSTs each wanted event to the subscription's URL, signed"},
        "fill_integrator_queue": {"action": "send", "channel": {"$ref": "#/channels/integrator-queue"},
                                  "summary": "notification puts each wanted event into the integrator's queue"},
    }
    return {"channels": channels, "operations": operations}
