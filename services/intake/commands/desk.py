"""What the service desk's use cases share: the estate in the caller's scope."""

from __future__ import annotations

from services.intake.commands.estates import find_estate_in_scope

# The incidents, patrols, surveys and quality checks of the desk use the one estate check.
estate_in_scope = find_estate_in_scope
