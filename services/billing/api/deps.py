"""Who may call what in billing: every role alias of its routes, named once."""

from typing import Annotated

from shared.auth import Principal, require_roles

Clerks = Annotated[Principal, require_roles("billing_clerk", "estate_manager", "company_admin")]
