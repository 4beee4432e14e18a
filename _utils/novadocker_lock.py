"""
The per-node lock that serialises the runs of the novadocker formula.

Two runs on one node (two minion configs, an operator's ``salt-call`` next to a highstate, an
apply and a clean) must not interleave their steps: a clean that reverts nova.conf while an
apply writes the rootwrap filter can leave the node switched without it. The first state of
every run (``novadocker.locked``) takes an exclusive ``flock`` on ``<state_dir>/run.lock`` and
keeps it until the process ends (salt-call, or the minion's job process): the descriptor is
never closed. A second run waits, up to a bounded time, then fails naming the holder's pid
(written into the lock file by each holder).

* :py:func:`acquire`: take the lock (or find this process holds it already), waiting at most
  ``timeout`` seconds;
* :py:func:`holder`: the pid written in the lock file.

In test mode (``readonly``) nothing is written: when the lock file exists, the dry run waits
until no run holds it (through a read-only descriptor) and goes on without keeping it.

A minion running jobs in threads (``multiprocessing: False``) runs them in one process: its
jobs share the lock and are not serialised against each other (only against other
processes).

Pure: no Salt dunders.
"""

import errno
import fcntl
import os
import time

#: The lock file's name in state_dir.
NAME = "run.lock"

#: Seconds between two attempts while waiting.
_POLL = 0.1

# Descriptors of the locks this process holds, kept open until it ends. A module reloaded by
# the loader starts with an empty list; :py:func:`acquire` recognises its own lock by the pid
# in the file, so a reload never makes a process wait for itself.
_HELD = []


class LockTimeout(OSError):
    """Another run holds the lock; ``pid`` is its pid (``None`` when unknown)."""

    def __init__(self, path, pid, waited):
        super().__init__(errno.EAGAIN, "held by another run")
        self.path, self.pid, self.waited = path, pid, waited


def path_in(state_dir):
    """The lock file of ``state_dir``."""
    return os.path.join(state_dir, NAME)


def _read_pid(fd):
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def holder(path):
    """The pid written in the lock file ``path`` by its last holder; ``None`` when unknown."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _read_pid(fd)
    finally:
        os.close(fd)


def acquire(state_dir, timeout, readonly=False):
    """Take the formula's lock in ``state_dir`` for the rest of this process.

    Creates ``state_dir`` (0700) and the lock file (0600). ``readonly`` (test mode): creates
    nothing, waits for a run that holds the lock and does not keep it. Returns ``{"path",
    "waited", "held": bool}``. Raises :py:class:`LockTimeout` when another run
    held it for ``timeout`` seconds, ``OSError`` when it cannot be created or opened.
    """
    path = path_in(state_dir)
    if readonly:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return {"path": path, "waited": 0.0, "held": False}
    else:
        if not os.path.isdir(state_dir):
            os.makedirs(state_dir, mode=0o700, exist_ok=True)
            os.chmod(state_dir, 0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pid = _read_pid(fd)
            if pid == os.getpid():
                # This process took it already (through a copy of this module).
                os.close(fd)
                return {"path": path, "waited": 0.0, "held": True}
            waited = time.monotonic() - started
            if waited >= timeout:
                os.close(fd)
                raise LockTimeout(path, pid, waited) from None
            time.sleep(min(_POLL, max(timeout - waited, 0.01)))
    waited = round(time.monotonic() - started, 3)
    if readonly:
        os.close(fd)
        return {"path": path, "waited": waited, "held": False}
    os.ftruncate(fd, 0)
    os.pwrite(fd, "{}\n".format(os.getpid()).encode("ascii"), 0)
    _HELD.append(fd)
    return {"path": path, "waited": waited, "held": True}
