"""From events to messages: the rule table says whom to tell, the templates what to say.

One batch reads each collection once (`$in`, in pieces of 50 values: `shared.reads`): tickets,
incidents, units, recipients, the estates' rule overrides, templates and channel settings, and the
messages the batch's keys already have.
A message whose channel's provider is the local one and which may go now is stored as sent at once
(storing it is sending it); every other message waits, queued, for the deliverer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from services.notification import store
from services.notification.domain import contexts, delivery, rules, templates
from services.notification.domain.messages import message_key
from services.notification.domain.rules import Rule
from shared.consumer import Event
from shared.db import UnitOfWork
from shared.envelope import new_id, utcnow
from shared.estates import ESTATES, estate_time_zone
from shared.events import MessageSent
from shared.reads import find_in

LOCAL = "local"


class EstateSettings:
    """What the batch's estates changed from the defaults, read once per batch."""

    def __init__(self, overrides: list[dict], texts: list[dict], *, channels: dict[str, dict]) -> None:
        self.rules: dict[str, dict[str, dict]] = defaultdict(dict)
        for override in overrides:
            self.rules[override["estate_id"]][override["rule_id"]] = override
        self.texts: dict[str, dict[tuple[str, str, str], templates.Text]] = defaultdict(dict)
        for text in texts:
            self.texts[text["estate_id"]][(text["name"], text["channel"], text["language"])] = templates.Text(
                body=text["body"], subject=text.get("subject"))
        self.channels = channels

    def provider(self, estate_id: str, channel: str) -> str:
        return ((self.channels.get(estate_id) or {}).get("channels", {}).get(channel) or {}).get("provider", LOCAL)


async def read_settings(uow: UnitOfWork, estate_ids: set[str]) -> EstateSettings:
    scope = {"estate_id": {"$in": sorted(estate_ids)}}
    overrides = await uow.db[store.RULE_OVERRIDES].find(scope, session=uow.session).to_list(None)
    texts = await uow.db[store.TEMPLATES].find(scope, session=uow.session).to_list(None)
    channels = await store.by_ids(uow, store.CHANNEL_SETTINGS, ids=estate_ids)
    return EstateSettings(overrides, texts, channels=channels)


class Audience:
    """The recipients the batch's rules may name, read in one query, matched in memory."""

    def __init__(self, found: list[dict[str, Any]]) -> None:
        self.by_key = {r["_id"]: r for r in found}
        self.by_unit: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.by_building: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.by_position: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.residents: dict[str, list[dict]] = defaultdict(list)
        for r in found:
            if r.get("kind") == "resident" and r.get("status") != "moved_out":
                self.residents[r["estate_id"]].append(r)
                for unit in r.get("unit_ids") or []:
                    self.by_unit[(r["estate_id"], unit)].append(r)
                for building in r.get("building_ids") or []:
                    self.by_building[(r["estate_id"], building)].append(r)
            for position in r.get("positions") or []:
                self.by_position[(r["estate_id"], position)].append(r)

    def person(self, estate_id: str, person_id: str | None, *, kind: str) -> list[dict]:
        if not person_id:
            return []
        key = store.recipient_key(estate_id, person_id)
        # Not in the copy yet (its event is late): the inbox still reaches them.
        return [self.by_key.get(key) or {"_id": key, "person_id": person_id, "kind": kind, "estate_id": estate_id}]


def _wanted(event: Event, rule: Rule, *, data: dict, tickets: dict, incidents: dict) -> list[tuple[str, Any]]:
    """What one rule of one event asks the recipients' query for: (term, value)."""
    estate = event.envelope.estateid
    wanted: list[tuple[str, Any]] = []
    for audience in rule.audience:
        if audience == "assignee":
            wanted.append(("person", data.get("assignee_id")))
        elif audience == "offered":
            wanted += [("person", staff) for staff in data.get("offered_to") or []]
        elif audience == "escalation_recipient":
            wanted.append(("person", data.get("recipient_id")))
        elif audience == "named_supervisor":
            wanted.append(("person", data.get("supervisor_id")))
        elif audience == "named_outgoing":
            wanted += [("person", person.get("staff_id")) for person in data.get("outgoing") or []]
        elif audience == "webhook_owner":
            wanted.append(("person", data.get("owner_id")))
        elif audience.startswith("position:"):
            wanted.append(("position", audience.split(":", 1)[1]))
        elif audience == "ticket_resident":
            ticket = tickets.get(data.get("ticket_id") or "", {})
            wanted.append(("person", data.get("resident_id") or ticket.get("resident_id")))
        elif audience == "unit_residents" and data.get("unit_id"):
            wanted.append(("unit", data["unit_id"]))
        elif audience == "incident_residents":
            incident = incidents.get(data.get("incident_id") or "", {})
            if incident.get("audience") == "estate":
                wanted.append(("estate", estate))
            elif incident.get("audience") == "building" and incident.get("building_id"):
                wanted.append(("building", incident["building_id"]))
    return [(term, value) for term, value in wanted if value]


FIELD_OF_TERM = {"unit": "unit_ids", "building": "building_ids", "position": "positions"}


async def _recipients(uow: UnitOfWork, wants: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
    """The recipients the batch's rules name: a read per (estate, term), each `$in` in pieces
    (`shared.reads`: a run's chunk names a thousand units)."""
    by_term: dict[tuple[str, str], set] = defaultdict(set)
    for estate, term, value in wants:
        by_term[(estate, term)].add(value)
    recipients = uow.db[store.RECIPIENTS]
    found: dict[str, dict[str, Any]] = {}
    for (estate, term), values in by_term.items():
        if term == "person":
            documents = await find_in(recipients, field="_id", values={store.recipient_key(estate, v) for v in values},
                                      session=uow.session)
        elif term == "estate":
            documents = await recipients.find({"estate_id": estate, "kind": "resident"},
                                              session=uow.session).to_list(None)
        else:
            documents = await find_in(recipients, field=FIELD_OF_TERM[term], values=values,
                                      query={"estate_id": estate}, session=uow.session)
        for document in documents:
            found.setdefault(document["_id"], document)
    return list(found.values())


def _pick(audience: Audience, estate: str, *, term: str, value: Any, rule: Rule) -> list[dict]:
    kind = "staff" if any(a in rules.STAFF_AUDIENCES for a in rule.audience) else "resident"
    if term == "person":
        return audience.person(estate, value, kind=kind)
    if term == "unit":
        return audience.by_unit.get((estate, value), [])
    if term == "building":
        return audience.by_building.get((estate, value), [])
    if term == "position":
        return audience.by_position.get((estate, value), [])
    return audience.residents.get(estate, [])


async def draft_messages(uow: UnitOfWork, events: list[Event]) -> None:
    """The messages of every rule that matches the batch's events."""
    work: list[tuple[Event, Rule, dict]] = []
    events = [e for e in events if e.envelope.routing_key in rules.EVENT_TYPES]  # not only directory changes
    if not events:
        return
    estates = {e.envelope.estateid for e in events}
    settings = await read_settings(uow, estates)
    for event in events:
        data = event.payload.model_dump(mode="json")
        for rule in rules.rules_for(event.envelope.routing_key, settings.rules.get(event.envelope.estateid, {})):
            if rules.applies(rule, data):
                work.append((event, rule, data))
    if not work:
        return
    tickets = await store.by_ids(uow, store.TICKETS, ids={d["ticket_id"] for _, _, d in work if d.get("ticket_id")})
    incidents = await store.by_ids(uow, store.INCIDENTS,
                                   ids={d["incident_id"] for _, _, d in work if d.get("incident_id")})
    units = await store.by_ids(uow, store.UNITS, ids={d["unit_id"] for _, _, d in work if d.get("unit_id")})
    names = {e: d.get("name") for e,
             d in (await store.by_ids(uow, ESTATES, ids=estates, projection={"name": 1})).items()}
    asked = [(e, r, d, _wanted(e, r, data=d, tickets=tickets, incidents=incidents)) for e, r, d in work]
    wants = [(e.envelope.estateid, term, value) for e, _, _, terms in asked for term, value in terms]
    audience = Audience(await _recipients(uow, wants))
    drafts = []
    for event, rule, data, terms in asked:
        estate = event.envelope.estateid
        extras = {"estate_name": names.get(estate), **_extras(data, tickets, units=units)}
        seen: set[str] = set()
        for term, value in terms:
            for recipient in _pick(audience, estate, term=term, value=value, rule=rule):
                if recipient["_id"] not in seen:
                    seen.add(recipient["_id"])
                    drafts.append((event, rule, {**data, **extras}, recipient))
    await store_messages(uow, drafts, settings=settings)


def _extras(data: dict, tickets: dict, *, units: dict) -> dict:
    """What a message says that its event does not carry: the ticket's number, the unit's number."""
    extras = {}
    if (ticket := tickets.get(data.get("ticket_id") or "")) and not data.get("ticket_number"):
        extras["ticket_number"] = ticket.get("number")
    if unit := units.get(data.get("unit_id") or ""):
        extras["unit_number"] = unit.get("number")
    return extras


async def store_messages(uow: UnitOfWork, drafts: list[tuple[Event, Rule, dict, dict]], *, settings: EstateSettings,
                         announcement_id: str | None = None) -> dict[str, int]:
    """Store one message per (event, recipient, channel) not stored before; the new ones by status."""
    now = utcnow()
    planned = []
    for event, rule, data, recipient in drafts:
        if rule.urgency == "announcement" and recipient.get("opt_out_announcements"):
            continue  # announcements may be declined; safety messages may not
        channels = delivery.channels_for(recipient, _channels_of(rule, data))
        key = message_key(event.envelope.id, recipient["person_id"], channel=channels[0])
        planned.append((key, event, rule, data, recipient, channels))
    existing = {m["dedupe_key"] for m in await find_in(uow.db[store.MESSAGES], field="dedupe_key",
                                                       values=[p[0] for p in planned], projection={"dedupe_key": 1},
                                                       session=uow.session)}
    zones = {e.envelope.estateid: await estate_time_zone(uow, e.envelope.estateid) for _, e, *_ in planned}
    stored = {"queued": 0, "sent": 0, "deferred": 0}
    for key, event, rule, data, recipient, channels in planned:
        if key in existing:
            continue
        existing.add(key)
        message = _message(key=key, event=event, rule=rule, data=data, recipient=recipient, channels=channels,
                           settings=settings, time_zone=zones[event.envelope.estateid], now=now)
        message["announcement_id"] = announcement_id
        uow.add(store.MESSAGES, message)
        if message["status"] == "sent":
            uow.emit(sent_event(message), subject=message["_id"], company_id=message["company_id"],
                     estate_id=message["estate_id"])
        stored[message["status"]] += 1
        stored["deferred"] += int(message["deferred"])
    return stored


def _channels_of(rule: Rule, data: dict) -> tuple[str, ...] | None:
    # Off duty and not on call, an escalation's recipient is phoned (节假日手机必须开机).
    if rule.id == "workorder.escalated" and data.get("reached_via") == "phone":
        return ("voice",)
    return rule.channels


def _message(*, key: str, event: Event, rule: Rule, data: dict, recipient: dict, channels: list[str],
             settings: EstateSettings, time_zone: str, now: datetime) -> dict[str, Any]:
    estate = event.envelope.estateid
    language = recipient.get("language") or "zh"
    variables = contexts.context_for(rule.id, data, time_zone=time_zone, language=language)
    text = _render(settings.texts.get(estate, {}), rule.id, channel=channels[0], language=language, variables=variables)
    at_once = rules.goes_at_once(rule.urgency, data)
    due_at = now if at_once else delivery.first_allowed(now, delivery.quiet_hours_of(recipient), time_zone=time_zone)
    provider = settings.provider(estate, channels[0])
    sent = provider == LOCAL and due_at <= now
    message = {
        "_id": new_id(), "dedupe_key": key, "estate_id": estate, "company_id": event.envelope.companyid,
        "recipient_id": recipient["person_id"], "recipient_kind": recipient.get("kind", "resident"),
        "recipient_key": recipient["_id"], "channel": channels[0], "channels": channels, "channel_index": 0,
        "tries_on_channel": 0, "template": rule.id, "language": language, "subject": text.subject,
        "body": text.body, "variables": variables, "urgency": rule.urgency, "urgent": at_once,
        "address": _addresses(recipient), "provider": provider, "status": "sent" if sent else "queued",
        "due_at": due_at, "deferred": due_at > now, "lease_until": None, "lease_owner": None,
        "attempts": [], "source_event_id": event.envelope.id, "source_event_type": event.envelope.type,
        "created_at": now, "sent_at": now if sent else None, "read_at": None,
    }
    message["attempts"].append({"at": now, "status": "queued", "channel": channels[0],
                                "answer": {"deferred_until": due_at} if due_at > now else {}})
    if sent:
        message["attempts"].append({"at": now, "status": "sent", "channel": channels[0], "provider": LOCAL,
                                    "answer": {"stored": True}})
    return message


def _addresses(recipient: dict) -> dict[str, Any]:
    return {"phone": recipient.get("phone"), "email": recipient.get("email"),
            "wechat_openid": recipient.get("wechat_openid")}


def _render(overrides: dict, name: str, *, channel: str, language: str, variables: dict) -> templates.Text:
    try:
        return templates.render_text(templates.lookup(overrides, name, channel=channel, language=language), variables)
    except Exception:  # noqa: BLE001 — an estate's text that no longer renders: the shipped one still tells them
        return templates.render_text(templates.lookup({}, name, channel=channel, language=language), variables)


def sent_event(message: dict) -> MessageSent:
    return MessageSent(message_id=message["_id"], recipient_id=message["recipient_id"], channel=message["channel"],
                       template=message["template"], source_event_id=message["source_event_id"],
                       provider=message["provider"], attempts=max(1, len(message["attempts"]) - 1),
                       announcement_id=message.get("announcement_id"))
