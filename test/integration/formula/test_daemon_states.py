"""
The ``novadocker_daemon`` states through real ``salt-call --local`` runs, against a real dockerd
and a real system user and group (test/fixtures/dockerd.py).
"""

import json
import os
import pathlib
import stat

import pytest

pytestmark = pytest.mark.slow


def single(node, fun, **kwargs):
    """Run ``state.single <fun>``; return ``(process result, the state's return)``."""
    ret = node.call("state.single", fun, **kwargs)
    assert isinstance(ret.data, dict) and len(ret.data) == 1, ret
    (state,) = ret.data.values()
    return ret, state


def etc_group(user, group):
    """The /etc/group lines that name ``user`` or define ``group`` (other test sessions on
    the same machine may add and remove their own users meanwhile)."""
    return [
        line
        for line in pathlib.Path("/etc/group").read_text().splitlines()
        if line.startswith(group + ":") or user in line.split(":")[-1].split(",")
    ]


def members(group):
    for line in pathlib.Path("/etc/group").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == group:
            return [m for m in fields[3].split(",") if m]
    raise AssertionError(f"no group {group}")


@pytest.fixture
def fresh_user(nova_user):
    """The session's nova user, out of the socket group before and after the test."""
    nova_user.reset()
    yield nova_user
    nova_user.reset()


# -- novadocker_daemon.valid -------------------------------------------------------------------
def test_validate_through_salt_call(node, dockerd):
    ret = node.call("novadocker_daemon.validate", dockerd.url)
    assert ret.returncode == 0, ret
    assert ret.data["ok"] is True, ret.data["problems"]
    assert ret.data["pinned_api_version"] == "1.19"
    assert ret.data["storage_driver"] == "vfs"
    assert ret.data["socket"]["mode"] == "0660"


def test_valid_passes_on_a_healthy_daemon(node, dockerd, fresh_user):
    node.call("novadocker_daemon.add_user_to_group", fresh_user.user, fresh_user.socket_group)
    ret, state = single(
        node, "novadocker_daemon.valid", name=dockerd.url, api_version="1.19", user=fresh_user.user
    )
    assert ret.returncode == 0, ret
    assert state["result"] is True
    assert state["changes"] == {}
    comment = state["comment"]
    assert comment.startswith(f"Docker daemon at {dockerd.url} is ready: server 20.10.")
    assert "API 1.12 to 1.41 (driver pin 1.19 supported)" in comment
    assert "storage driver" not in comment  # the gate does not ask /info
    assert f"usable by {fresh_user.user} via group" in comment


def test_skip_unready_does_not_hide_a_wrong_daemon(node, dockerd):
    # the demo-sandbox switch skips a missing daemon, not one that answers and is wrong
    ret, state = single(
        node, "novadocker_daemon.valid", name=dockerd.url, api_version="1.99", skip_unready=True
    )
    assert state["result"] is False
    assert "the driver pins Docker API 1.99" in state["comment"]

    ret, state = single(
        node, "novadocker_daemon.valid", name=dockerd.url, user="ndtnosuchuser", skip_unready=True
    )
    assert state["result"] is True
    assert state["comment"].startswith(
        "SKIPPED: user ndtnosuchuser does not exist: is nova-compute installed?"
    )


def test_valid_kilo_pin(node, dockerd):
    ret, state = single(node, "novadocker_daemon.valid", name=dockerd.url, api_version="1.13")
    assert state["result"] is True, state["comment"]
    assert "driver pin 1.13 supported" in state["comment"]


def test_valid_fails_for_a_pin_the_daemon_does_not_speak(node, dockerd):
    ret, state = single(node, "novadocker_daemon.valid", name=dockerd.url, api_version="1.99")
    assert ret.returncode != 0
    assert state["result"] is False
    assert "the driver pins Docker API 1.99" in state["comment"]
    assert dockerd.url in state["comment"]
    assert "client version 1.99 is too new" in state["comment"]


def test_valid_on_a_stopped_daemon(node, dockerd_private):
    dockerd_private.stop()
    url = dockerd_private.url

    ret, state = single(node, "novadocker_daemon.valid", name=url, api_version="1.19")
    assert ret.returncode != 0
    assert state["result"] is False
    assert state["changes"] == {}
    assert f"Docker daemon is not reachable at {url}" in state["comment"]
    assert dockerd_private.socket in state["comment"]
    assert "is dockerd running?" in state["comment"]

    ret, state = single(node, "novadocker_daemon.valid", name=url, api_version="1.19", test=True)
    assert state["result"] is None
    assert dockerd_private.socket in state["comment"]

    ret, state = single(
        node, "novadocker_daemon.valid", name=url, api_version="1.19", skip_unready=True
    )
    assert ret.returncode == 0, ret
    assert state["result"] is True
    assert state["comment"].startswith("SKIPPED: Docker daemon is not reachable at " + url)
    assert "novadocker:unsafe_skip_readiness_gates to false" in state["comment"]

    dockerd_private.start()
    ret, state = single(node, "novadocker_daemon.valid", name=url, api_version="1.19")
    assert state["result"] is True, state["comment"]


def test_valid_fails_when_the_nova_user_cannot_use_the_socket(node, dockerd, fresh_user):
    user, group = fresh_user.user, fresh_user.socket_group
    ret, state = single(node, "novadocker_daemon.valid", name=dockerd.url, user=user)
    assert state["result"] is False
    assert (
        f"user {user} cannot read and write {dockerd.socket} (root:{group} 0660): "
        f"add it to group {group}" in state["comment"]
    )


def test_valid_fails_on_a_world_writable_socket(node, dockerd):
    os.chmod(dockerd.socket, 0o666)
    try:
        ret, state = single(node, "novadocker_daemon.valid", name=dockerd.url)
        assert state["result"] is False
        assert f"Docker socket {dockerd.socket} is world-writable" in state["comment"]
        # reported, never "fixed" by the gate
        assert stat.S_IMODE(os.stat(dockerd.socket).st_mode) == 0o666
    finally:
        os.chmod(dockerd.socket, 0o660)


# -- novadocker_daemon.socket_access -----------------------------------------------------------
def test_socket_access_joins_the_group_once(node, dockerd, fresh_user, tmp_path):
    user, group = fresh_user.user, fresh_user.socket_group
    record = tmp_path / "state" / "socket_access.json"
    kwargs = dict(name=user, group=group, socket=dockerd.socket, record=str(record))

    before = etc_group(user, group)
    ret, state = single(node, "novadocker_daemon.socket_access", test=True, **kwargs)
    assert state["result"] is None
    assert state["changes"]["groups"]["new"] == sorted(state["changes"]["groups"]["old"] + [group])
    assert etc_group(user, group) == before, "test=True changed /etc/group"
    assert not record.exists()

    ret, state = single(node, "novadocker_daemon.socket_access", **kwargs)
    assert ret.returncode == 0, ret
    assert state["result"] is True
    assert group not in state["changes"]["groups"]["old"]
    assert group in state["changes"]["groups"]["new"]
    assert user in members(group)
    assert "warnings" not in state
    # the record: exactly what was added, private
    assert json.loads(record.read_text()) == {"user": user, "group": group, "added": True}
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    # the socket itself was not touched
    st = os.stat(dockerd.socket)
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o660)

    ret, state = single(node, "novadocker_daemon.socket_access", **kwargs)
    assert state["result"] is True and state["changes"] == {}
    assert "already a member" in state["comment"]

    report = node.call("novadocker_daemon.validate", dockerd.url, f"user={user}").data
    assert report["ok"] is True, report["problems"]
    assert report["socket"]["user_access"] is True
    assert report["socket"]["user_access_via"] == "group"


def test_socket_access_warns_about_a_world_writable_socket(node, dockerd, fresh_user):
    user, group = fresh_user.user, fresh_user.socket_group
    os.chmod(dockerd.socket, 0o666)
    try:
        ret, state = single(
            node, "novadocker_daemon.socket_access", name=user, group=group, socket=dockerd.socket
        )
        assert state["result"] is True
        assert user in members(group)
        (warning,) = state["warnings"]
        assert f"Docker socket {dockerd.socket} (root:{group} 0666) is world-writable" in warning
        assert "world-writable" in state["comment"]
        # not fixed silently
        assert stat.S_IMODE(os.stat(dockerd.socket).st_mode) == 0o666
    finally:
        os.chmod(dockerd.socket, 0o660)


def test_socket_access_warns_when_the_socket_has_another_group(node, dockerd, fresh_user):
    ret, state = single(
        node,
        "novadocker_daemon.socket_access",
        name=fresh_user.user,
        group="root",
        socket=dockerd.socket,
        test=True,
    )
    assert state["result"] is None
    assert f"belongs to group {fresh_user.socket_group}, not root" in state["warnings"][0]


def test_socket_access_missing_user(node, nova_user):
    ret, state = single(
        node, "novadocker_daemon.socket_access", name="ndtnosuchuser", group=nova_user.socket_group
    )
    assert state["result"] is False
    assert state["comment"] == "user ndtnosuchuser does not exist: is nova-compute installed?"

    ret, state = single(
        node,
        "novadocker_daemon.socket_access",
        name="ndtnosuchuser",
        group=nova_user.socket_group,
        skip_unready=True,
    )
    assert state["result"] is True and state["changes"] == {}
    assert state["comment"].startswith(
        "SKIPPED: user ndtnosuchuser does not exist: is nova-compute installed?"
    )


def test_socket_access_missing_group(node, fresh_user):
    ret, state = single(
        node, "novadocker_daemon.socket_access", name=fresh_user.user, group="ndtnosuchgroup"
    )
    assert state["result"] is False
    assert "group ndtnosuchgroup does not exist" in state["comment"]
    assert "novadocker:compute:socket_group" in state["comment"]


# -- novadocker_daemon.socket_access_revoked ---------------------------------------------------
def test_revoked_removes_exactly_what_was_added(node, fresh_user, tmp_path):
    user, group = fresh_user.user, fresh_user.socket_group
    record = str(tmp_path / "socket_access.json")
    single(node, "novadocker_daemon.socket_access", name=user, group=group, record=record)
    assert user in members(group)

    before = etc_group(user, group)
    ret, state = single(
        node,
        "novadocker_daemon.socket_access_revoked",
        name=user,
        group=group,
        record=record,
        test=True,
    )
    assert state["result"] is None
    assert group not in state["changes"]["groups"]["new"]
    assert etc_group(user, group) == before and os.path.exists(record)

    ret, state = single(
        node,
        "novadocker_daemon.socket_access_revoked",
        name=user,
        group=group,
        record=record,
    )
    assert ret.returncode == 0, ret
    assert state["result"] is True
    assert group in state["changes"]["groups"]["old"]
    assert group not in state["changes"]["groups"]["new"]
    assert state["changes"]["record"] == {"old": record, "new": None}
    assert user not in members(group)
    assert not os.path.exists(record)

    ret, state = single(
        node, "novadocker_daemon.socket_access_revoked", name=user, group=group, record=record
    )
    assert state["result"] is True and state["changes"] == {}


def test_revoked_leaves_a_membership_the_formula_did_not_add(node, fresh_user, tmp_path):
    user, group = fresh_user.user, fresh_user.socket_group
    record = tmp_path / "socket_access.json"
    # an admin added the user by hand: socket_access finds it there and records nothing
    assert node.call("novadocker_daemon.add_user_to_group", user, group).data["changed"] is True
    ret, state = single(
        node, "novadocker_daemon.socket_access", name=user, group=group, record=str(record)
    )
    assert state["changes"] == {} and not record.exists()

    ret, state = single(
        node, "novadocker_daemon.socket_access_revoked", name=user, group=group, record=str(record)
    )
    assert state["result"] is True and state["changes"] == {}
    assert user in members(group)
