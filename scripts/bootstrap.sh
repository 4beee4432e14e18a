#!/bin/sh
# Bootstrap what scripts/demo.sh and scripts/test.sh (make demo, make test) need on a fresh
# Debian machine (as root, nothing else installed): python3 with venv, a virtualenv at .venv
# with requirements-test.txt, and, for the tests (argument "test"), Debian's docker.io for a
# real dockerd and the OpenStack referees' virtualenv. Idempotent and quick when done.
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "bootstrap: need root to apt-get install $*" >&2
        exit 1
    fi
    if [ ! -e /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
        apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    }
}

if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || {
        rm -rf "$VENV"
        apt_install python3-venv
        python3 -m venv "$VENV"
    }
fi
if [ ! -f "$VENV/.requirements.stamp" ] || [ requirements-test.txt -nt "$VENV/.requirements.stamp" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-test.txt
    touch "$VENV/.requirements.stamp"
fi
if [ "${1:-}" = test ] && ! command -v dockerd >/dev/null 2>&1 && [ ! -x /usr/sbin/dockerd ]; then
    apt_install docker.io
fi
# The tests' real OpenStack referees (nova's config loader, Keystone, glance-api, rootwrap).
if [ "${1:-}" = test ]; then
    sh scripts/openstack-venv.sh
fi
