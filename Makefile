# EstateDesk: `make run` brings the platform up; `make test` installs and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-e2e test-reliability test-security test-calendar bench deps token clean

run: deps $(STAMP)
	$(PY) -m devstack.run

test: deps $(STAMP)
	$(PY) -m pytest

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit

test-integration: deps $(STAMP)
	$(PY) -m pytest tests/integration

test-e2e: deps $(STAMP)
	$(PY) -m pytest tests/e2e

test-reliability: deps $(STAMP)
	$(PY) -m pytest tests/reliability

test-security: deps $(STAMP)
	$(PY) -m pytest tests/security

# The suite's date-sensitive parts with the platform's clock on awkward days (shared/clock.py):
# the first and last of a month, 31 December, 28 February, a Sunday, a week across two months.
CALENDAR ?= 2027-01-01T03:00:00+08:00 2026-11-30T23:30:00+08:00 2026-12-31T23:50:00+08:00 \
	2027-02-28T12:00:00+08:00 2026-12-06T10:00:00+08:00 2026-12-30T09:00:00+08:00 2028-02-29T07:59:00+08:00
CALENDAR_TESTS ?= tests/unit tests/e2e tests/reliability/test_duty_ledger.py tests/reliability/test_sla_exactly_once.py
test-calendar: deps $(STAMP)
	@for at in $(CALENDAR); do \
		echo "== the platform's clock at $$at"; \
		CLOCK_AT=$$at $(PY) -m pytest -q $(CALENDAR_TESTS) || exit 1; \
	done

bench: deps $(STAMP)
	$(PY) -m bench

# A bearer token for local use, e.g. `make token ROLES=technician USER_ID=eng-wang`.
token: $(STAMP)
	@$(PY) -m shared.tokens --roles $(or $(ROLES),agent) --estates $(or $(ESTATES),demo-estate) --user $(or $(USER_ID),agent-1)

$(STAMP): requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# RabbitMQ from Debian's package, unless AMQP_URL names a broker to use.
deps:
	@if [ -n "$$AMQP_URL" ] || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing rabbitmq-server (Debian package)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null; \
	else \
		echo "RabbitMQ is missing: install Debian's rabbitmq-server (sudo apt-get install rabbitmq-server)" \
		     "or set AMQP_URL to a broker you have." >&2; exit 1; \
	fi

clean:
	rm -rf .run .pytest_cache bench/results
