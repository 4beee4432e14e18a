# novadocker: `make demo` applies the formula to a sandbox node, `make test` runs the suite: the
# same as README's `sh scripts/demo.sh` and `sh scripts/test.sh`, which need no make and
# bootstrap what they need (scripts/bootstrap.sh) on a fresh Debian machine as root.
VENV ?= .venv
export VENV

.PHONY: demo test lint bench bootstrap clean test-3006

bootstrap:
	sh scripts/bootstrap.sh

demo:
	sh scripts/demo.sh

# ruff, yamllint and salt-lint (scripts/lint.sh says on what).
lint:
	sh scripts/lint.sh

test:
	sh scripts/test.sh

# Speed against Salt's own floor on this machine (scripts/bench.py); writes BENCHMARKS.md.
# strace (Debian) shows that a re-apply starts no process.
bench: bootstrap
	sh scripts/bootstrap.sh test
	command -v strace >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace)
	$(VENV)/bin/python scripts/bench.py --markdown BENCHMARKS.md

# The suite on the Salt 3006 LTS line, in its own virtualenv (requirements-3006.txt).
VENV_3006 ?= .venv-3006
export VENV_3006

test-3006:
	sh scripts/test.sh 3006

clean:
	rm -rf .sandbox
