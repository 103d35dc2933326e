"""Mint bearer tokens for local use: `python -m shared.tokens --estates demo-estate --roles agent`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import jwt

from shared.auth import ALGORITHM
from shared.settings import ServiceSettings


def mint_token(
    *, secret: str, issuer: str, user_id: str, company_id: str, estates: list[str] | str, roles: list[str],
    name: str = "", unit_ids: list[str] | None = None, ttl: timedelta = timedelta(hours=12),
) -> str:
    now = datetime.now(UTC)  # the real clock: PyJWT checks `exp` against it, not the platform's clock
    claims = {
        "iss": issuer, "sub": user_id, "name": name, "company_id": company_id, "estates": estates,
        "roles": roles, "unit_ids": unit_ids or [], "iat": now, "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint an EstateDesk bearer token (JWT_SECRET from the environment).")
    parser.add_argument("--user", default="agent-1")
    parser.add_argument("--name", default="")
    parser.add_argument("--company", default="demo-company")
    parser.add_argument("--estates", default="demo-estate", help="comma-separated ids, or * for all of the company's")
    parser.add_argument("--roles", default="agent", help="comma-separated roles")
    parser.add_argument("--units", default="", help="comma-separated unit ids (residents)")
    parser.add_argument("--hours", type=float, default=12)
    args = parser.parse_args()
    settings = ServiceSettings()
    estates = args.estates if args.estates == "*" else [e for e in args.estates.split(",") if e]
    print(mint_token(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, user_id=args.user, name=args.name,
        company_id=args.company, estates=estates, roles=[r for r in args.roles.split(",") if r],
        unit_ids=[u for u in args.units.split(",") if u], ttl=timedelta(hours=args.hours),
    ))


if __name__ == "__main__":
    main()
