#!/bin/sh
# sh scripts/demo.sh (or make demo): apply the formula with salt-call --local to a sandbox node
# under .sandbox/. Works on a fresh Debian machine as root with nothing else installed: it
# bootstraps python3, python3-venv and .venv first (scripts/bootstrap.sh).
#
# The node (.sandbox/node) gets a nova.conf and a glance-api.conf like a freshly installed
# node's; the formula makes it a docker compute node and an image node. Steps that cannot run
# in a sandbox (no driver source reachable, no Docker daemon, no nova user) print SKIPPED with
# how to enable them, because the demo pillar sets novadocker:unsafe_skip_readiness_gates.
#
# Optional: NOVADOCKER_DEMO_SOURCE=<zip url> NOVADOCKER_DEMO_HASH=sha256=<hex>
#           NOVADOCKER_DEMO_VERSION=<pbr version> NOVADOCKER_DEMO_DOCKER=unix:///var/run/docker.sock
set -eu
cd "$(dirname "$0")/.."
REPO="$(pwd)"
SANDBOX="$REPO/.sandbox"
NODE="$SANDBOX/node"
VENV="${VENV:-.venv}"
sh scripts/bootstrap.sh

rm -rf "$SANDBOX"
mkdir -p "$NODE/etc/nova/rootwrap.d" "$NODE/etc/glance" "$SANDBOX/salt" "$SANDBOX/pillar"
install -m 0640 test/data/nova.conf "$NODE/etc/nova/nova.conf"
install -m 0640 test/data/glance-api.conf "$NODE/etc/glance/glance-api.conf"
cp "$NODE/etc/nova/nova.conf" "$SANDBOX/nova.conf.orig"
cp "$NODE/etc/glance/glance-api.conf" "$SANDBOX/glance-api.conf.orig"

# The node's file root: the formula as FORMULA ships it (symlinks), not the whole repository,
# whose virtualenvs Salt would walk on every call.
mkdir -p "$SANDBOX/formula"
for part in novadocker _modules _states _utils _grains _beacons _runners; do
    [ -e "$REPO/$part" ] && ln -s "$REPO/$part" "$SANDBOX/formula/$part"
done

cat > "$SANDBOX/salt/minion" <<CONF
id: novadocker-demo
file_client: local
root_dir: $SANDBOX/salt
file_roots:
  base: [$SANDBOX/formula]
pillar_roots:
  base: [$SANDBOX/pillar]
log_file: $SANDBOX/salt/minion.log
state_output: changes
CONF
# The driver goes into nova's environment, never Salt's: a venv of its own under .sandbox when a
# source is given, else the system interpreter (where the demo reports it is not installed).
NOVA_PYTHON=/usr/bin/python3
if [ -n "${NOVADOCKER_DEMO_SOURCE:-}" ]; then
    python3 -m venv "$SANDBOX/nova-venv"
    "$SANDBOX/nova-venv/bin/python" -m pip install -q pbr setuptools wheel
    NOVA_PYTHON="$SANDBOX/nova-venv/bin/python"
fi
printf "base:\n  '*':\n    - novadocker\n" > "$SANDBOX/pillar/top.sls"
cat > "$SANDBOX/pillar/novadocker.sls" <<PILLAR
novadocker:
  root: $NODE
  # The demo relaxes the readiness gates (driver installed, daemon valid, nova user present):
  # never set this on a real node.
  unsafe_skip_readiness_gates: true
  compute:
    enabled: true
    service: false
    docker:
      host_url: ${NOVADOCKER_DEMO_DOCKER:-unix:///var/run/docker.sock}
  driver:
    python: $NOVA_PYTHON
    pip_args: [--no-build-isolation, --no-deps]
    source: '${NOVADOCKER_DEMO_SOURCE:-}'
    source_hash: '${NOVADOCKER_DEMO_HASH:-}'
    version: '${NOVADOCKER_DEMO_VERSION:-}'
  image:
    enabled: true
    service: false
PILLAR

echo "== novadocker demo: sandbox node at $NODE"
echo "== the demo pillar sets novadocker:unsafe_skip_readiness_gates: true (driver/daemon gates relaxed)"
export PYTHONWARNINGS=ignore::DeprecationWarning
CALL="$VENV/bin/salt-call --local -c $SANDBOX/salt --retcode-passthrough"
$CALL saltutil.sync_all >/dev/null
set +e
$CALL state.apply novadocker --state-verbose=true --state-output=changes
rc=$?
set -e
echo
echo "== what the formula changed in nova.conf:"
diff -u "$SANDBOX/nova.conf.orig" "$NODE/etc/nova/nova.conf" || true
echo "== what the formula changed in glance-api.conf:"
diff -u "$SANDBOX/glance-api.conf.orig" "$NODE/etc/glance/glance-api.conf" || true
echo "== rootwrap filter:"
ls -l "$NODE/etc/nova/rootwrap.d/docker.filters" 2>/dev/null || echo "(missing)"
echo "== SKIPPED steps (enable them as each line says):"
$CALL state.apply novadocker --out=json 2>/dev/null \
    | "$VENV/bin/python" -c 'import json,sys; d=json.load(sys.stdin)["local"]; [print("-", v["__id__"] + ":", v["comment"].splitlines()[0]) for v in d.values() if isinstance(v, dict) and str(v.get("comment","")).startswith("SKIPPED")]' || true
exit $rc
