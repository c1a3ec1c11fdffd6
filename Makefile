# kms-pubkey developer entry points. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_VERSION := 26.3

# Every workspace package, installed editable into .venv and built by `make wheels`.
GENERATED := $(wildcard generated/*)
OVERLAYS := $(wildcard overlays/*)
TOOLS := $(wildcard emulator)
PACKAGES := $(GENERATED) $(OVERLAYS) $(TOOLS)
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.DEFAULT_GOAL := help
.PHONY: help venv generate check-generated test fuzz lint wheels version release-check publish demo bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

$(VENV)/.installed: pyproject.toml generator/requirements.txt $(PYPROJECTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --group dev -r generator/requirements.txt $(addprefix -e ,$(PACKAGES))
	touch $@

venv: $(VENV)/.installed ## create .venv with every package and tool

generate: $(VENV)/.installed ## regenerate generated/ from specs/
	$(PY) generator/generate.py

check-generated: $(VENV)/.installed ## fail if generated/ differs from a fresh generation
	$(PY) generator/generate.py --check

test: $(VENV)/.installed ## run the whole test suite
	$(PY) -m pytest

fuzz: $(VENV)/.installed ## the hypothesis fuzz tests at ten times the examples of `make test` (200,000)
	KMS_PUBKEY_FUZZ=1 $(PY) -m pytest tests/reliability/test_fuzz.py -q

LINTED := overlays emulator generator scripts bench tests

lint: $(VENV)/.installed ## ruff on everything we write, mypy --strict on the overlays and the emulator
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check overlays emulator generator scripts
	$(VENV)/bin/mypy --config-file pyproject.toml \
		$(foreach p,$(OVERLAYS) $(TOOLS),$(wildcard $(p)/kms_pubkey*))

wheels: $(VENV)/.installed ## build every package's wheel into dist/
	rm -rf dist && mkdir -p dist
	for p in $(PACKAGES); do \
		$(PY) -m build --wheel --outdir dist $$p > dist/.build.log 2>&1 || { cat dist/.build.log; exit 1; }; \
	done; rm -f dist/.build.log
	@ls -1 dist

version: $(VENV)/.installed ## set every package's version and internal pin: make version VERSION=x.y.z
	@test -n "$(VERSION)" || { echo "usage: make version VERSION=x.y.z"; exit 2; }
	$(PY) scripts/release.py version $(VERSION)

release-check: $(VENV)/.installed ## build every wheel and sdist into dist/ and check them (twine, contents, pins, fresh venvs)
	$(PY) scripts/release.py check

# Twine's default repository, or REPOSITORY_URL, or twine's own TWINE_REPOSITORY[_URL] and ~/.pypirc.
publish: $(VENV)/.installed ## upload every wheel and sdist with twine (REPOSITORY_URL=... to choose the index)
	$(PY) scripts/release.py publish $(if $(REPOSITORY_URL),--repository-url "$(REPOSITORY_URL)")

demo: $(VENV)/.installed ## start the emulator, fetch and print a key for every vendor, stop it
	$(PY) scripts/demo.py

BENCH_VENV := .bench-venv
BENCH_PY := $(BENCH_VENV)/bin/python

bench: ## measure speed, cold start and size against the vendor SDKs (not part of test; ~5-10 min)
	test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	# ours, non-editable (a local directory is always rebuilt and reinstalled); the emulator serves the key-cache figures.
	# Each as ./DIR: a bare `emulator` is a registry name to pip, not this folder.
	$(BENCH_PY) -m pip uninstall --quiet --yes emulator 2>/dev/null || true
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check $(addprefix ./,$(GENERATED) $(OVERLAYS) $(TOOLS))
	cd bench && ../$(BENCH_PY) run.py $(BENCH_ARGS)

clean: ## remove virtual environments and build output
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
