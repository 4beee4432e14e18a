#!/bin/sh
# Lint (part of `sh scripts/test.sh`, and `make lint`): ruff (check and format) on every
# top-level _<type> folder that exists, the tests and the scripts; yamllint on the plain-YAML
# files (.yamllint says which); salt-lint on every SLS and Jinja file outside hidden folders
# (.venv*, .sandbox). Bootstraps .venv first (scripts/bootstrap.sh).
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
sh scripts/bootstrap.sh
PY_PATHS=""
for dir in _*/; do
    [ -d "$dir" ] && PY_PATHS="$PY_PATHS ${dir%/}"
done
PY_PATHS="$PY_PATHS test scripts"
# shellcheck disable=SC2086 # PY_PATHS is a list of folder names without spaces
"$VENV/bin/ruff" check $PY_PATHS
# shellcheck disable=SC2086
"$VENV/bin/ruff" format --check $PY_PATHS
"$VENV/bin/yamllint" -s .
find . -path './.*' -prune -o \( -name '*.sls' -o -name '*.jinja' \) -print \
    | xargs "$VENV/bin/salt-lint"
