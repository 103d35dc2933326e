# EstateDesk: `make run` brings the platform up; `make test` installs and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-e2e test-reliability test-security bench deps token clean

# RUN_ARGS: e.g. `--data DIR --free-ports` (python -m devstack.run --help).
run: deps $(STAMP)
	$(PY) -m devstack.run $(RUN_ARGS)

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

bench: deps $(STAMP)
	$(PY) -m bench

# A bearer token for local use, e.g. `make token ROLES=technician USER_ID=eng-wang`.
token: $(STAMP)
# Each value is quoted, so that `ESTATES='*'` reaches the command as `*` and not as the files here.
	@$(PY) -m shared.tokens --roles '$(or $(ROLES),agent)' --estates '$(or $(ESTATES),demo-estate)' \
		--user '$(or $(USER_ID),agent-1)'

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
