"""Fuzzing every service's OpenAPI document with schemathesis (quality.md, security 4): no 5xx,
and no response that breaks its own schema. Deterministic generation, so a run is repeatable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devstack.stack import SERVICES
from shared.auth import Role

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzing_the_openapi_finds_no_server_error_and_no_schema_violation(stack, service, tmp_path):
    token = stack.token(user_id="fuzzer", roles=list(Role.__args__), estates="*")
    run = subprocess.run(
        [SCHEMATHESIS, "run", f"{stack.url(service)}/openapi.json",
         "--checks", "not_a_server_error,response_schema_conformance",
         "--max-examples", "10", "--generation-deterministic", "--phases", "examples,coverage,fuzzing",
         # A roster that cannot be made is solved twice (strict, then to name the rules) within its time limit.
         "--request-timeout", "60",
         # A rebuild of the shared stack's read models walks its whole archive, which keeps reporting's
         # database busy (the tests after it would wait): it has its own test.
         "--exclude-path-regex", "^/v1/admin/read-model-rebuilds",
         "--header", f"Authorization: Bearer {token}", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
