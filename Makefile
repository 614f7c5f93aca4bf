# Two commands: `make demo` builds the sample issue, `make test` runs the whole suite.
# Both set up everything they need on a fresh machine (venv, Python packages, and for
# the tests Debian's chromium, poppler-utils and a Java runtime, plus the Nu Html Checker).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ISSUE ?= 2024-11
# Test tools from npm: the Nu Html Checker, epub.js (a reading system run in Chromium) and axe-core
# (accessibility rules, run in Chromium on the site's pages).
NPM_TOOLS := vnu-jar@26.9.27 epubjs@0.3.93 axe-core@4.14.1

.PHONY: demo test setup system-deps tools benchmark clean

demo: setup
	$(BIN)/issuepress build $(ISSUE)

test: setup system-deps tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[test]'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

system-deps:
	scripts/install-system-deps

tools: .tools/installed

.tools/installed: Makefile
	mkdir -p .tools
	npm install --prefix .tools --no-audit --no-fund --loglevel=error $(NPM_TOOLS)
	echo "$(NPM_TOOLS)" > $@

benchmark: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/subscribers.py
	$(BIN)/python benchmarks/typography.py
	$(BIN)/python benchmarks/send.py
	$(BIN)/python benchmarks/wordimport.py
	$(BIN)/python benchmarks/press.py
	$(BIN)/python benchmarks/site.py

clean:
	rm -rf build .pytest_cache dist
