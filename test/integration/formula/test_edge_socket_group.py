"""
Issue 12, item 1: a ``compute:socket_group`` that is not the group owning the Docker socket is
refused before any change (both groups named), in test mode too; the nova user is only ever
added to the group that owns the socket. A real dockerd, a real socket root:<group> 0660 and a
real system user.
"""

import grp
import os

import pytest

from .edge_helpers import FILTER, NOVA, STATE_DIR
from testpaths import DATA

pytestmark = pytest.mark.slow

#: A group every Debian system has, which does not own the socket.
OTHER = "users"


def members(group):
    return grp.getgrnam(group).gr_mem


def test_a_group_that_does_not_own_the_socket_is_never_granted(compute_node):
    c = compute_node
    st = os.stat(c.dockerd.socket)
    assert grp.getgrgid(st.st_gid).gr_name == c.user.socket_group
    assert oct(st.st_mode & 0o777) == "0o660"
    assert c.user.user not in members(OTHER)
    c.pillar(compute={"socket_group": OTHER})

    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        assert ret.returncode != 0
        state = states["novadocker-compute-socket-access"]
        assert state["result"] is False, state
        comment = state["comment"]
        assert c.user.socket_group in comment and OTHER in comment, comment
        assert "novadocker:compute:socket_group" in comment
        assert c.user.user not in members(OTHER)
        assert not c.user.in_socket_group()
        assert not c.node.path(STATE_DIR + "/socket-access.json").exists()
        assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
        assert c.node.restarts() == []
        owed = c.node.call("novadocker.restart_owed").data or {"reasons": []}
        assert not any("joined group" in reason for reason in owed["reasons"]), owed
    # The step before it did run; the switch did not.
    assert c.node.path(FILTER).exists()

    # Clean: nothing of the nova user's groups to undo.
    ret, states = c.node.apply("novadocker.clean")
    assert ret.returncode == 0
    assert c.user.user not in members(OTHER)

    # The group that owns the socket is granted.
    c.pillar()
    ret, states = c.node.apply()
    assert ret.returncode == 0
    assert c.user.in_socket_group()
    assert c.user.user not in members(OTHER)
