"""novadocker_lock: the per-node lock of the formula's runs (issue 12, item 8). Real processes
hold the lock (flock is per open file description, so the holders here are children)."""

import multiprocessing
import os
import subprocess
import sys
import time

import pytest

import novadocker_lock as lock


def _hold(state_dir, ready, release):
    lock.acquire(state_dir, 5)
    ready.set()
    release.wait(30)


@pytest.fixture
def held(tmp_path):
    """A child process holding the lock of ``tmp_path/state`` until the test ends."""
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(tmp_path / "state"), ready, release))
    proc.start()
    assert ready.wait(30)
    yield proc
    release.set()
    proc.join(30)


def test_acquire_creates_a_private_lock_file_naming_its_holder(tmp_path):
    state_dir = tmp_path / "state"
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=lock.acquire, args=(str(state_dir), 5))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    path = state_dir / lock.NAME
    assert state_dir.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    assert lock.holder(str(path)) == child.pid


def test_a_second_run_waits_then_fails_naming_the_holder(tmp_path, held):
    started = time.monotonic()
    with pytest.raises(lock.LockTimeout) as info:
        lock.acquire(str(tmp_path / "state"), 0.5)
    assert 0.5 <= time.monotonic() - started < 5
    assert info.value.pid == held.pid


def test_test_mode_waits_without_writing_or_keeping_it(tmp_path, held):
    with pytest.raises(lock.LockTimeout):
        lock.acquire(str(tmp_path / "state"), 0.3, readonly=True)
    # No lock file: nothing to wait for, nothing created.
    got = lock.acquire(str(tmp_path / "elsewhere"), 0.3, readonly=True)
    assert got["held"] is False and not (tmp_path / "elsewhere").exists()


def test_the_lock_is_released_when_its_holder_ends(tmp_path):
    """A holder killed with SIGKILL (a run killed by the OOM killer, an operator) leaves no
    lock behind: the kernel drops it with the process."""
    state_dir = str(tmp_path / "state")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]); import novadocker_lock as l; "
            "l.acquire(sys.argv[2], 5); print('held', flush=True); time.sleep(60)",
            os.path.dirname(lock.__file__),
            state_dir,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(lock.LockTimeout):
            lock.acquire(state_dir, 0.2)
    finally:
        holder.kill()
        holder.wait(30)
    got = lock.acquire(state_dir, 5)
    assert got["held"] is True
    assert lock.holder(got["path"]) == os.getpid()
    # Taken again by the same process (a reloaded copy of the module): no wait.
    again = lock.acquire(state_dir, 0.1)
    assert again["held"] is True and again["waited"] == 0.0
