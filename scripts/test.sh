#!/bin/sh
# The whole test suite, on a fresh Debian machine as root with nothing else installed (no make):
# bootstraps what it needs (python3 and python3-venv, .venv with requirements-test.txt,
# Debian's docker.io for a real dockerd, .venv-openstack with the OpenStack referees: see
# scripts/bootstrap.sh), lints (scripts/lint.sh), then runs pytest. Extra arguments go to
# pytest (e.g. test/unit).
#
#   sh scripts/test.sh              Salt 3008 (.venv)
#   sh scripts/test.sh 3006 [...]   the Salt 3006 LTS line (.venv-3006, requirements-3006.txt)
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh test
if [ "${1:-}" = 3006 ]; then
    shift
    VENV_3006="${VENV_3006:-.venv-3006}"
    if [ ! -x "$VENV_3006/bin/python" ]; then
        python3 -m venv "$VENV_3006"
    fi
    if [ ! -f "$VENV_3006/.requirements.stamp" ] || [ requirements-3006.txt -nt "$VENV_3006/.requirements.stamp" ]; then
        "$VENV_3006/bin/python" -m pip install -q --disable-pip-version-check -r requirements-3006.txt
        touch "$VENV_3006/.requirements.stamp"
    fi
    exec "$VENV_3006/bin/pytest" -p no:cacheprovider "$@"
fi
sh scripts/lint.sh
exec "${VENV:-.venv}/bin/pytest" -p no:cacheprovider "$@"
