"""An estate's ticket settings: subcategories, extra fields, priority rules, follow-up time. Pure rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.intake.domain.priority import PriorityRule
from shared.errors import InvalidInput

# The subcategories every estate has; an estate may add its own.
DEFAULT_SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "repair": ("plumbing", "electrical", "elevator", "doors_access", "structure_leaks", "public_facilities",
               "in_unit_appliances", "gas", "drains", "greenery", "other"),
    "complaint": ("noise", "cleanliness", "security", "service_attitude", "fees", "neighbours", "parking",
                  "decoration", "pets", "greenery", "other"),
    "help": ("elderly_care", "locked_out", "lost_and_found", "medical", "moving", "other"),
    "consultation": ("fees", "procedures", "decoration_rules", "parking", "services", "other"),
    "suggestion": ("services", "facilities", "environment", "other"),
    "praise": ("staff", "services", "other"),
}
DEFAULT_FOLLOW_UP_WITHIN = timedelta(hours=24)
TEXT_FIELD_MAX = 500


@dataclass(frozen=True)
class ExtraField:
    """A field an estate asks for on every ticket (e.g. 'preferred_visit_date', 'meter_number')."""

    name: str
    kind: str  # text / number / choice / date
    required: bool = False
    options: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # empty: every category

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


@dataclass(frozen=True)
class TicketSettings:
    subcategories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the estate's own, added
    fields: tuple[ExtraField, ...] = ()
    priority_rules: tuple[PriorityRule, ...] = ()  # the estate's own, added to the defaults
    follow_up_within: timedelta = DEFAULT_FOLLOW_UP_WITHIN

    def subcategories_of(self, category: str) -> tuple[str, ...]:
        return DEFAULT_SUBCATEGORIES.get(category, ()) + self.subcategories.get(category, ())


DEFAULT_SETTINGS = TicketSettings()


def settings_from_document(document: dict[str, Any] | None) -> TicketSettings:
    if not document:
        return DEFAULT_SETTINGS
    return TicketSettings(
        subcategories={category: tuple(names) for category, names in document.get("subcategories", {}).items()},
        fields=tuple(ExtraField(name=f["name"], kind=f["kind"], required=f.get("required", False),
                                options=tuple(f.get("options") or ()), categories=tuple(f.get("categories") or ()))
                     for f in document.get("fields", [])),
        priority_rules=tuple(PriorityRule(r["priority"], tuple(r["keywords"]), tuple(r.get("categories") or ()))
                             for r in document.get("priority_rules", [])),
        follow_up_within=timedelta(hours=document.get("follow_up_within_hours", 24)),
    )


def check_subcategory(settings: TicketSettings, category: str, *, subcategory: str | None, field_name: str) -> None:
    if subcategory is not None and subcategory not in settings.subcategories_of(category):
        raise InvalidInput(
            f"'{subcategory}' is not a subcategory of {category} in this estate", field=field_name,
            allowed=list(settings.subcategories_of(category)),
        )


def _checked_value(spec: ExtraField, value: Any, *, field_name: str) -> Any:
    if spec.kind == "text":
        if not isinstance(value, str) or len(value) > TEXT_FIELD_MAX:
            raise InvalidInput(f"{spec.name} must be text of at most {TEXT_FIELD_MAX} characters", field=field_name)
        return value.strip()
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"{spec.name} must be a number", field=field_name)
        return value
    if spec.kind == "choice":
        if value not in spec.options:
            raise InvalidInput(f"{spec.name} must be one of {', '.join(spec.options)}", field=field_name)
        return value
    if isinstance(value, str):  # date
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidInput(f"{spec.name} must be a date (YYYY-MM-DD)", field=field_name)


def check_extra_fields(
    settings: TicketSettings, category: str, *, values: dict[str, Any], prefix: str = "ticket.fields"
) -> dict[str, Any]:
    """The ticket's extra fields, checked against the estate's definitions (422 naming `<prefix>.<name>`)."""
    defined = {spec.name: spec for spec in settings.fields if spec.applies_to(category)}
    for name in values:
        if name not in defined:
            raise InvalidInput(f"this estate has no ticket field '{name}'", field=f"{prefix}.{name}")
    checked: dict[str, Any] = {}
    for name, spec in defined.items():
        value = values.get(name)
        if value is None or value == "":
            if spec.required:
                raise InvalidInput(f"{name} is required on {category} tickets in this estate", field=f"{prefix}.{name}")
            continue
        checked[name] = _checked_value(spec, value, field_name=f"{prefix}.{name}")
    return checked
