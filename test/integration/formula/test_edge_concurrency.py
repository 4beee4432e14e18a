"""
Issue 12, item 8: runs of the formula on one node are serialised by a lock under
``state_dir``. Two real minion configs (two salt-call processes, each with its own cache and
pillar) drive one sandbox node: an apply and a clean started together, 20 times, never leave
nova.conf switched without the rootwrap filter (or the driver, or the socket group), and both
succeed. A run that cannot get the lock waits ``lock_timeout`` seconds, then fails naming the
holder's pid, having changed nothing.
"""

import fcntl
import os
import shutil
import threading
import time

import pytest

from .edge_helpers import FILTER, NOVA, STATE_DIR, failed
from fixtures.driver import driver_files_installed
from testnode import local_minion_overrides
from testpaths import DATA

pytestmark = pytest.mark.slow

ROUNDS = 20
LIBVIRT = "compute_driver=libvirt.LibvirtDriver\n"


@pytest.fixture(scope="module")
def second_minion(salt_factories, local_minion_factory, tmp_path_factory):
    """A second minion config for ``salt-call --local`` (own cache, pillar and service log),
    serving the same formula as the suite's ``local-node``."""
    _cli, _pillar, _log, _log_file, file_root = local_minion_factory._novadocker
    base = tmp_path_factory.mktemp("second-minion")
    pillar_dir = base / "pillar"
    pillar_dir.mkdir()
    overrides = local_minion_overrides(file_root, pillar_dir, base / "service.log")
    factory = salt_factories.salt_minion_daemon("local-node-b", overrides=overrides)
    cli = factory.salt_call_cli(timeout=600)
    ret = cli.run("--local", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    return cli, pillar_dir


def run_together(jobs):
    """Run each ``(cli, args)`` in a thread of its own, released at the same instant; return
    their ProcessResults in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(idx, cli, args):
        barrier.wait()
        results[idx] = cli.run("--local", *args, _timeout=600)

    threads = [
        threading.Thread(target=worker, args=(i, cli, args)) for i, (cli, args) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_an_apply_and_a_clean_together_never_leave_a_switch_without_its_filter(
    compute_node, second_minion
):
    c = compute_node
    cli_b, pillar_b = second_minion
    c.pillar()
    shutil.copytree(c.node.pillar_dir, pillar_b, dirs_exist_ok=True)
    outcomes = []
    for round_ in range(ROUNDS):
        apply_cli, clean_cli = (c.node.cli, cli_b) if round_ % 2 == 0 else (cli_b, c.node.cli)
        applied, cleaned = run_together(
            [
                (apply_cli, ("state.apply", "novadocker")),
                (clean_cli, ("state.apply", "novadocker.clean")),
            ]
        )
        for ret in (applied, cleaned):
            states = {v["__id__"]: v for v in ret.data.values()}
            assert ret.returncode == 0, (round_, failed(states))
        # Either fully switched (the driver's class in nova.conf, the filter, the driver and
        # the group there) or fully back (nova.conf byte for byte, no filter).
        text = c.node.path(NOVA).read_text()
        switched = c.node.path(NOVA).read_bytes() != (DATA / "nova.conf").read_bytes()
        outcomes.append(switched)
        if switched:
            assert LIBVIRT not in text and "DockerDriver" in text, round_
            assert c.node.path(FILTER).exists(), round_
            assert driver_files_installed(c.python), round_
            assert c.user.in_socket_group(), round_
        else:
            assert not c.node.path(FILTER).exists(), round_
    print("switched after each round:", outcomes)


def test_a_run_that_cannot_get_the_lock_fails_in_time_naming_the_holder(node):
    node.set_pillar(
        {
            "novadocker": {
                "root": str(node.root),
                "lock_timeout": 3,
                "image": {"enabled": True, "service": "glance-api", "api": {"verify": False}},
            }
        }
    )
    lock = node.path(STATE_DIR + "/run.lock")
    lock.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        for test_mode in (False, True):
            started = time.monotonic()
            ret, states = node.apply(test=test_mode)
            assert ret.returncode != 0
            assert time.monotonic() - started < 60
            state = states["novadocker-run-lock"]
            assert state["result"] is False
            comment = state["comment"]
            assert f"pid {os.getpid()}" in comment and "3 s" in comment, comment
            assert "novadocker:lock_timeout" in comment
            assert set(failed(states)) >= {"novadocker-run-lock"}
            assert all(not s["changes"] for s in states.values())
            assert (
                node.path("/etc/glance/glance-api.conf").read_bytes()
                == (DATA / "glance-api.conf").read_bytes()
            )
    finally:
        os.close(fd)
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert "dockerref" in node.path("/etc/glance/glance-api.conf").read_text()
