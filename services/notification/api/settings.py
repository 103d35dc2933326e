"""An estate's notification settings: its rule table, templates and channel providers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from services.notification.api.channel_schemas import Channel, Language
from services.notification.api.deps import Managers, ProviderAdmins
from services.notification.api.settings_schemas import (
    PreviewPublic,
    PreviewRequest,
    ProviderPublic,
    ProviderSettings,
    RuleOverride,
    RulePublic,
    TemplateBody,
    TemplatePublic,
)
from services.notification.commands import settings as commands
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["notification settings"])


@router.get("/estates/{estate_id}/rules", response_model=list[RulePublic])
async def list_rules(estate_id: str, principal: Managers, *, database: DatabaseDep) -> list[dict]:
    """The estate's rule table: event type → who is told → template → urgency, defaults and overrides."""
    await principal.require_estate(estate_id)
    return await commands.estate_rules(database, estate_id)


@router.put("/estates/{estate_id}/rules/{rule_id}", response_model=RulePublic)
async def override_rule(estate_id: str, rule_id: str, *, body: RuleOverride, principal: Managers,
                        database: DatabaseDep) -> dict:
    await principal.require_estate(estate_id)
    return await commands.override_rule(database, estate_id=estate_id, company_id=principal.company_id,
                                        rule_id=rule_id, change=body.model_dump())


@router.delete("/estates/{estate_id}/rules/{rule_id}", response_model=RulePublic)
async def restore_rule(estate_id: str, rule_id: str, *, principal: Managers, database: DatabaseDep) -> dict:
    """Back to the shipped default."""
    await principal.require_estate(estate_id)
    return await commands.restore_rule(database, estate_id, rule_id=rule_id)


@router.get("/estates/{estate_id}/templates", response_model=list[TemplatePublic])
async def list_templates(estate_id: str, principal: Managers, *, database: DatabaseDep) -> list[dict]:
    await principal.require_estate(estate_id)
    return await commands.estate_templates(database, estate_id)


@router.put("/estates/{estate_id}/templates/{name}/{channel}/{language}", response_model=TemplatePublic)
async def save_template(estate_id: str, name: str, *, channel: Channel | Literal["*"], language: Language,
                        body: TemplateBody, principal: Managers, database: DatabaseDep) -> dict:
    """The estate's own text; a variable its event does not provide is a 422 naming it."""
    await principal.require_estate(estate_id)
    return await commands.save_template(database, estate_id=estate_id, company_id=principal.company_id, name=name,
                                        channel=channel, language=language, body=body.model_dump())


@router.post("/templates/preview", response_model=PreviewPublic)
async def preview_template(body: PreviewRequest, principal: Managers, *, database: DatabaseDep) -> dict:
    """A template rendered with sample data: the text sent, or the estate's, or the shipped one."""
    if body.estate_id:
        await principal.require_estate(body.estate_id)
    return await commands.preview(database, body.model_dump())


@router.get("/estates/{estate_id}/channels", response_model=list[ProviderPublic])
async def list_providers(estate_id: str, principal: ProviderAdmins, *, database: DatabaseDep) -> list[dict]:
    await principal.require_estate(estate_id)
    return await commands.estate_providers(database, estate_id)


@router.put("/estates/{estate_id}/channels/{channel}", response_model=ProviderPublic)
async def set_provider(estate_id: str, channel: Channel, *, body: ProviderSettings, principal: ProviderAdmins,
                       database: DatabaseDep, request: Request) -> dict:
    """Which provider serves a channel, with the estate's account; secrets are kept, never shown."""
    await principal.require_estate(estate_id)
    allowed = request.app.state.settings.provider_endpoints_allowed
    return await commands.set_provider(database, estate_id=estate_id, channel=channel,
                                       settings=body.model_dump(), allow_private_endpoints=allowed)
