"""The inputs of intake's tickets commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from services.intake.commands.inputs.contacts import ExtraFieldValues, TicketRequest
from services.intake.commands.inputs.directory import PhoneNumber
from services.intake.domain.tickets import Category, Priority
from shared.schemas import Strict, estate_id_field

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


Keyword = Annotated[str, Field(min_length=1, max_length=40)]


class TicketCreate(Strict):
    """A resident's own request from the app or WeChat (logged as a contact of that channel)."""

    estate_id: str = estate_id_field()
    unit_id: str = Field(min_length=1, max_length=60)
    channel: Literal["app", "wechat"] = "app"
    caller_phone: PhoneNumber | None = None  # the contact's rule: E.164, 422 when malformed
    ticket: TicketRequest


class TicketPatch(Strict):
    """What an agent may correct on a ticket; each change is kept in its history."""

    priority: Priority | None = None
    promised_reply_at: AwareDatetime | None = None
    subcategory: str | None = Field(default=None, max_length=60)
    location: str | None = Field(default=None, max_length=200)
    building_id: str | None = Field(default=None, max_length=60)
    fields: ExtraFieldValues | None = Field(default=None, description="Replaces the extra fields (all of them)")

    @model_validator(mode="after")
    def _something(self) -> TicketPatch:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        return self


class ReasonRequest(Strict):
    reason: str = Field(min_length=1, max_length=500)


class OptionalReason(Strict):
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class ResolveRequest(Strict):
    resolution: str = Field(min_length=1, max_length=2000, description="What the resident was told or what was done")


class ExtraFieldIn(Strict):
    name: Name
    kind: Literal["text", "number", "choice", "date"]
    required: bool = False
    options: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=50)
    categories: list[Category] = Field(default_factory=list, description="Empty: every category")

    @model_validator(mode="after")
    def _options_for_choices(self) -> ExtraFieldIn:
        if (self.kind == "choice") != bool(self.options):
            raise ValueError("a choice field lists its options; other kinds have none")
        return self


class PriorityRuleIn(Strict):
    priority: Priority
    keywords: list[Keyword] = Field(min_length=1, max_length=100, description=(
        "Compared without spaces or punctuation; Latin words as whole words; `a+b` needs every part"))
    categories: list[Category] = Field(default_factory=list, description="Empty: every category")


class TicketSettingsUpdate(Strict):
    """The estate's own additions to the defaults: subcategories, extra fields, priority rules."""

    subcategories: dict[Category, list[Name]] = Field(default_factory=dict)
    fields: list[ExtraFieldIn] = Field(default_factory=list, max_length=30)
    priority_rules: list[PriorityRuleIn] = Field(default_factory=list, max_length=50)
    follow_up_within_hours: int = Field(default=24, ge=1, le=168)

    @model_validator(mode="after")
    def _unique_field_names(self) -> TicketSettingsUpdate:
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("extra field names must be unique")
        return self


class AttemptCreate(Strict):
    reached: bool = True
    score: int | None = Field(default=None, ge=1, le=5, description="Satisfaction 1–5; 1–2 reopens the ticket")
    comment: str | None = Field(default=None, max_length=1000)
