"""Billing's event consumers: the estates (and later units) it bills."""

from shared.estates import project_estate

HANDLERS = {
    "intake.estate.registered": project_estate,
}
