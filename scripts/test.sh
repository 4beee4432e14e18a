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
if [ "${1:-}" = 3006 ]; then
    shift
    sh scripts/bootstrap.sh test 3006
    exec "${VENV_3006:-.venv-3006}/bin/pytest" -p no:cacheprovider "$@"
fi
sh scripts/bootstrap.sh test
sh scripts/lint.sh
exec "${VENV:-.venv}/bin/pytest" -p no:cacheprovider "$@"
