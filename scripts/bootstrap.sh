#!/bin/sh
# Bootstrap what scripts/demo.sh and scripts/test.sh (make demo, make test) need on a fresh
# Debian machine (as root, nothing else installed): python3 with venv, a virtualenv at .venv
# with requirements-test.txt, and, for the tests (argument "test"), Debian's docker.io for a
# real dockerd and the OpenStack referees' virtualenv; with "3006", .venv-3006 with
# requirements-3006.txt. Idempotent and quick when done: pip runs only when a requirements file
# is newer than its virtualenv's .requirements.stamp.
#
#   sh scripts/bootstrap.sh [test] [3006]
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
VENV_3006="${VENV_3006:-.venv-3006}"

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

# venv_with <virtualenv> <requirements file>: the virtualenv, with the requirements installed.
venv_with() {
    if [ ! -x "$1/bin/python" ]; then
        python3 -m venv "$1" 2>/dev/null || {
            rm -rf "$1"
            apt_install python3-venv
            python3 -m venv "$1"
        }
    fi
    if [ ! -f "$1/.requirements.stamp" ] || [ "$2" -nt "$1/.requirements.stamp" ]; then
        # Some of Salt's dependencies (timelib) have no wheel for Debian's Python: pip builds
        # them, with a C compiler and Python's headers.
        if ! command -v gcc >/dev/null 2>&1 || ! ls /usr/include/python3*/Python.h >/dev/null 2>&1; then
            apt_install gcc python3-dev
        fi
        "$1/bin/python" -m pip install -q --disable-pip-version-check -r "$2"
        touch "$1/.requirements.stamp"
    fi
}

if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv
fi
venv_with "$VENV" requirements-test.txt
for arg in "$@"; do
    case "$arg" in
        test)
            if ! command -v dockerd >/dev/null 2>&1 && [ ! -x /usr/sbin/dockerd ]; then
                apt_install docker.io
            fi
            # The tests' real OpenStack referees (nova's config loader, Keystone, glance-api,
            # rootwrap).
            sh scripts/openstack-venv.sh
            ;;
        3006)
            venv_with "$VENV_3006" requirements-3006.txt
            ;;
        *)
            echo "bootstrap: unknown argument $arg (test, 3006)" >&2
            exit 2
            ;;
    esac
done
