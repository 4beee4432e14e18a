"""
A dry run stops where the real run would, from the real master: the readiness gates only read,
so in test mode they check for real and fail (``result: False``) as the real run does, on one
node (``state.apply test=True``) and in the rollout's dry run
(``salt-run novadocker.rollout test=True``). Nothing is written anywhere.
"""

import pathlib

import pytest

pytestmark = pytest.mark.slow

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"
NOVA_CONF = "/etc/nova/nova.conf"
GLANCE_CONF = "/etc/glance/glance-api.conf"
FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")


def _pristine(fleet, mid):
    return (
        fleet.path(mid, NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
        and fleet.path(mid, GLANCE_CONF).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    )


def _states(ret):
    assert isinstance(ret.data, dict), ret
    return {chunk["__id__"]: chunk for chunk in ret.data.values()}


def _nothing_written(fleet):
    for mid in FLEET:
        assert _pristine(fleet, mid), mid
        assert fleet.service_calls(mid) == [], mid
        assert fleet.installed_driver(mid) is None, mid
        assert not fleet.path(mid, "/var/lib/novadocker").exists(), mid


def test_dry_run_fails_at_the_daemon_gate_like_the_real_run(fleet, dead_socket_url):
    fleet.fresh(*FLEET)
    # dockerd is not there for compute-2 (no daemon behind its socket).
    fleet.set_pillars(
        fleet.fleet_pillars(dead_socket_url),
        master_pillar={"novadocker": {"orch": {"batch_size": 1}}},
    )
    ret = fleet.salt("*", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret

    # One node: state.apply test=True fails at the gate, as the real run would.
    ret = fleet.salt("compute-2", "state.apply", "novadocker", "test=True")
    assert ret.returncode != 0, ret
    gate = _states(ret)["novadocker-compute-daemon"]
    assert gate["result"] is False, gate
    assert str(fleet.dead_socket) in gate["comment"]
    # The steps before it are predictions; the switch after it is not reached.
    assert _states(ret)["novadocker-compute-driver"]["result"] is None
    assert _states(ret)["novadocker-compute-nova-conf"]["result"] is False

    # The rollout's dry run stops at compute-2's batch; compute-3's is not reached.
    ret = fleet.salt_run("novadocker.rollout", "test=True")
    assert ret.returncode != 0, ret
    summary = ret.data
    assert summary["result"] is False and summary["test"] is True
    assert summary["done"] == ["glance-1", "compute-1"]
    assert summary["failed"] == ["compute-2"]
    assert summary["not_done"] == ["compute-3"]
    failing = summary["batches"][1]["nodes"]["compute-2"]
    assert "novadocker-compute-daemon" in failing["state"]["failed_states"], failing
    assert "stopped at the batch 2/3 step" in summary["comment"]
    assert "dry run complete" not in summary["comment"]
    _nothing_written(fleet)


def test_dry_run_fails_where_the_driver_cannot_be_installed(fleet, tmp_path):
    """The driver step in test mode downloads nothing but checks what it can for real: the
    source on the master (its hash, without transferring it), the wheelhouse, the
    interpreter's pip and PEP 668 marker."""
    fleet.fresh(*FLEET)
    missing = fleet.docker_pillar("compute-1")
    missing["novadocker"]["driver"]["source"] = "salt://novadocker-dist/no-such-driver.zip"
    wrong_hash = fleet.docker_pillar("compute-2")
    wrong_hash["novadocker"]["driver"]["source_hash"] = "sha256=" + "0" * 64
    system_python = fleet.docker_pillar("compute-3")
    system_python["novadocker"]["driver"]["python"] = "/usr/bin/python3"  # PEP 668 on Debian 12
    fleet.set_pillars(
        {
            "compute-1": missing,
            "compute-2": wrong_hash,
            "compute-3": system_python,
            "compute-plain": fleet.plain_pillar("compute-plain"),
            "glance-1": fleet.image_pillar("glance-1"),
        }
    )
    ret = fleet.salt("*", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    ret = fleet.salt(
        "compute-1,compute-2,compute-3", "state.apply", "novadocker", "test=True", tgt_type="list"
    )
    comments = {}
    for mid in ("compute-1", "compute-2", "compute-3"):
        chunks = {c["__id__"]: c for c in ret.data[mid].values()}
        state = chunks["novadocker-compute-driver"]
        assert state["result"] is False, (mid, state)
        comments[mid] = state["comment"]
    assert "the Salt fileserver has no such file" in comments["compute-1"]
    assert "Hash mismatch" in comments["compute-2"] and "0" * 64 in comments["compute-2"]
    assert "PEP 668" in comments["compute-3"] and "EXTERNALLY-MANAGED" in comments["compute-3"]
    _nothing_written(fleet)
