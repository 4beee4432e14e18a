"""
The state contract (``_utils/novadocker_state.py``, imported directly): the return builder and
its warnings, the restart owed BEFORE a change and taken back when the change did not happen,
and the one restart trigger. Markers are real files under tmp_path; the function that restarts
a service is the caller's (``restart_fn``): here a plain function that records its calls.
"""

import json

import novadocker_records as records
import novadocker_state as state
from salt.exceptions import CommandExecutionError, SaltInvocationError


def unwritable_marker(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return str(blocker / "owed.json")  # its directory is a file: it cannot be written


def test_ret_warn_and_finish():
    ret = state.ret("nova-conf")
    assert ret == {"name": "nova-conf", "result": False, "changes": {}, "comment": ""}
    ret["comment"] = "set [DEFAULT] compute_driver"
    state.warn(ret, "the socket is world-writable")
    state.warn(ret, "the socket is world-writable")
    out = state.finish(ret, ["nova is not in group docker"])
    assert out is ret
    assert ret["warnings"] == ["the socket is world-writable", "nova is not in group docker"]
    assert ret["comment"] == (
        "set [DEFAULT] compute_driver\nWARNING: the socket is world-writable\n"
        "WARNING: nova is not in group docker"
    )
    assert state.finish(state.ret("x", True))["comment"] == ""


def test_owe_restart_records_each_reason_once_before_the_change(tmp_path):
    marker = str(tmp_path / "state" / "compute-restart-owed.json")
    assert state.owe_restart(None, "nothing to restart") is None
    assert state.owe_restart(marker, "nova.conf: set [DEFAULT] compute_driver") == (
        "nova.conf: set [DEFAULT] compute_driver"
    )
    # Owed already: no token, so that not_done never takes back what an earlier change owes.
    assert state.owe_restart(marker, "nova.conf: set [DEFAULT] compute_driver") is None
    assert records.owed(marker)["reasons"] == ["nova.conf: set [DEFAULT] compute_driver"]


def test_owe_restart_raises_when_the_marker_cannot_be_written(tmp_path):
    marker = unwritable_marker(tmp_path)
    try:
        state.owe_restart(marker, "nova.conf changed")
    except CommandExecutionError as exc:
        assert "cannot write record" in str(exc)
    else:
        raise AssertionError("owe_restart did not raise")


def test_not_done_takes_back_only_its_own_reason(tmp_path):
    marker = str(tmp_path / "owed.json")
    earlier = state.owe_restart(marker, "driver 1.0.0 -> 1.1.0")
    token = state.owe_restart(marker, "nova.conf: set [docker] host_url")
    state.not_done(marker, token)
    assert records.owed(marker)["reasons"] == ["driver 1.0.0 -> 1.1.0"]
    state.not_done(marker, None)
    state.not_done(None, token)
    assert records.owed(marker)["reasons"] == ["driver 1.0.0 -> 1.1.0"]
    state.not_done(marker, earlier)
    assert records.owed(marker) is None
    # Nothing left to take back: no error.
    state.not_done(marker, earlier)


def test_atomic_change_owes_first_and_takes_back_a_failed_change(tmp_path):
    marker = str(tmp_path / "owed.json")
    seen = []

    def change():
        seen.append(records.owed(marker))
        return {"DEFAULT": {"compute_driver": {"old": "a", "new": "b"}}}

    ret = state.ret("nova.conf")
    assert state.atomic_change(ret, marker, "nova.conf: set compute_driver", change) == (
        True,
        {"DEFAULT": {"compute_driver": {"old": "a", "new": "b"}}},
    )
    # The restart was owed before the change ran.
    assert seen[0]["reasons"] == ["nova.conf: set compute_driver"]

    def failing():
        raise CommandExecutionError("cannot write nova.conf: Permission denied")

    other = str(tmp_path / "other.json")
    ret = state.ret("nova.conf")
    assert state.atomic_change(ret, other, "nova.conf: set host_url", failing) == (False, None)
    assert ret["comment"] == "cannot write nova.conf: Permission denied"
    assert records.owed(other) is None

    def bad_argument():
        raise SaltInvocationError("options must be a mapping")

    ret = state.ret("nova.conf")
    assert state.atomic_change(ret, marker, "nova.conf: set x", bad_argument) == (False, None)
    assert ret["comment"] == "options must be a mapping"
    assert records.owed(marker)["reasons"] == ["nova.conf: set compute_driver"]


def test_atomic_change_changes_nothing_when_the_restart_cannot_be_owed(tmp_path):
    called = []
    ret = state.ret("nova.conf")
    done = state.atomic_change(ret, unwritable_marker(tmp_path), "x", lambda: called.append(1))
    assert done == (False, None) and called == []
    assert ret["comment"].startswith("cannot write record ")
    assert ret["comment"].endswith(": nothing was changed")


def test_restart_nothing_owed_restarts_nothing(tmp_path):
    calls = []
    ret = state.restart("nova-compute", str(tmp_path / "owed.json"), False, calls.append)
    assert ret == {
        "name": "nova-compute",
        "result": True,
        "changes": {},
        "comment": "No restart of nova-compute is owed",
    }
    assert state.restart("nova-compute", None, False, calls.append)["result"] is True
    assert calls == []


def test_restart_test_mode_says_what_and_keeps_the_marker(tmp_path):
    marker = str(tmp_path / "owed.json")
    records.owe(marker, "driver 1.0.0 -> 1.1.0")
    calls = []
    ret = state.restart("nova-compute", marker, True, calls.append)
    assert ret["result"] is None and calls == []
    assert ret["changes"] == {
        "old": "restart owed: driver 1.0.0 -> 1.1.0",
        "new": "nova-compute restarted",
    }
    assert ret["comment"] == "nova-compute would be restarted (driver 1.0.0 -> 1.1.0)"
    assert records.owed(marker) is not None


def test_restart_pays_the_marker_once_it_succeeded(tmp_path):
    marker = str(tmp_path / "owed.json")
    records.owe(marker, "driver 1.0.0 -> 1.1.0")
    records.owe(marker, "user nova joined group docker")
    calls = []

    def restart_fn(name):
        calls.append(name)
        return True

    ret = state.restart("nova-compute", marker, False, restart_fn)
    assert calls == ["nova-compute"]
    assert ret["result"] is True
    assert ret["comment"] == (
        "Restarted nova-compute (driver 1.0.0 -> 1.1.0; user nova joined group docker)"
    )
    assert records.owed(marker) is None
    # Paid: the next run restarts nothing.
    assert state.restart("nova-compute", marker, False, restart_fn)["changes"] == {}
    assert calls == ["nova-compute"]


def test_a_failed_restart_stays_owed(tmp_path):
    marker = str(tmp_path / "owed.json")
    records.owe(marker, "nova.conf changed")
    ret = state.restart("nova-compute", marker, False, lambda name: False)
    assert ret["result"] is False and ret["changes"] == {}
    assert ret["comment"] == (
        "Could not restart nova-compute (service.restart returned False); the restart stays "
        "owed in {} and the next run retries it".format(marker)
    )

    def raising(name):
        raise CommandExecutionError("unit nova-compute.service not found")

    ret = state.restart("nova-compute", marker, False, raising)
    assert ret["result"] is False
    assert "(unit nova-compute.service not found)" in ret["comment"]
    assert json.loads(open(marker).read())["reasons"] == ["nova.conf changed"]
