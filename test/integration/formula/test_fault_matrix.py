"""
The fault matrix: each fault goes through a full salt-call --local state.apply novadocker on a
sandbox compute (or image) node, with real parts (HTTP on 127.0.0.1, a real venv, a real
dockerd, a real user). For each: the run fails with a clear message, and the node's files are
fully the old ones (nova.conf still on libvirt, no driver, no membership, no restart) — in
test mode too, where nothing at all is written.

The pillar errors have their own end-to-end matrix in test_formula_bad_pillar.py (and 50 cases
in test/unit/utils/test_novadocker_schema.py).
"""

import os
import subprocess

import pytest

from testpaths import DATA
from fixtures.driver import driver_files_installed

NOVA = "/etc/nova/nova.conf"
GLANCE = "/etc/glance/glance-api.conf"
FILTER = "/etc/nova/rootwrap.d/docker.filters"

pytestmark = pytest.mark.slow


@pytest.fixture
def fault_node(compute_node):
    return compute_node


def _publish(f, archive):
    return {"source": f.http.publish(archive), "source_hash": archive.source_hash}


# Each fault: a function (fault_node, request) -> (driver/compute pillar overrides, the state that
# must fail, fragments its comment must hold, whether the driver may end up installed).
def fault_404(f, request):
    return {"driver": {"source": f.http.url("missing.zip")}}, "novadocker-compute-driver", ["404"]


def fault_unreachable(f, request):
    url = request.getfixturevalue("unreachable_url")
    return (
        {"driver": {"source": url}},
        "novadocker-compute-driver",
        [url.split("/nova-docker")[0]],
    )


def fault_hash_mismatch(f, request):
    other = "sha256=" + "0" * 64
    return (
        {"driver": {"source_hash": other}},
        "novadocker-compute-driver",
        ["0" * 64, f.archive.sha256],
    )


def fault_truncated_zip(f, request):
    return (
        {"driver": _publish(f, f.archives.truncated())},
        "novadocker-compute-driver",
        ["zip"],
    )


def fault_not_a_python_package(f, request):
    return (
        {"driver": _publish(f, f.archives.without_package())},
        "novadocker-compute-driver",
        ["setup.py"],
    )


def fault_pip_failure(f, request):
    return (
        {"driver": _publish(f, f.archives.failing_setup())},
        "novadocker-compute-driver",
        ["setup.py of this test archive always fails"],
    )


def fault_python_missing(f, request):
    return (
        {"driver": {"python": "/nonexistent/nova/bin/python3"}},
        "novadocker-compute-driver",
        ["/nonexistent/nova/bin/python3"],
    )


def fault_daemon_stopped(f, request):
    daemon = request.getfixturevalue("dockerd_private")
    daemon.stop()
    return (
        {"compute": {"docker": {"host_url": daemon.url}}},
        "novadocker-compute-daemon",
        [daemon.socket],
    )


def fault_api_mismatch(f, request):
    return (
        {"driver": {"api_version": "1.99"}},
        "novadocker-compute-daemon",
        ["1.99", "1.41"],
    )


def fault_socket_not_accessible(f, request):
    """The socket's group is not the one pillar names: joining it gives no access."""
    daemon = request.getfixturevalue("dockerd_private")
    os.chown(daemon.socket, 0, 0)
    request.addfinalizer(
        lambda: subprocess.run(["gpasswd", "--delete", f.user.user, "nogroup"], check=False)
    )
    return (
        {"compute": {"docker": {"host_url": daemon.url}, "socket_group": "nogroup"}},
        "novadocker-compute-socket-access",
        ["cannot read and write", daemon.socket],
    )


def fault_nova_conf_missing(f, request):
    f.node.path(NOVA).unlink()
    return (
        {},
        "novadocker-compute-nova-conf-present",
        ["nova.conf not found at", "is nova-compute installed?"],
    )


def fault_nova_conf_not_writable(f, request):
    path = f.node.path(NOVA)
    subprocess.run(["chattr", "+i", str(path)], check=True)
    request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], check=False))
    return {}, "novadocker-compute-nova-conf", [str(path)]


FAULTS = [
    fault_404,
    fault_unreachable,
    fault_hash_mismatch,
    fault_truncated_zip,
    fault_not_a_python_package,
    fault_pip_failure,
    fault_python_missing,
    fault_daemon_stopped,
    fault_api_mismatch,
    fault_socket_not_accessible,
    fault_nova_conf_missing,
    fault_nova_conf_not_writable,
]
# Faults after which the driver is legitimately installed (they happen after that step).
AFTER_DRIVER = {
    "fault_daemon_stopped",
    "fault_api_mismatch",
    "fault_socket_not_accessible",
    "fault_nova_conf_not_writable",
}
# Faults that test mode finds without downloading, installing or writing anything.
DETECTED_IN_TEST_MODE = {
    "fault_python_missing",
    "fault_daemon_stopped",
    "fault_api_mismatch",
    "fault_nova_conf_missing",
}


@pytest.mark.parametrize("test_mode", [False, True], ids=["apply", "test-mode"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.__name__[6:] for f in FAULTS])
def test_fault_fails_clearly_and_leaves_nova_conf_alone(fault_node, request, fault, test_mode):
    f = fault_node
    overrides, failing_state, fragments = fault(f, request)
    f.pillar(**overrides)
    nova = f.node.path(NOVA)
    before = nova.read_bytes() if nova.exists() else None
    ret, states = f.node.apply(test=test_mode)

    state = states[failing_state]
    if not test_mode:
        assert ret.returncode != 0
        assert state["result"] is False, state
        for fragment in fragments:
            assert fragment in state["comment"], state["comment"]
    else:
        # test mode predicts (result None) or refuses (False); faults it can see without doing
        # anything (no download, no pip run, no write) are named in its comment.
        assert state["result"] in (None, False), state
        if fault.__name__ in DETECTED_IN_TEST_MODE:
            for fragment in fragments:
                assert fragment in state["comment"], state["comment"]

    # The node's files are fully the old ones.
    if before is None:
        assert not nova.exists()
    else:
        assert nova.read_bytes() == before
        assert "compute_driver=libvirt.LibvirtDriver\n" in nova.read_text()
    assert f.node.restarts() == []
    if test_mode:
        assert not f.node.path(FILTER).exists()
        assert not driver_files_installed(f.python)
        assert not f.node.path("/var/lib/novadocker").exists()
        assert not f.user.in_socket_group()
    elif fault.__name__ not in AFTER_DRIVER:
        assert not driver_files_installed(f.python)
        assert not f.node.path(FILTER).exists()
        assert not f.user.in_socket_group()


def test_image_node_without_glance_api_conf(node):
    node.path(GLANCE).unlink()
    node.set_pillar(
        {
            "novadocker": {
                "root": str(node.root),
                "image": {"enabled": True, "service": "glance-api"},
            }
        }
    )
    for test_mode in (True, False):
        ret, states = node.apply(test=test_mode)
        assert ret.returncode != 0
        comment = states["novadocker-image-glance-api-conf-present"]["comment"]
        assert "glance-api.conf not found at" in comment
        assert not node.path(GLANCE).exists()
        assert node.restarts() == []


def test_run_interrupted_after_a_first_change_then_rerun(fault_node):
    """A run that stops half-way (here: the socket step fails after the rootwrap filter was
    written) leaves nova.conf fully old; the re-run with the cause fixed completes the node."""
    f = fault_node
    f.pillar(compute={"socket_group": "nonexistent-group"})
    ret, states = f.node.apply()
    assert ret.returncode != 0
    assert states["novadocker-compute-socket-access"]["result"] is False
    assert (
        "novadocker:compute:socket_group" in states["novadocker-compute-socket-access"]["comment"]
    )
    assert f.node.path(FILTER).exists()  # the step before it did happen
    assert f.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert f.node.restarts() == []

    f.pillar()
    ret, states = f.node.apply()
    assert ret.returncode == 0, {k: v["comment"] for k, v in states.items() if not v["result"]}
    text = f.node.path(NOVA).read_text()
    assert "compute_driver=docker.DockerDriver\n" in text
    assert "[docker]\nhost_url = {}\n".format(f.dockerd.url) in text
    assert [r[:2] for r in f.node.restarts()] == [["restart", "nova-compute"]]
