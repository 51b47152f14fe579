# The two commands a newcomer needs: `make run` (the demo) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: run test bench load load-short soak browser-deps services-check clean messages

$(STAMP): requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

## make run: the embedded demo on http://127.0.0.1:8000 (SQLite, SQLite broker, simulator). Ctrl-C stops it.
## Other ports: make run PORT=8100 SIMULATOR_PORT=8101
PORT ?= 8000
SIMULATOR_PORT ?= 8001
run: $(STAMP)
	DEBUG=1 $(PY) manage.py run_demo --port $(PORT) --simulator-port $(SIMULATOR_PORT)

## make test: the whole suite against PostgreSQL and Redis on localhost, with headless Chromium.
test: $(STAMP) browser-deps
	$(PY) -m pytest

## make bench: every benchmark (tooling/bench/), one table of figures and ratios against named baselines.
bench: $(STAMP)
	$(PY) -m tooling.bench $(ARGS)

## make load: idle capacity (req/s at p95 <= 500 ms) by a step-up ramp, then browsing at two thirds of it, idle and during a
## 100,000-station refresh and a 1,000-row import; prints the capacity, the p95 ratio, the req/s lost and the double sends
## (tooling/load/: locust against gunicorn, PostgreSQL and Redis on localhost; not part of make test). load-short: a quick one.
load: $(STAMP)
	$(PY) -m tooling.load

load-short: $(STAMP)
	$(PY) -m tooling.load --short

## make soak (tooling/soak/): the demo for DURATION (default 60m) under scripted browsing and writes; report in artifacts/soak-report.md.
DURATION ?= 60m
soak: $(STAMP)
	nice -n 10 $(PY) -m tooling.soak --duration $(DURATION)

## make messages: after changing a translatable text, collect every text into locale/<lang>/LC_MESSAGES/django.po
## (German, Dutch), then translate the new entries there and compile (the .mo files are committed, so a clean
## clone runs without gettext's tools; tests/i18n fails while a .mo is older than its .po). Needs GNU gettext.
MESSAGE_IGNORES := .venv/* tests/* simulator/* tooling/* demo/* var/* staticfiles/* control/* artifacts/*
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l de -l nl --add-location file --no-obsolete $(addprefix --ignore=,$(MESSAGE_IGNORES))
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

# Debian's Chromium for the browser tests (Playwright's own browser download is not used).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's chromium for the browser tests…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
		fi; \
	fi

clean:
	rm -rf var/ staticfiles/ artifacts/ .pytest_cache
