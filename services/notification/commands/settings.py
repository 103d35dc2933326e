"""An estate's settings in notification: rule overrides, templates, channel providers, people's contacts
and preferences. Each is one document, written by the route's caller; nothing else changes with it."""

from __future__ import annotations

import re
import secrets
from typing import Any

from services.notification import store
from services.notification.domain import contexts, receipts, rules, subscribe_messages, templates
from shared.db import Database
from shared.envelope import utcnow
from shared.errors import InvalidInput, NotFound

VENDOR_TEMPLATE_IDS = {"aliyun": re.compile(r"^SMS_\d{3,}$"), "tencent": re.compile(r"^\d{3,}$"),
                       "wechat": re.compile(r"^[A-Za-z0-9_-]{8,64}$"), "aliyun_voice": re.compile(r"^TTS_\d{3,}$"),
                       "wechat_subscribe": re.compile(r"^[A-Za-z0-9_-]{20,64}$")}
VENDOR_CHANNEL = {"aliyun": "sms", "tencent": "sms", "wechat": "wechat", "aliyun_voice": "voice",
                  "wechat_subscribe": "wechat"}
SECRETS = ("access_key_secret", "app_secret")


def _invalid(message: str, *, field: str, code: str) -> InvalidInput:
    """A 422 with its own stable code (`unknown_variable`, `template_syntax`…)."""
    error = InvalidInput(message, field=field)
    error.code = code
    return error


def rule_public(rule: rules.Rule, overridden: bool) -> dict[str, Any]:
    return {"id": rule.id, "event_type": rule.event_type, "audience": list(rule.audience), "urgency": rule.urgency,
            "channels": list(rule.channels) if rule.channels else None, "enabled": rule.enabled,
            "description": rule.description, "overridden": overridden}


async def estate_rules(database: Database, estate_id: str) -> list[dict[str, Any]]:
    found = {o["rule_id"]: o async for o in database.db[store.RULE_OVERRIDES].find({"estate_id": estate_id})}
    return [rule_public(rules.overridden(rule, found.get(rule.id)), rule.id in found) for rule in rules.DEFAULT_RULES]


async def override_rule(database: Database, *, estate_id: str, company_id: str, rule_id: str,
                        change: dict[str, Any]) -> dict[str, Any]:
    rule = rules.DEFAULTS_BY_ID.get(rule_id)
    if rule is None:
        raise NotFound("rule")
    try:
        rules.check_override(rule, change)
    except rules.RuleError as error:
        raise InvalidInput(str(error), field=error.field) from error
    document = {"estate_id": estate_id, "company_id": company_id, "rule_id": rule_id, "updated_at": utcnow(),
                **{key: value for key, value in change.items() if value is not None}}
    await database.db[store.RULE_OVERRIDES].replace_one({"_id": f"{estate_id}:{rule_id}"}, document, upsert=True)
    return rule_public(rules.overridden(rule, document), True)


async def restore_rule(database: Database, estate_id: str, *, rule_id: str) -> dict[str, Any]:
    if rule_id not in rules.DEFAULTS_BY_ID:
        raise NotFound("rule")
    await database.db[store.RULE_OVERRIDES].delete_one({"_id": f"{estate_id}:{rule_id}"})
    return rule_public(rules.DEFAULTS_BY_ID[rule_id], False)


def _known_name(name: str) -> None:
    if name not in templates.NAMES:
        raise NotFound("template")


def check_template(*, name: str, channel: str, language: str, body: dict[str, Any], sms_provider: str | None) -> None:
    """A template names only its event's variables and renders; an SMS one maps to a vendor template."""
    _known_name(name)
    for field in ("body", "subject"):
        if body.get(field):
            try:
                templates.check(name, language, field=field, source=body[field])
            except templates.TemplateError as error:
                raise _invalid(str(error), field=error.field, code=error.code) from error
    vendor = body.get("vendor")
    if channel == "sms" and vendor is None:
        raise InvalidInput("an SMS template is sent as the vendor's approved template: give vendor", field="vendor")
    if vendor is None:
        return
    if channel != VENDOR_CHANNEL[vendor["provider"]]:
        raise InvalidInput(f"a {vendor['provider']} template is for the {VENDOR_CHANNEL[vendor['provider']]} channel",
                           field="vendor.provider")
    if channel == "sms" and sms_provider in ("aliyun", "tencent") and vendor["provider"] != sms_provider:
        raise InvalidInput(f"the estate sends SMS through {sms_provider}", field="vendor.provider")
    if not VENDOR_TEMPLATE_IDS[vendor["provider"]].match(vendor["template_id"]):
        example = {"aliyun": "SMS_123456789", "tencent": "1234567", "wechat": "a template id",
                   "wechat_subscribe": "the 43 characters of a subscribe template id",
                   "aliyun_voice": "TTS_123456789"}[vendor["provider"]]
        raise InvalidInput(f"not a {vendor['provider']} template id (e.g. {example})", field="vendor.template_id")
    known = contexts.sample(name, language)
    if vendor["provider"] == "wechat_subscribe":
        _check_subscribe_fields(vendor, known)
        return
    for index, param in enumerate(vendor["params"]):
        if param not in known:
            raise _invalid(f"unknown variable {param!r}; {name} knows {', '.join(sorted(known))}",
                           field=f"vendor.params[{index}]", code="unknown_variable")


def _check_subscribe_fields(vendor: dict[str, Any], known: dict[str, Any]) -> None:
    """A subscribe template's keys are of WeChat's kinds and each one's variable fits it (domain.subscribe_messages)."""
    if vendor.get("params"):
        raise InvalidInput("a subscribe template names its keys in fields, not params", field="vendor.params")
    try:
        subscribe_messages.check_fields(vendor.get("fields") or {}, known, today=utcnow().date())
    except subscribe_messages.FieldError as error:
        field = f"vendor.fields.{error.key}" if error.key else "vendor.fields"
        raise _invalid(str(error), field=field, code="subscribe_field") from error


async def save_template(database: Database, *, estate_id: str, company_id: str, name: str, channel: str,
                        language: str, body: dict[str, Any]) -> dict[str, Any]:
    providers = await database.db[store.CHANNEL_SETTINGS].find_one({"_id": estate_id}) or {}
    sms_provider = (providers.get("channels", {}).get("sms") or {}).get("provider")
    check_template(name=name, channel=channel, language=language, body=body, sms_provider=sms_provider)
    document = {"estate_id": estate_id, "company_id": company_id, "name": name, "channel": channel,
                "language": language, "body": body["body"], "subject": body.get("subject"),
                "vendor": body.get("vendor"), "updated_at": utcnow()}
    await database.db[store.TEMPLATES].replace_one({"_id": f"{estate_id}:{name}:{channel}:{language}"}, document,
                                                   upsert=True)
    return template_public(document, overridden=True)


def template_public(document: dict[str, Any], *, overridden: bool) -> dict[str, Any]:
    return {"name": document["name"], "channel": document["channel"], "language": document["language"],
            "body": document["body"], "subject": document.get("subject"), "vendor": document.get("vendor"),
            "variables": sorted(contexts.sample(document["name"], document["language"])), "overridden": overridden}


async def estate_templates(database: Database, estate_id: str) -> list[dict[str, Any]]:
    own = [template_public(d, overridden=True) async for d in database.db[store.TEMPLATES].find({"estate_id": estate_id})]
    shipped = [template_public({"name": n, "channel": c, "language": lang, "body": t.body, "subject": t.subject},
                               overridden=False) for (n, c, lang), t in sorted(templates.DEFAULTS.items())]
    return own + shipped


async def preview(database: Database, request: dict[str, Any]) -> dict[str, Any]:
    """A template rendered with sample data: the one given, or the estate's, or the shipped one."""
    name, language = request["name"], request["language"]
    _known_name(name)
    variables = contexts.sample(name, language)
    if request.get("body"):
        check_template(name=name, channel="*", language=language, body={"body": request["body"],
                       "subject": request.get("subject")}, sms_provider=None)
        text = templates.Text(body=request["body"], subject=request.get("subject"))
    else:
        own = {}
        if request.get("estate_id"):
            async for d in database.db[store.TEMPLATES].find({"estate_id": request["estate_id"], "name": name}):
                own[(d["name"], d["channel"], d["language"])] = templates.Text(body=d["body"], subject=d.get("subject"))
        text = templates.lookup(own, name, channel=request.get("channel") or "*", language=language)
    rendered = templates.render_text(text, variables)
    return {"name": name, "language": language, "subject": rendered.subject, "body": rendered.body,
            "variables": variables}


def provider_public(channel: str, settings: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in settings.items() if k not in SECRETS and k != "receipt_token"}
    if settings.get("receipt_token"):  # the address to give the vendor's console for its status reports
        shown["receipt_path"] = f"/v1/sms-receipts/{settings['provider']}/{settings['receipt_token']}"
    return {"channel": channel, **shown}


PROVIDERS_OF = {"sms": {"local", "aliyun", "tencent"}, "voice": {"local", "aliyun_voice"},
                "email": {"local", "smtp"},
                "wechat": {"local", "wechat", "wechat_subscribe"}, "app_push": {"local", "jpush"}}
NEEDS = {"aliyun": ("access_key_id", "access_key_secret", "sign_name"),
         "tencent": ("access_key_id", "access_key_secret", "sign_name", "sdk_app_id"),
         "smtp": ("host", "port", "sender"), "wechat": ("app_id", "app_secret"),
         "wechat_subscribe": ("app_id", "app_secret"),
         "aliyun_voice": ("access_key_id", "access_key_secret"), "jpush": ("app_id", "app_secret")}


async def set_provider(database: Database, *, estate_id: str, channel: str, settings: dict[str, Any],
                       allow_private_endpoints: bool) -> dict[str, Any]:
    provider = settings["provider"]
    if provider not in PROVIDERS_OF[channel]:
        raise InvalidInput(f"{channel} is served by {', '.join(sorted(PROVIDERS_OF[channel]))}", field="provider")
    for field in NEEDS.get(provider, ()):
        if not settings.get(field):
            raise InvalidInput(f"{provider} needs {field}", field=field)
    if settings.get("endpoint") and not allow_private_endpoints:
        raise InvalidInput("vendor endpoints are fixed here; the operator allows others in configuration",
                           field="endpoint")
    kept = {k: v for k, v in settings.items() if v is not None}
    if channel == "sms" and provider in receipts.PROVIDERS:
        # The vendors do not sign their status reports: their URL holds a secret, kept while the provider is.
        before = ((await database.db[store.CHANNEL_SETTINGS].find_one({"_id": estate_id}) or {})
                  .get("channels", {}).get("sms") or {})
        same = before.get("provider") == provider and before.get("receipt_token")
        kept["receipt_token"] = before["receipt_token"] if same else secrets.token_urlsafe(24)
    await database.db[store.CHANNEL_SETTINGS].update_one({"_id": estate_id}, {"$set": {f"channels.{channel}": kept}},
                                                         upsert=True)
    return provider_public(channel, kept)


async def estate_providers(database: Database, estate_id: str) -> list[dict[str, Any]]:
    found = (await database.db[store.CHANNEL_SETTINGS].find_one({"_id": estate_id}) or {}).get("channels", {})
    return [provider_public(channel, found.get(channel) or {"provider": "local"}) for channel in PROVIDERS_OF]


async def set_preferences(database: Database, *, estate_id: str, company_id: str, person_id: str, kind: str,
                          change: dict[str, Any]) -> dict[str, Any]:
    """A person's own choices; the directory's copy (name, phones, units) stays intake's."""
    fields: dict[str, Any] = {k: v for k, v in change.items() if v is not None and k != "no_quiet_hours"}
    if change.get("no_quiet_hours"):
        fields["quiet_hours"] = None
    unset = {}
    if "channels" in fields and not fields["channels"]:
        unset["channels"] = ""
        del fields["channels"]
    positions = fields.pop("positions", None)
    update: dict[str, Any] = {"$set": {**fields, "estate_id": estate_id, "company_id": company_id,
                                       "person_id": person_id, "preferences_at": utcnow()},
                              "$setOnInsert": {"kind": kind}}
    if positions is not None:
        update["$set"]["positions"] = positions
    if unset:
        update["$unset"] = unset
    key = store.recipient_key(estate_id, person_id)
    # In a transaction: the directory's projection writes recipients in transactions.
    await database.transaction(lambda uow: uow.db[store.RECIPIENTS].update_one(
        {"_id": key}, update, upsert=True, session=uow.session))
    return await database.db[store.RECIPIENTS].find_one({"_id": key})
