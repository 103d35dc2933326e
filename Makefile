# EstateDesk: `make run` brings the platform up; `make test` installs and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-e2e test-reliability test-security bench deps browser token clean

# RUN_ARGS: e.g. `--data DIR --free-ports` (python -m devstack.run --help).
run: deps $(STAMP)
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

bench: deps $(STAMP)
	$(PY) -m bench

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

# Chromium from Debian's package: the browser tests of the documentation pages drive it.
browser:
	$(call apt_install,chromium,[ -x /usr/bin/chromium ])

clean:
	rm -rf .run .pytest_cache bench/results
