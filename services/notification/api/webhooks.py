"""Integrators' webhooks over HTTP: subscriptions, their delivery log, resending, recovery, secret rotation."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from services.notification.api.webhooks_schemas import (
    AttemptPublic,
    DeliveryPublic,
    Recovered,
    Recovery,
    SecretRotation,
    WebhookChange,
    WebhookCreate,
    WebhookPublic,
    WebhookWithSecret,
)
from services.notification.commands import webhooks as commands
from services.notification.store import webhooks as store
from shared.auth import Principal, require_roles
from shared.documents import to_public
from shared.envelope import utcnow
from shared.etags import if_match
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["webhooks"])
# Integrators manage their own subscriptions; the company's admins may do so for them.
Integrators = Annotated[Principal, require_roles("integrator", "company_admin")]
IfMatch = if_match("webhook subscription")


def _allow_private(request: Request) -> bool:
    return request.app.state.settings.webhook_allow_private_targets


def public(subscription: dict[str, Any]) -> WebhookPublic:
    overlaps = [s["expires_at"] for s in subscription["secrets"] if s.get("expires_at") and s["expires_at"] > utcnow()]
    view = to_public(WebhookPublic, subscription)
    view.secret_rotation_overlap_until = max(overlaps) if overlaps else None
    return view


def _answer(response: Response, subscription: dict[str, Any], *, secret: str | None = None) -> Any:
    response.headers["ETag"] = f'"{subscription["version"]}"'
    view = public(subscription)
    return WebhookWithSecret(**view.model_dump(), secret=secret) if secret else view


@router.post("/webhooks", status_code=201, response_model=WebhookWithSecret)
async def create_webhook(body: WebhookCreate, principal: Integrators, *, database: DatabaseDep, request: Request,
                         response: Response) -> Any:
    subscription = await commands.create(database, principal, request=body.model_dump(),
                                         allow_private=_allow_private(request))
    return _answer(response, subscription, secret=subscription["secrets"][0]["secret"])


@router.get("/webhooks", response_model=Page[WebhookPublic])
async def list_webhooks(principal: Integrators, database: DatabaseDep, *, page: PageQuery) -> Page[WebhookPublic]:
    return await page_of(database.db[store.WEBHOOKS], store.visible_to(principal), page=page, view=public)


@router.get("/webhooks/{webhook_id}", response_model=WebhookPublic)
async def get_webhook(webhook_id: str, principal: Integrators, *, database: DatabaseDep, response: Response) -> Any:
    return _answer(response, await commands.find(database, principal, webhook_id=webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookPublic)
async def change_webhook(webhook_id: str, body: WebhookChange, *, principal: Integrators, database: DatabaseDep,
                         request: Request, response: Response, version: IfMatch = None) -> Any:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    subscription = await commands.change(database, principal, webhook_id=webhook_id, changes=changes, version=version,
                                         allow_private=_allow_private(request))
    return _answer(response, subscription)


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, principal: Integrators, *, database: DatabaseDep,
                         version: IfMatch = None) -> Response:
    await commands.delete(database, principal, webhook_id=webhook_id, version=version)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/secret-rotations", response_model=WebhookWithSecret)
async def rotate_secret(webhook_id: str, body: SecretRotation, *, principal: Integrators, database: DatabaseDep,
                        response: Response, version: IfMatch = None) -> Any:
    """A new secret signs from now on; the previous one signs too (both signatures) during the overlap."""
    subscription, secret = await commands.rotate_secret(database, principal, webhook_id=webhook_id,
                                                        overlap=timedelta(hours=body.overlap_hours), version=version)
    return _answer(response, subscription, secret=secret)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryPublic])
async def list_deliveries(webhook_id: str, principal: Integrators, *, database: DatabaseDep, page: PageQuery,
                          status: Literal["pending", "delivered", "failed"] | None = None,
                          ) -> Page[DeliveryPublic]:
    await commands.find(database, principal, webhook_id=webhook_id)
    query = {"subscription_id": webhook_id, **({"status": status} if status else {})}
    return await page_of(database.db[store.DELIVERIES], query, page=page, view=DeliveryPublic)


@router.get("/webhooks/{webhook_id}/attempts", response_model=Page[AttemptPublic])
async def list_attempts(webhook_id: str, principal: Integrators, *, database: DatabaseDep, page: PageQuery,
                        delivery_id: Annotated[str | None, Query(max_length=40)] = None) -> Page[AttemptPublic]:
    """The delivery log: every attempt, newest first, with its answer's status, duration and excerpt."""
    await commands.find(database, principal, webhook_id=webhook_id)
    query = {"subscription_id": webhook_id, **({"delivery_id": delivery_id} if delivery_id else {})}
    return await page_of(database.db[store.ATTEMPTS], query, page=page, view=AttemptPublic)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", response_model=DeliveryPublic)
async def resend_delivery(webhook_id: str, delivery_id: str, *, principal: Integrators,
                          database: DatabaseDep) -> DeliveryPublic:
    return to_public(DeliveryPublic,
                     await commands.resend(database, principal, webhook_id=webhook_id, delivery_id=delivery_id))


@router.post("/webhooks/{webhook_id}/recoveries", response_model=Recovered)
async def recover_failed(webhook_id: str, body: Recovery, *, principal: Integrators, database: DatabaseDep,
                         ) -> Recovered:
    """Every delivery that failed since `since` is sent again, in its lane's order."""
    return Recovered(requeued=await commands.recover(database, principal, webhook_id=webhook_id, since=body.since))
