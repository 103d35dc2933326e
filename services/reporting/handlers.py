"""Reporting's event consumer: every event, archived once."""

from services.reporting import commands

HANDLERS = {
    "#": commands.archive_and_count,
}
