# EstateDesk: `make run` brings the platform up; `make test` installs and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-e2e test-reliability test-security test-calendar bench deps browser wrk token clean

# RUN_ARGS: e.g. `--data DIR --free-ports` (python -m devstack.run --help).
# Chromium too: billing prints receipts as PDF with it.
run: deps browser $(STAMP)
	$(PY) -m devstack.run $(RUN_ARGS)

test: deps browser $(STAMP)
	$(PY) -m pytest

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit

test-integration: deps $(STAMP)
	$(PY) -m pytest tests/integration

test-e2e: deps browser $(STAMP)
	$(PY) -m pytest tests/e2e

test-reliability: deps $(STAMP)
	$(PY) -m pytest tests/reliability

test-security: deps $(STAMP)
	$(PY) -m pytest tests/security

# The suite's date-sensitive parts with the platform's clock on awkward days (shared/clock.py):
# the first and last of a month, 31 December, 28 February, a Sunday, a week across two months.
CALENDAR ?= 2027-01-01T03:00:00+08:00 2026-11-30T23:30:00+08:00 2026-12-31T23:50:00+08:00 \
	2027-02-28T12:00:00+08:00 2026-12-06T10:00:00+08:00 2026-12-30T09:00:00+08:00 2028-02-29T07:59:00+08:00
CALENDAR_TESTS ?= tests/unit tests/integration tests/e2e tests/reliability/test_duty_ledger.py tests/reliability/test_sla_exactly_once.py
test-calendar: deps browser $(STAMP)
	@for at in $(CALENDAR); do \
		echo "== the platform's clock at $$at"; \
		CLOCK_AT=$$at $(PY) -m pytest -q $(CALENDAR_TESTS) || exit 1; \
	done

# BENCH_ARGS: e.g. `--quick` (everything, small; python -m bench --help).
bench: deps wrk browser $(STAMP) $(VENV)/.bench-installed
	$(PY) -m bench $(BENCH_ARGS)

# The bench's own tools: py-spy (profiles) from PyPI, pinned in bench/requirements.txt.
$(VENV)/.bench-installed: bench/requirements.txt $(STAMP)
	@$(PY) -m pip install -q -r bench/requirements.txt && touch $@

# A bearer token for local use, e.g. `make token ROLES=technician USER_ID=eng-wang`.
token: $(STAMP)
# Each value is quoted, so that `ESTATES='*'` reaches the command as `*` and not as the files here.
	@$(PY) -m shared.tokens --roles '$(or $(ROLES),agent)' --estates '$(or $(ESTATES),demo-estate)' \
		--user '$(or $(USER_ID),agent-1)'

# Pip's own output is long: each pinned package is named as pip takes it up, the rest is kept in
# $(VENV)/install.log.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@echo "Installing the pinned Python packages of requirements.txt into $(VENV) (once, about a minute)…"
	@echo "  creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV)
	@echo "  upgrading pip"; $(PY) -m pip install -qq --upgrade pip
	@set -o pipefail; $(PY) -m pip install --progress-bar off -r requirements.txt 2>&1 \
		| $(PY) devstack/pip_progress.py $(VENV)/install.log \
		|| { echo "pip install failed: see $(VENV)/install.log" >&2; exit 1; }
	@touch $(STAMP); echo "  done: $(VENV) is ready"

# $(call apt_install,PACKAGE,TEST,HINT): the Debian package unless TEST passes (as root with apt-get).
define apt_install
	@if $(2); then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $(1) (Debian package; apt-get update, then apt-get install)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
		echo "  installed $(1)"; \
	else \
		echo "$(1) is missing: install Debian's $(1) (sudo apt-get install $(1))$(3)." >&2; exit 1; \
	fi
endef

# RabbitMQ from Debian's package, unless AMQP_URL names a broker to use.
deps:
	$(call apt_install,rabbitmq-server,[ -n "$$AMQP_URL" ] || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ], or set AMQP_URL to a broker you have)

# wrk from Debian's package: the bench's full-load runs (a native generator, unlike bench.load).
wrk:
	$(call apt_install,wrk,command -v wrk >/dev/null)

# Chromium from Debian's package, with a CJK font: the browser tests of the documentation pages and the
# dashboards drive it (so does the bench's event-to-screen figure), and billing prints receipts' PDFs with it.
browser:
	$(call apt_install,chromium fonts-wqy-microhei,[ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ])

clean:
	rm -rf .run .pytest_cache bench/results
