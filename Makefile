# UK Camera Atlas: three commands, each setting up whatever is missing first.
#
#   make run    .venv + the package, official data, the map's scripts -> the dashboard
#   make test   the same + Debian's Chromium -> make lint -> pytest
#   make lint   .venv + the package -> ruff check, ruff format --check, mypy (its files in pyproject.toml)
#
# Every step is skipped when its result is there already (a stamp inside .venv keyed on
# pyproject.toml, `python -m geo fetch --missing`, the chromium binary), so a second run
# starts in seconds.
#
# Official data comes from the folder CAMERA_ATLAS_GEO_MIRROR names; when that is unset and
# ../shared/geo sits beside the checkout, that folder is used; otherwise from the official URLs.
# Every setting (the cache, the mirrors, the limits) is in the README's Settings table, and
# `.venv/bin/python -m geo settings` lists their values.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
PORT ?= 8501
PYTEST_ARGS ?=
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

ifeq ($(origin CAMERA_ATLAS_GEO_MIRROR),undefined)
  ifneq ($(wildcard ../shared/geo/.),)
    export CAMERA_ATLAS_GEO_MIRROR := $(abspath ../shared/geo)
  endif
endif

.PHONY: help run test lint setup data chromium

help:
	@echo "make run    set up what is missing, then start the dashboard on http://localhost:$(PORT)"
	@echo "make test   set up what is missing (Chromium included), then lint and run the tests (PYTEST_ARGS=...)"
	@echo "make lint   ruff (lint and format) and mypy: each stops the run with its own message"

run: data
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port $(PORT)

# Setup first, then lint and types, then the tests: a lint failure stops `make test` there.
test: data chromium
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

setup: $(INSTALLED)

# The virtual environment and the package with its test extras; again when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@touch $@

# Official data (prepared and cached) and the map's scripts (npm registry, sha512 pinned):
# only what is not cached yet.
data: $(INSTALLED)
	$(PY) -m geo fetch --missing

# Debian's Chromium for the browser tests (never `playwright install`).
chromium: $(CHROMIUM)
$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium
