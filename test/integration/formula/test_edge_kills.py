"""
Issue 12, items 5 and 6: a run killed at any rename.

strace's fault injection (``-e inject=rename,renameat,renameat2:signal=SIGKILL:when=N``)
kills salt-call at its Nth rename: every rename of the run in turn, counted first in an
untouched run of the same change (only salt-call's main thread is traced, where the states
run: the subprocesses it starts, gpasswd and pip, are never killed).

* Item 5: on a switched node, a run that changes only a ``[docker]`` option (only Glance's
  list, on an image node) is killed at each rename; the next run always restarts nova-compute
  (glance-api): the restart is owed before the change is made.
* Item 6: a first apply is killed at each rename; what the kill leaves is never a file
  oslo.rootwrap would load (rootwrap.d holds nothing without a leading dot but
  docker.filters), and the next run (item 5's loop) or clean removes every temporary file the
  killed run left; clean also undoes what the killed run did (the filter, the group).
"""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from fixtures.driver import site_packages

from .edge_helpers import (
    TEMP_MARK,
    FILTER,
    GLANCE,
    NOVA,
    ROOTWRAP_D,
    STATE_DIR,
    failed,
    raw_call,
    states_of,
    strays,
)
from testpaths import DATA

pytestmark = pytest.mark.slow

RENAMES = "rename,renameat,renameat2"
_RENAME_LINE = re.compile(r'^rename(?:at2?)?\((?:[^,]*, )?"([^"]*)", (?:[^,]*, )?"([^"]*)"')


def traced_run(node, args, trace_file, when=None):
    """``salt-call --local <args>`` under strace (main thread only); with ``when``, killed at
    its ``when``-th rename. Returns ``(CompletedProcess, [(source, target, completed)])``."""
    prefix = ["strace", "-qq", "-o", str(trace_file), "-e", "trace=" + RENAMES]
    if when is not None:
        prefix += ["-e", f"inject={RENAMES}:signal=SIGKILL:when={when}"]
    proc, _data = raw_call(node, args, prefix=prefix)
    renames = []
    for line in pathlib.Path(trace_file).read_text().splitlines():
        match = _RENAME_LINE.match(line)
        if match:
            renames.append((match.group(1), match.group(2), not line.rstrip().endswith("= ?")))
    return proc, renames


class Snapshot:
    """The sandbox node's files, copied aside with owners, modes and xattrs (``cp -a``)."""

    def __init__(self, root, dest):
        self.root, self.dest = pathlib.Path(root), pathlib.Path(dest)
        subprocess.run(["cp", "-a", str(self.root), str(self.dest)], check=True)

    def restore(self):
        shutil.rmtree(self.root)
        subprocess.run(["cp", "-a", str(self.dest), str(self.root)], check=True)


def kill_at_every_rename(node, tmp_path, args, check, reset=lambda: None):
    """Count the renames of ``args`` on the node as it is now, then for each one: put the
    node back (its files, and ``reset()`` for the rest), run ``args`` killed at that rename,
    and call ``check(killed_target)``."""
    # A first run warms Salt's own caches (the SLS and source files it copies into the
    # minion cache the first time): from then on each run renames the same files in the same
    # order.
    snap = Snapshot(node.root, tmp_path / "snapshot")
    proc, _data = raw_call(node, args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    snap.restore()
    reset()
    proc, renames = traced_run(node, args, tmp_path / "count.trace")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert renames, "the run renamed nothing"
    targets = [target for _src, target, _ok in renames]
    for when in range(1, len(renames) + 1):
        snap.restore()
        reset()
        if node.service_log.exists():
            node.service_log.unlink()
        proc, seen = traced_run(node, args, tmp_path / f"kill-{when}.trace", when=when)
        assert proc.returncode != 0
        cut = [target for _src, target, ok in seen if not ok]
        assert len(cut) == 1 and cut[0] == targets[when - 1], (when, cut, targets)
        check(cut[0])
    return targets


def test_a_docker_option_change_killed_at_any_rename_is_restarted_by_the_next_run(
    compute_node, tmp_path
):
    c = compute_node
    c.pillar()
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    c.pillar(compute={"docker": {"host_url": c.dockerd.url, "privileged": True}})
    nova = c.node.path(NOVA)

    def check(killed):
        left = strays(c.node.root)
        restarts_before = len(c.node.restarts())
        proc, data = raw_call(c.node, ["state.apply", "novadocker"])
        states = states_of(data)
        assert proc.returncode == 0, (killed, failed(states))
        assert "privileged = True" in nova.read_text(), killed
        # The restart is paid: by the killed run if it got that far, else by this one.
        assert len(c.node.restarts()) >= 1, (killed, left)
        assert c.node.call("novadocker.restart_owed").data is None
        if restarts_before == 0 and not states["novadocker-compute-nova-conf"]["changes"]:
            # The killed run changed nova.conf: this run restarts for it.
            assert states["novadocker-compute-service-restart"]["changes"], killed
        assert strays(c.node.root) == [], (killed, left)

    targets = kill_at_every_rename(c.node, tmp_path, ["state.apply", "novadocker"], check)
    assert str(nova) in targets
    assert str(c.node.path(STATE_DIR + "/compute-restart-owed.json")) in targets
    assert targets.index(str(c.node.path(STATE_DIR + "/compute-restart-owed.json"))) < (
        targets.index(str(nova))
    )


def test_a_glance_list_change_killed_at_any_rename_is_restarted_by_the_next_run(node, tmp_path):
    pillar = {
        "root": str(node.root),
        "image": {"enabled": True, "service": "glance-api", "api": {"verify": False}},
    }
    node.set_pillar({"novadocker": pillar})
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    pillar["image"]["container_formats"] = ["docker", "dockerref", "compressed"]
    node.set_pillar({"novadocker": pillar})
    glance = node.path(GLANCE)

    def check(killed):
        left = strays(node.root)
        proc, data = raw_call(node, ["state.apply", "novadocker"])
        assert proc.returncode == 0, (killed, failed(states_of(data)))
        assert "compressed" in glance.read_text().split("container_formats", 1)[1]
        assert ["restart", "glance-api"] in [r[:2] for r in node.restarts()], (killed, left)
        assert node.call("novadocker.restart_owed", "role=image").data is None
        assert strays(node.root) == [], (killed, left)

    targets = kill_at_every_rename(node, tmp_path, ["state.apply", "novadocker"], check)
    assert str(glance) in targets


def test_a_first_apply_killed_at_any_rename_leaves_nothing_clean_cannot_undo(
    compute_node, tmp_path
):
    c = compute_node
    # The driver is there already (pip is not what this test kills).
    proc = subprocess.run(
        [
            c.python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-build-isolation",
            "--no-deps",
            str(c.archive.path),
        ],
        env=dict(os.environ, PBR_VERSION="1.0.0"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    c.pillar()
    rootwrap_d = c.node.path(ROOTWRAP_D)
    seen_strays = []
    # nova 34 loads drivers from nova.virt only: the run also writes the formula's shim into
    # nova's environment, outside the sandbox.
    nova_virt = site_packages(c.python) / "nova" / "virt"

    def venv_strays():
        return sorted(str(p) for p in nova_virt.rglob("*") if TEMP_MARK in p.name)

    def reset():
        c.user.reset()
        shutil.rmtree(nova_virt / "docker", ignore_errors=True)

    def check(killed):
        loadable = [p.name for p in rootwrap_d.iterdir() if not p.name.startswith(".")]
        assert set(loadable) <= {"docker.filters"}, (killed, loadable)
        left = strays(c.node.root)
        seen_strays.extend(left + venv_strays())
        # A dry run after the kill writes nothing: it says what it would remove.
        before = c.node.path(NOVA).read_bytes()
        proc, data = raw_call(c.node, ["state.apply", "novadocker", "test=True"])
        lock_state = states_of(data)["novadocker-run-lock"]
        assert strays(c.node.root) == left and c.node.path(NOVA).read_bytes() == before, killed
        if left:
            assert lock_state["result"] is None and lock_state["changes"]["removed"], killed
        proc, data = raw_call(c.node, ["state.apply", "novadocker.clean"])
        # (the killed run may have added the nova user to the group: clean takes it out)
        assert proc.returncode == 0, (killed, failed(states_of(data)))
        assert strays(c.node.root) == [] and venv_strays() == [], killed
        assert not (nova_virt / "docker").exists(), killed
        assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes(), killed
        assert not c.node.path(FILTER).exists(), killed
        assert not c.user.in_socket_group(), killed
        assert c.node.call("novadocker.restart_owed").data is None

    targets = kill_at_every_rename(
        c.node, tmp_path, ["state.apply", "novadocker"], check, reset=reset
    )
    assert str(c.node.path(FILTER)) in targets
    assert str(c.node.path(NOVA)) in targets
    # Killed at a rename, the temporary file being renamed stays behind: clean removed them.
    assert any(".docker.filters.ndtmp." in s for s in seen_strays), seen_strays
    assert any(".nova.conf.ndtmp." in s for s in seen_strays), seen_strays
    assert str(nova_virt / "docker" / "__init__.py") in targets
    assert any(".__init__.py.ndtmp." in s for s in seen_strays), seen_strays
