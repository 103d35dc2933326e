"""`require_estate`: the token's scope and the estate's company, in one check (pure: the estates'
companies are given as a mapping)."""

import asyncio

import pytest

from shared.auth import decode_token
from shared.errors import NotFound
from shared.tokens import mint_token

SECRET = "unit-test-secret-unit-test-secret-0123"
COMPANIES = {"ours-1": "ours", "ours-2": "ours", "theirs": "evil"}


def principal(estates, company_id="ours"):
    token = mint_token(secret=SECRET, issuer="estatedesk", user_id="u1", company_id=company_id, estates=estates,
                       roles=["company_admin"])
    found = decode_token(token, secret=SECRET, issuer="estatedesk")

    async def company_of(estate_id):
        return COMPANIES.get(estate_id)

    return found.bind_estates(company_of)


def allowed(who, estate_id) -> bool:
    try:
        asyncio.run(who.require_estate(estate_id))
        return True
    except NotFound:
        return False


def test_every_estate_means_every_estate_of_the_token_company():
    admin = principal("*")
    assert allowed(admin, "ours-1") and allowed(admin, "ours-2")
    assert not allowed(admin, "theirs")          # another company's: as if it did not exist
    assert not allowed(admin, "not-registered")  # no company known yet


def test_a_listed_estate_of_another_company_is_not_found_either():
    assert not allowed(principal(["theirs", "ours-1"]), "theirs")
    assert allowed(principal(["theirs", "ours-1"]), "ours-1")
    assert not allowed(principal(["ours-1"]), "ours-2")


def test_the_other_company_sees_its_own_only():
    evil = principal("*", company_id="evil")
    assert allowed(evil, "theirs") and not allowed(evil, "ours-1")


def test_a_principal_not_made_by_authentication_fails_closed():
    unbound = decode_token(mint_token(secret=SECRET, issuer="estatedesk", user_id="u1", company_id="ours",
                                      estates="*", roles=["agent"]), secret=SECRET, issuer="estatedesk")
    with pytest.raises(RuntimeError):
        asyncio.run(unbound.require_estate("ours-1"))


def test_every_estate_check_is_awaited():
    """`require_estate` is a coroutine: called without `await` it checks nothing, silently."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    call = re.compile(r"(?<!def )\brequire_estate\(")
    forgotten = [f"{path.relative_to(root)}:{number}" for directory in ("services", "shared")
                 for path in sorted((root / directory).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if call.search(line) and not re.search(r"\bawait\s+[\w.]*require_estate\(", line)]
    assert not forgotten, forgotten
