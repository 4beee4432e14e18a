"""
Issue 12, item 10: a nova.conf or glance-api.conf that is a FIFO or a directory fails the run
clearly ("is a FIFO ..., not a regular file"), before anything is touched, in test mode too;
a FIFO is never opened (it would block the run). ``novadocker.check`` says the same.
"""

import os

import pytest

from .edge_helpers import FILTER, GLANCE, NOVA, STATE_DIR, enable_role_without_gates, own_failures

pytestmark = pytest.mark.slow

KINDS = {"fifo": "a FIFO", "directory": "a directory"}


def make(path, kind):
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path, 0o640)
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    "role, conf, present_state",
    [
        ("compute", NOVA, "novadocker-compute-nova-conf-present"),
        ("image", GLANCE, "novadocker-image-glance-api-conf-present"),
    ],
    ids=["nova.conf", "glance-api.conf"],
)
def test_a_config_file_that_is_not_a_regular_file_fails_clearly(
    node, kind, role, conf, present_state
):
    path = node.path(conf)
    make(path, kind)
    enable_role_without_gates(node, role)
    for test_mode in (True, False):
        # A blocked open would hang the run: salt-call gets 120 s.
        ret = node.cli.run(
            "--local",
            "state.apply",
            "novadocker",
            *(["test=True"] if test_mode else []),
            _timeout=120,
        )
        states = {v["__id__"]: v for v in ret.data.values()}
        assert ret.returncode != 0
        state = states[present_state]
        assert state["result"] is False
        assert f"{path} is {KINDS[kind]}" in state["comment"], state["comment"]
        assert "not a regular file" in state["comment"]
        assert own_failures(states) == {present_state}
        assert not node.path(FILTER).exists()
        assert not any(p.name != "run.lock" for p in node.path(STATE_DIR).glob("*")), list(
            node.path(STATE_DIR).glob("*")
        )
        assert node.restarts() == []
    assert (os.path.isdir if kind == "directory" else lambda p: not os.path.isdir(p))(path)

    ret = node.cli.run("--local", "novadocker.check", _timeout=120)
    report = ret.data
    assert report["ok"] is False
    assert any(f"{path} is {KINDS[kind]}" in p for p in report["problems"]), report["problems"]
