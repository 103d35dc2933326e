"""What the suite is doing while it would otherwise be quiet, for `make test` (no -q, no -v).

The tests of `NAMED_AS_THEY_RUN`, and any marked slow, take seconds to minutes each: each is named
as it starts, with its time (setup and call) before its dot; the other tests keep pytest's dots.
Fixtures that start servers say so with `announce`.
"""

from __future__ import annotations

import time

import pytest

NAMED_AS_THEY_RUN = ("tests/reliability/", "tests/security/")


class Progress:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.named: set[str] = set()
        self.durations: dict[str, float] = {}
        self.running: str | None = None

    @property
    def reporter(self):
        reporter = self.config.pluginmanager.getplugin("terminalreporter")
        return reporter if reporter is not None and self.config.get_verbosity() == 0 else None

    def write(self, text: str, *, new_line: bool = False) -> None:
        """Write `text`, on a line of its own when asked (pytest may have ended the line already)."""
        if not (reporter := self.reporter):
            return
        if new_line and getattr(reporter._tw, "width_of_current_line", 1) != 0:
            text = "\n" + text
        with self.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
            reporter.write(text, flush=True)

    def name_running_test(self) -> None:
        if self.running in self.named:
            self.write(f"    {self.running.split('::', 1)[-1]} ", new_line=True)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.named = {item.nodeid for item in items
                      if item.nodeid.startswith(NAMED_AS_THEY_RUN) or item.get_closest_marker("slow")}

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.running = nodeid
        self.name_running_test()

    @pytest.hookimpl(tryfirst=True)  # before pytest writes the test's dot
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self.named:
            self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
            if report.when == "call":
                self.write(f"({self.durations[report.nodeid]:.0f} s) ")


PROGRESS: list[Progress] = []


def install(config: pytest.Config) -> None:
    PROGRESS[:] = [Progress(config)]
    config.pluginmanager.register(PROGRESS[0], "estatedesk-progress")


class announce:
    """`with announce(request, "starting …"):` says what a slow fixture does, and how long it took."""

    def __init__(self, request: pytest.FixtureRequest, text: str) -> None:
        self.text = text

    def __enter__(self) -> None:
        self.started = time.monotonic()
        if PROGRESS:
            PROGRESS[0].write(f"  ({self.text}… ", new_line=True)

    def __exit__(self, failure, *_) -> None:
        if PROGRESS:
            PROGRESS[0].write(f"{'failed' if failure else 'ready'} in {time.monotonic() - self.started:.0f} s)\n")
            PROGRESS[0].name_running_test()
