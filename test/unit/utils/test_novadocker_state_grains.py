"""
``_utils/novadocker_state.grains_changed``: a change the grain reports has the running minion
reload its grains, only when a salt-minion daemon runs to hear it (its pidfile names a live
process) and never failing the state.
"""

import os
import subprocess

import novadocker_state as state


def test_refreshes_only_when_a_minion_daemon_runs(tmp_path):
    calls = []
    pidfile = tmp_path / "salt-minion.pid"
    opts = {"pidfile": str(pidfile)}
    assert state.grains_changed(opts, lambda: calls.append(1)) is False  # no pidfile
    pidfile.write_text(str(os.getpid()))
    assert state.grains_changed(opts, lambda: calls.append(1)) is True
    assert calls == [1]
    gone = subprocess.Popen(["true"])
    gone.wait()
    pidfile.write_text(str(gone.pid))
    assert state.grains_changed(opts, lambda: calls.append(1)) is False  # stale pid
    pidfile.write_text("garbage")
    assert state.grains_changed(opts, lambda: calls.append(1)) is False
    assert state.grains_changed({}, lambda: calls.append(1)) is False
    assert calls == [1]


def test_a_failing_refresh_never_fails_the_state(tmp_path):
    pidfile = tmp_path / "salt-minion.pid"
    pidfile.write_text(str(os.getpid()))

    def boom():
        raise RuntimeError("event bus down")

    assert state.grains_changed({"pidfile": str(pidfile)}, boom) is False
