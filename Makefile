# Two commands: `make demo` builds the sample issue, `make test` runs the whole suite.
# Both set up everything they need on a fresh machine (venv, Python packages, and for
# the tests Debian's chromium, poppler-utils and a Java runtime, plus the Nu Html Checker).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ISSUE ?= 2024-11
# Test tools from npm: the Nu Html Checker, epub.js (a reading system run in Chromium), axe-core
# (accessibility rules, run in Chromium on the web pages) and Ace by DAISY (the EPUB accessibility checker).
# Ace is its command line, @daisy/ace-cli, which runs on Puppeteer: the @daisy/ace package also installs
# Electron, whose installer downloads a browser build. Puppeteer is told not to download one either: the
# tests run both on Debian's chromium (PUPPETEER_EXECUTABLE_PATH).
NPM_TOOLS := vnu-jar@26.9.27 epubjs@0.3.93 axe-core@4.14.1 @daisy/ace-cli@1.4.6

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
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .tools --no-audit --no-fund --loglevel=error $(NPM_TOOLS)
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
