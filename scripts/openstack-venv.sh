#!/bin/sh
# Create the virtualenv of the real OpenStack referees the tests start (Keystone, glance-api,
# nova's config loader, oslo.rootwrap): ${OPENSTACK_VENV:-.venv-openstack} with
# requirements-openstack.txt. Idempotent: pip runs only when requirements-openstack.txt is newer
# than the venv's .requirements.stamp. Works on a fresh Debian machine as root (installs
# python3-venv when `python3 -m venv` cannot make a venv).
set -eu
cd "$(dirname "$0")/.."
OPENSTACK_VENV="${OPENSTACK_VENV:-.venv-openstack}"
REQUIREMENTS=requirements-openstack.txt

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "openstack-venv: need root to apt-get install $*" >&2
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
if [ ! -x "$OPENSTACK_VENV/bin/python" ]; then
    python3 -m venv "$OPENSTACK_VENV" 2>/dev/null || {
        rm -rf "$OPENSTACK_VENV"
        apt_install python3-venv
        python3 -m venv "$OPENSTACK_VENV"
    }
fi
STAMP="$OPENSTACK_VENV/.requirements.stamp"
if [ ! -f "$STAMP" ] || [ "$REQUIREMENTS" -nt "$STAMP" ]; then
    "$OPENSTACK_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
    touch "$STAMP"
fi
