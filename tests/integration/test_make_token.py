"""`make token` as the README tells a newcomer to run it, decoded with the services' own check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import REPO
from shared.auth import decode_token
from shared.settings import DEVELOPMENT_JWT_SECRET

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_token(tmp_path: Path, *arguments: str) -> str:
    """`make -s token …` in the checkout, with this interpreter standing in for the installed .venv."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # newer than requirements.txt: make installs nothing
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-s", "token", f"VENV={venv}", f"PY={sys.executable}", *arguments],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_estates_star_reaches_the_token_as_every_estate(tmp_path):
    # The checkout is full of files, so an unquoted * would become their names.
    assert any(REPO.iterdir())
    token = make_token(tmp_path, "ESTATES=*", "ROLES=company_admin", "USER_ID=admin-1")
    principal = decode_token(token, secret=DEVELOPMENT_JWT_SECRET, issuer="estatedesk")
    assert principal.estates == "*"
    assert principal.roles == ["company_admin"]
    assert principal.user_id == "admin-1"


def test_lists_of_estates_and_roles_are_split_on_commas(tmp_path):
    token = make_token(tmp_path, "ESTATES=estate-a,estate-b", "ROLES=agent,supervisor")
    principal = decode_token(token, secret=DEVELOPMENT_JWT_SECRET, issuer="estatedesk")
    assert list(principal.estates) == ["estate-a", "estate-b"]
    assert principal.roles == ["agent", "supervisor"]
    assert principal.user_id == "agent-1"
