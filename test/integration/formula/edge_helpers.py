"""
Helpers of the edge-case tests (issue 12) that drive ``salt-call --local`` on a sandbox node:
raw runs (another working directory, under strace), and what a run may leave behind.
"""

import json
import os
import pathlib
import subprocess

NOVA = "/etc/nova/nova.conf"
GLANCE = "/etc/glance/glance-api.conf"
ROOTWRAP_D = "/etc/nova/rootwrap.d"
FILTER = ROOTWRAP_D + "/docker.filters"
STATE_DIR = "/var/lib/novadocker"
#: The mark of the formula's temporary files (``_utils/novadocker_files.py``).
TEMP_MARK = ".ndtmp."


def failed(states):
    """``{state id: comment}`` of the failed states."""
    return {k: v["comment"] for k, v in states.items() if v["result"] is False}


def own_failures(states):
    """The failed states that failed themselves (not because a state they require failed)."""
    return {
        k
        for k, v in states.items()
        if v["result"] is False and not v["comment"].startswith("One or more requisite failed")
    }


def changed(states):
    return {k for k, v in states.items() if v["changes"]}


def states_of(data):
    """``{state id: return}`` from salt-call's JSON output of a state run."""
    out = {}
    if isinstance(data, dict):
        data = data.get("local", data)
        if isinstance(data, dict):
            for value in data.values():
                if isinstance(value, dict) and "__id__" in value:
                    out[value["__id__"]] = value
    return out


def raw_call(node, args, cwd=None, prefix=(), timeout=600):
    """``salt-call --local <args>`` as a plain subprocess (``prefix``: e.g. strace's argv,
    ``cwd``: its working directory); returns ``(CompletedProcess, parsed JSON or None)``."""
    argv = list(prefix) + node.cli.cmdline("--local", *args)
    proc = subprocess.run(
        argv, cwd=str(cwd or node.root), capture_output=True, text=True, timeout=timeout
    )
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else None
    except ValueError:
        data = None
    return proc, data


def enable_role_without_gates(node, role):
    """Pillar of a sandbox node with ``role`` (compute or image) on and no driver source or
    daemon (the readiness gates print SKIPPED): only the role's config file matters."""
    node.set_pillar(
        {
            "novadocker": {
                "root": str(node.root),
                "unsafe_skip_readiness_gates": True,
                role: {"enabled": True, "service": "svc-" + role},
            }
        }
    )


def cachedir(node):
    return pathlib.Path(node.call("config.get", "cachedir").data)


def strays(root):
    """Every temporary file a run of the formula (or Salt's file.managed) left under the
    sandbox ``root``: the formula's marked ones anywhere, and anything in rootwrap.d that
    oslo.rootwrap would load besides docker.filters (it loads every file without a leading
    dot)."""
    root = pathlib.Path(root)
    found = sorted(str(p.relative_to(root)) for p in root.rglob("*") if TEMP_MARK in p.name)
    rootwrap_d = root / ROOTWRAP_D.lstrip("/")
    if rootwrap_d.is_dir():
        found += sorted(
            str(p.relative_to(root))
            for p in rootwrap_d.iterdir()
            if not p.name.startswith(".") and p.name != "docker.filters"
        )
    return found


def text_of_everything(node, ret=None):
    """What a secret must never reach: the run's stdout and stderr, the minion log, the
    formula's records and markers, and the names and contents of the minion's cache files."""
    parts = []
    if ret is not None:
        parts += [ret.stdout or "", ret.stderr or ""]
    if node.log_file and node.log_file.exists():
        parts.append(node.log_file.read_text(errors="replace"))
    state_dir = node.path(STATE_DIR)
    if state_dir.is_dir():
        parts += [p.read_text(errors="replace") for p in state_dir.iterdir() if p.is_file()]
    cache = cachedir(node)
    for dirpath, dirnames, filenames in os.walk(cache):
        parts += dirnames + filenames
        for name in filenames:
            path = pathlib.Path(dirpath, name)
            if path.stat().st_size < 1_000_000:
                parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)
