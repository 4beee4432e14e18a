"""novadocker_lock: the per-node lock of the formula's runs (issue 12, item 8). Real processes
hold the lock (flock is per open file description, so the holders here are children)."""

import multiprocessing
import os
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


def test_the_lock_is_released_when_its_holder_ends(tmp_path, held):
    held_pid = held.pid
    os.kill(held_pid, 9)
    held.join(30)
    got = lock.acquire(str(tmp_path / "state"), 5)
    assert got["held"] is True
    assert lock.holder(got["path"]) == os.getpid()
    # Taken again by the same process (a reloaded copy of the module): no wait.
    again = lock.acquire(str(tmp_path / "state"), 0.1)
    assert again["held"] is True and again["waited"] == 0.0
