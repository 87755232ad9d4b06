# The two commands: `make run` serves the demo, `make test` runs the whole suite.
# Both set up what they need (a virtualenv from PyPI, front-end packages from npm) and can run twice.

PORT := $(or $(PORT),8000)
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test bench setup setup-dev lint format messages clean

$(VENV)/.run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.run requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.run node_modules/.installed

setup-dev: $(VENV)/.dev node_modules/.installed

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo "luoshi: http://127.0.0.1:$(PORT)/"
	@# Beside gunicorn: the daily supervision loop and the task worker, stopped with it.
	@# Prometheus: every process writes its metrics here, /metrics adds them up.
	rm -rf var/prometheus && mkdir -p var/prometheus
	export PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus; \
	$(PY) manage.py run_background & bg=$$!; \
	trap 'kill $$bg 2>/dev/null; wait $$bg' EXIT INT TERM; \
	$(VENV)/bin/gunicorn luoshi.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

test: setup-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Page times, query counts, throughput ratios and document times at city and province scale,
# the roll-up pages on a province of 16 cities × 10 districts (bench/cascade.py),
# and luoshi beside Redmine (bench/peer.py; it says so and goes on when Redmine cannot be had)
# (bench/run.py; BENCH_ARGS=--quick for a short run; results in bench/results/latest.json);
# then the importer's accuracy on documents with a known plan, its speed on the seed, and OCR's
# accuracy and speed on the seed printed and scanned (bench/scan_accuracy.py, a few minutes).
bench: setup-dev
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) bench/import_accuracy.py $(BENCH_DIR)
	$(PY) bench/import_corpus.py
	$(PY) bench/parse_speed.py
	$(PY) bench/scan_accuracy.py

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The one catalogue, luoshi/locale/zh_Hans (settings.LOCALE_PATHS): every string of every app,
# tests and migrations left out. Then scripts/check_messages.py: nothing fuzzy or untranslated.
# Needs GNU gettext (a developer tool; the compiled .mo is committed).
MESSAGES_IGNORE := node_modules var bench docs deploy test-artifacts tests migrations
messages: setup-dev
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete $(MESSAGES_IGNORE:%=--ignore %)
	cd luoshi && ../$(PY) ../manage.py compilemessages --locale zh_Hans
	$(PY) scripts/check_messages.py

clean:
	rm -rf $(VENV) node_modules var/static
