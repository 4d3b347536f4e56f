# Tongban — the two commands a fresh machine needs are `make demo` and `make test`.
# The interpreter: the distribution's CPython 3.11 when the machine has one that can make a
# virtualenv (Debian builds it with profile-guided and link-time optimisation; a default source
# build, as pyenv makes, has neither and spent 16 % more CPU on a claim's Python:
# docs/decisions/0208), else python3.11 on PATH. `make clean` before switching: the
# virtualenv keeps the interpreter it was made with.
# (Asked only when a virtualenv is made: `?=` expands when the recipe runs.)
PYTHON ?= $(or $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11),python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 1
PORT ?= 8000

PO := $(wildcard tongban/locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)

.PHONY: install demo test lint typecheck contracts pytest bench messages clean browser-deps gettext screenshots

install: $(STAMP)

# Re-installs only when the pins change; safe to run again.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: install $(MO)
	$(BIN)/tongban demo --scale $(SCALE) --port $(PORT)

lint: install
	$(BIN)/ruff check tongban
	$(BIN)/ruff format --check tongban

typecheck: install
	$(BIN)/mypy tongban

contracts: install
	$(BIN)/lint-imports

# Tests that commit for real (marked `transactional`) run in a session of their own.
pytest: install browser-deps $(MO)
	$(BIN)/pytest -n 2 -q -m "not transactional"
	$(BIN)/pytest -q -m transactional

test: lint typecheck contracts pytest

# Browser tests drive Debian's Chromium (never a downloaded browser) and need a CJK font.
browser-deps:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk' || \
	  (echo "installing Debian chromium and a CJK font"; \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

# Message catalogues: the .po files are the source; .mo files are built, never committed.
%.mo: %.po | gettext
	msgfmt --check -o $@ $<

gettext:
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)

# Refresh the catalogue after changing user-facing strings, then translate the new entries.
messages: install
	$(BIN)/tongban makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete -v 0

bench: install $(MO)
	$(BIN)/tongban bench

# Pictures of the main pages (Chinese, one in English) into docs/screenshots/, taken by the
# browser walk in Debian's Chromium.
screenshots: install browser-deps $(MO)
	TONGBAN_SCREENSHOTS=1 $(BIN)/pytest -q -m browser tongban/web/tests/test_screenshots.py

clean:
	rm -rf $(VENV) var
