"""Reporting's event consumer: every event, archived once, counted once (one batched, typed handler)."""

from services.reporting.commands.consume import archive_and_count

HANDLERS = {
    "#": archive_and_count,
}
