# novadocker: `make demo` applies the formula to a sandbox node, `make test` runs the suite.
# Both bootstrap what they need (scripts/bootstrap.sh) on a fresh Debian machine as root.
VENV ?= .venv
export VENV

.PHONY: demo test lint bench bootstrap clean

bootstrap:
	sh scripts/bootstrap.sh

demo: bootstrap
	sh scripts/demo.sh

lint:
	sh scripts/bootstrap.sh
	$(VENV)/bin/ruff check _modules _states _grains _beacons test scripts
	$(VENV)/bin/ruff format --check _modules _states _grains _beacons test scripts
	$(VENV)/bin/yamllint -s .
	$(VENV)/bin/salt-lint $$(find novadocker -name '*.sls')

test: lint
	sh scripts/bootstrap.sh test
	$(VENV)/bin/pytest -p no:cacheprovider

bench: bootstrap
	sh scripts/bootstrap.sh test
	$(VENV)/bin/python scripts/bench.py

clean:
	rm -rf .sandbox
