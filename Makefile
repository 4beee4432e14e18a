# novadocker: `make demo` applies the formula to a sandbox node, `make test` runs the suite.
# Both bootstrap what they need (scripts/bootstrap.sh) on a fresh Debian machine as root.
VENV ?= .venv
export VENV

.PHONY: demo test lint bench bootstrap clean test-3006

bootstrap:
	sh scripts/bootstrap.sh

demo: bootstrap
	sh scripts/demo.sh

# Python: every top-level _<type> folder that exists (the fleet's _grains and _beacons may not be
# there yet), the tests and scripts. YAML: yamllint on plain-YAML files (.yamllint says which).
# SLS and Jinja: salt-lint (.salt-lint), on every one outside hidden folders (.venv*, .sandbox).
PY_PATHS = $(patsubst %/,%,$(wildcard _*/)) test scripts
SALT_FILES = $$(find . -path './.*' -prune -o \( -name '*.sls' -o -name '*.jinja' \) -print)

lint:
	sh scripts/bootstrap.sh
	$(VENV)/bin/ruff check $(PY_PATHS)
	$(VENV)/bin/ruff format --check $(PY_PATHS)
	$(VENV)/bin/yamllint -s .
	$(VENV)/bin/salt-lint $(SALT_FILES)

test: lint
	sh scripts/bootstrap.sh test
	$(VENV)/bin/pytest -p no:cacheprovider

# Speed against Salt's own floor on this machine (scripts/bench.py); writes BENCHMARKS.md.
# strace (Debian) shows that a re-apply starts no process.
bench: bootstrap
	sh scripts/bootstrap.sh test
	command -v strace >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace)
	$(VENV)/bin/python scripts/bench.py --markdown BENCHMARKS.md

# The suite on the Salt 3006 LTS line, in its own virtualenv (requirements-3006.txt).
VENV_3006 ?= .venv-3006

$(VENV_3006)/.requirements.stamp: requirements-3006.txt
	test -x $(VENV_3006)/bin/python || python3 -m venv $(VENV_3006)
	$(VENV_3006)/bin/python -m pip install -q --disable-pip-version-check -r requirements-3006.txt
	touch $@

test-3006:
	sh scripts/bootstrap.sh test
	$(MAKE) $(VENV_3006)/.requirements.stamp
	$(VENV_3006)/bin/pytest -p no:cacheprovider

clean:
	rm -rf .sandbox
