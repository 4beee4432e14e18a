"""
Master and minions: a highstate from the master changes exactly the nodes pillar enables, each
in its own sandbox root; ``salt '*' novadocker.check`` reports on every node; the grains let an
operator target the docker compute nodes.
"""

import configparser

import docker
import pytest
from testpaths import DATA

pytestmark = pytest.mark.slow

NOVA_CONF = "/etc/nova/nova.conf"
GLANCE_CONF = "/etc/glance/glance-api.conf"
FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")
UNTOUCHED = ("compute-2", "compute-3", "compute-plain")


def ini(path, section, key):
    """The value of ``[section] key`` in an oslo-style INI file (repeated keys allowed)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(path)
    return parser.get(section, key, fallback=None)


def _states(minion_ret):
    """``{state id: chunk}`` of one minion's state run."""
    assert isinstance(minion_ret, dict), minion_ret
    return {chunk["__id__"]: chunk for chunk in minion_ret.values()}


def _changed(minion_ret):
    return {sid for sid, chunk in _states(minion_ret).items() if chunk["changes"]}


def _failed(minion_ret):
    return {sid: c["comment"] for sid, c in _states(minion_ret).items() if c["result"] is not True}


def test_highstate_changes_exactly_the_nodes_pillar_enables(fleet):
    fleet.fresh(*FLEET)
    fleet.set_pillars(
        {
            "compute-1": fleet.docker_pillar("compute-1"),
            "compute-2": fleet.plain_pillar("compute-2"),
            "compute-3": fleet.plain_pillar("compute-3"),
            "compute-plain": fleet.plain_pillar("compute-plain"),
            "glance-1": fleet.image_pillar("glance-1"),
        }
    )

    ret = fleet.salt("*", "state.highstate")
    assert ret.returncode == 0, ret
    assert set(ret.data) == set(FLEET)
    for mid in FLEET:
        assert _failed(ret.data[mid]) == {}, (mid, _failed(ret.data[mid]))

    # compute-1: the whole compute chain ran, the switch last, then one restart.
    changed = _changed(ret.data["compute-1"])
    assert {
        "novadocker-compute-driver",
        "novadocker-compute-rootwrap-filter",
        "novadocker-compute-socket-access",
        "novadocker-compute-nova-conf",
        "novadocker-compute-service-restart",
    } <= changed, changed
    assert ini(fleet.path("compute-1", NOVA_CONF), "DEFAULT", "compute_driver") == (
        "docker.DockerDriver"
    )
    assert ini(fleet.path("compute-1", NOVA_CONF), "docker", "host_url") == fleet.dockerd.url
    assert fleet.installed_driver("compute-1") == "0.0.1.dev273"
    assert fleet.nova_user.in_socket_group()
    assert fleet.service_calls("compute-1") == [("restart", "nova-compute")]

    # glance-1: only container_formats, then glance-api restarted.
    assert _changed(ret.data["glance-1"]) == {
        "novadocker-image-container-formats",
        "novadocker-image-service-restart",
    }
    glance = fleet.path("glance-1", GLANCE_CONF).read_text()
    assert "docker" in glance and "dockerref" in glance
    assert fleet.path("glance-1", NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert fleet.service_calls("glance-1") == [("restart", "glance-api")]

    # The others: their toggles are off, nothing changed, byte for byte.
    for mid in UNTOUCHED:
        assert _changed(ret.data[mid]) == set(), mid
        assert fleet.path(mid, NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
        assert fleet.path(mid, GLANCE_CONF).read_bytes() == (DATA / "glance-api.conf").read_bytes()
        assert fleet.installed_driver(mid) is None
        assert fleet.service_calls(mid) == []

    # Checked from the master: every node is as its pillar wants it.
    ret = fleet.salt("*", "novadocker.check")
    assert ret.returncode == 0, ret
    assert set(ret.data) == set(FLEET)
    for mid in FLEET:
        assert ret.data[mid]["ok"] is True, (mid, ret.data[mid]["problems"])
    assert ret.data["compute-1"]["roles"] == ["compute"]
    assert ret.data["compute-1"]["driver"]["ok"] is True
    assert ret.data["compute-1"]["daemon"]["ok"] is True
    assert ret.data["glance-1"]["roles"] == ["image"]
    for mid in UNTOUCHED:
        assert ret.data[mid]["roles"] == []

    # A second highstate changes nothing and restarts nothing.
    ret = fleet.salt("*", "state.highstate")
    assert ret.returncode == 0, ret
    for mid in FLEET:
        assert _changed(ret.data[mid]) == set(), (mid, _changed(ret.data[mid]))
    assert fleet.service_calls("compute-1") == [("restart", "nova-compute")]
    assert fleet.service_calls("glance-1") == [("restart", "glance-api")]

    # Grains, once refreshed, say what each node now is; operators target with them.
    ret = fleet.salt("*", "saltutil.refresh_grains")
    assert ret.returncode == 0, ret
    fleet.wait_for_grain(["compute-1"], "novadocker:compute", True)
    ret = fleet.salt("novadocker:compute:True", "novadocker.check", tgt_type="grain")
    assert ret.returncode == 0, ret
    assert list(ret.data) == ["compute-1"]
    assert ret.data["compute-1"]["ok"] is True
    ret = fleet.salt(
        "G@novadocker:compute:True and G@novadocker:driver_version:0.0.1.dev273",
        "test.ping",
        tgt_type="compound",
    )
    assert ret.data == {"compute-1": True}
    ret = fleet.salt("*", "grains.get", "novadocker")
    assert ret.returncode == 0, ret
    api = docker.DockerClient(base_url=fleet.dockerd.url, version="1.24").version()
    assert ret.data["compute-1"] == {
        "compute": True,
        "driver_version": "0.0.1.dev273",
        "docker_api_version": api["ApiVersion"],
        "docker_version": api["Version"],
    }
    for mid in UNTOUCHED + ("glance-1",):
        assert ret.data[mid]["compute"] is False, mid
        assert ret.data[mid]["driver_version"] is None, mid
