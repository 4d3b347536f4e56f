# Tongban — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 1
PORT ?= 8000

.PHONY: install demo test lint typecheck contracts pytest bench screenshots messages clean browser-deps

install: $(STAMP)

# Re-installs only when the pins change; safe to run again.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/tongban demo --scale $(SCALE) --port $(PORT)

lint: install
	$(BIN)/ruff check tongban
	$(BIN)/ruff format --check tongban

typecheck: install
	$(BIN)/mypy tongban

contracts: install
	$(BIN)/lint-imports

# Tests that commit for real (marked `transactional`) run in a session of their own.
pytest: install browser-deps
	$(BIN)/pytest -n 2 -q -m "not transactional"
	$(BIN)/pytest -q -m transactional

test: lint typecheck contracts messages-check pytest

# Browser tests drive Debian's Chromium (never a downloaded browser) and need a CJK font.
browser-deps:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk' || \
	  (echo "installing Debian chromium and a CJK font"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# Message catalogues are compiled at install time, never committed as .mo files.
messages-check: install
	$(BIN)/tongban compilemessages --ignore=.venv -v 0

messages: install
	$(BIN)/tongban makemessages -l zh_Hans --ignore=.venv --ignore=var -v 0
	$(BIN)/tongban compilemessages --ignore=.venv -v 0

bench: install
	$(BIN)/tongban bench

screenshots: install browser-deps
	$(BIN)/pytest -q -m browser --screenshots docs/screenshots

clean:
	rm -rf $(VENV) var
