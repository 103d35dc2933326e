"""The demo data, loaded once for the security modules that read it (a load takes 5–25 s)."""

from __future__ import annotations

import pytest

from devstack.demo import load_demo


@pytest.fixture(scope="session")
def demo(stack):
    return load_demo(stack)
