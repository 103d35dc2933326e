"""Integrators' AMQP subscriptions over HTTP: a queue of their own and read-only broker credentials."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from services.notification.api.amqp_subscriptions_schemas import (
    AmqpSubscriptionCreate,
    AmqpSubscriptionPublic,
    AmqpSubscriptionWithPassword,
)
from services.notification.commands import amqp_subscriptions as commands
from services.notification.store import amqp_subscriptions as store
from shared.auth import Principal, require_roles
from shared.documents import to_public
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["AMQP subscriptions"])
Integrators = Annotated[Principal, require_roles("integrator", "company_admin")]


@router.post("/amqp-subscriptions", status_code=201, response_model=AmqpSubscriptionWithPassword)
async def create_amqp_subscription(body: AmqpSubscriptionCreate, principal: Integrators, *, database: DatabaseDep,
                                   request: Request) -> Any:
    subscription, password = await commands.create(database, principal, request=body.model_dump(),
                                                   settings=request.app.state.settings)
    return AmqpSubscriptionWithPassword(**to_public(AmqpSubscriptionPublic, subscription).model_dump(),
                                        password=password)


@router.get("/amqp-subscriptions", response_model=Page[AmqpSubscriptionPublic])
async def list_amqp_subscriptions(principal: Integrators, database: DatabaseDep, *, page: PageQuery) -> Page:
    return await page_of(database.db[store.AMQP_SUBSCRIPTIONS], store.visible_to(principal), page=page,
                         view=AmqpSubscriptionPublic)


@router.get("/amqp-subscriptions/{amqp_subscription_id}", response_model=AmqpSubscriptionPublic)
async def get_amqp_subscription(amqp_subscription_id: str, principal: Integrators, *, database: DatabaseDep) -> Any:
    return to_public(AmqpSubscriptionPublic,
                     await commands.find(database, principal, subscription_id=amqp_subscription_id))


@router.delete("/amqp-subscriptions/{amqp_subscription_id}", status_code=204)
async def delete_amqp_subscription(amqp_subscription_id: str, principal: Integrators, *, database: DatabaseDep,
                                   request: Request) -> Response:
    """The queue and its user are removed from the broker."""
    await commands.delete(database, principal, subscription_id=amqp_subscription_id,
                          settings=request.app.state.settings)
    return Response(status_code=204)
