"""
Rolling rollout from the master (``salt-run state.orchestrate novadocker.orch.rollout``): the
image node first, then the compute nodes in batches, each checked; a failing batch (a node
whose daemon URL points at a socket with no daemon) stops the rollout and the later batches are
left untouched; once fixed, the rollout completes and grains target the new compute nodes.
"""

import json

import pytest
from testpaths import DATA

pytestmark = pytest.mark.slow

NOVA_CONF = "/etc/nova/nova.conf"
GLANCE_CONF = "/etc/glance/glance-api.conf"
FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")
ROLLOUT = "novadocker-orch-rollout"


def _orch_states(ret):
    """``{state id: chunk}`` of a ``state.orchestrate`` run."""
    assert isinstance(ret.data, dict) and "data" in ret.data, ret
    (chunks,) = ret.data["data"].values()
    assert isinstance(chunks, dict), ret
    return {chunk["__id__"]: chunk for chunk in chunks.values()}


def _summary(ret):
    """The rollout's summary: the return of the runner, in the orchestrate state's changes."""
    state = _orch_states(ret)[ROLLOUT]
    return state, state["changes"]["return"]


def _pristine(fleet, mid):
    return (
        fleet.path(mid, NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
        and fleet.path(mid, GLANCE_CONF).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    )


def test_rollout_stops_at_the_first_failing_batch_then_completes(fleet, dead_socket_url):
    fleet.fresh(*FLEET)
    pillars = {
        "compute-1": fleet.docker_pillar("compute-1"),
        # No daemon behind this socket: the daemon gate fails on this node.
        "compute-2": fleet.docker_pillar("compute-2", host_url=dead_socket_url),
        "compute-3": fleet.docker_pillar("compute-3"),
        "compute-plain": fleet.plain_pillar("compute-plain"),
        "glance-1": fleet.image_pillar("glance-1"),
    }
    fleet.set_pillars(pillars)

    # What would happen, without any change.
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret
    ret = fleet.salt_run("novadocker.plan")
    assert ret.returncode == 0, ret
    assert ret.data["image"] == ["glance-1"]
    assert ret.data["compute_batches"] == [["compute-1"], ["compute-2"], ["compute-3"]]
    assert all(_pristine(fleet, mid) for mid in FLEET)

    # 1. One node per batch (the orchestrate pillar on the command line): stops at batch 2.
    pillar = json.dumps({"novadocker": {"orch": {"batch_size": 1}}})
    ret = fleet.salt_run("state.orchestrate", "novadocker.orch.rollout", f"pillar={pillar}")
    assert ret.returncode != 0, ret
    state, summary = _summary(ret)
    assert state["result"] is False
    assert summary["result"] is False
    assert summary["image"]["minions"] == ["glance-1"] and summary["image"]["ok"] is True
    assert [b["minions"] for b in summary["batches"]] == [["compute-1"], ["compute-2"]]
    assert [b["ok"] for b in summary["batches"]] == [True, False]
    assert summary["done"] == ["glance-1", "compute-1"]
    assert summary["failed"] == ["compute-2"]
    assert summary["not_done"] == ["compute-3"]
    failing = summary["batches"][1]["nodes"]["compute-2"]
    assert "novadocker-compute-daemon" in failing["state"]["failed_states"], failing
    assert any(str(fleet.dead_socket) in p for p in failing["problems"]), failing
    assert "stopped at the batch 2/3 step" in summary["comment"]
    # The cause, not its cascade of requisite failures.
    assert "requisite failed" not in summary["comment"]
    assert "compute-2" in summary["comment"] and "compute-3" in summary["comment"]
    # Each done node was checked from the master.
    assert summary["image"]["nodes"]["glance-1"]["check"] == {"ok": True, "problems": []}
    assert summary["batches"][0]["nodes"]["compute-1"]["check"]["ok"] is True

    # On the nodes: glance-1 and compute-1 switched, compute-2 still on libvirt (the gate
    # held), compute-3 and compute-plain never touched.
    assert "docker" in fleet.path("glance-1", GLANCE_CONF).read_text()
    assert "docker.DockerDriver" in fleet.path("compute-1", NOVA_CONF).read_text()
    assert fleet.path("compute-2", NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert fleet.service_calls("compute-2") == []
    for mid in ("compute-3", "compute-plain"):
        assert _pristine(fleet, mid), mid
        assert fleet.installed_driver(mid) is None, mid
        assert fleet.service_calls(mid) == [], mid
    assert fleet.service_calls("compute-1") == [("restart", "nova-compute")]
    assert fleet.service_calls("glance-1") == [("restart", "glance-api")]
    ret = fleet.salt("compute-2", "novadocker.check")
    assert ret.data["ok"] is False
    assert ret.data["daemon"]["ok"] is False

    # 2. compute-2 fixed; two nodes per batch from the master's own pillar: completes.
    pillars["compute-2"] = fleet.docker_pillar("compute-2")
    fleet.set_pillars(pillars, master_pillar={"novadocker": {"orch": {"batch_size": 2}}})
    ret = fleet.salt_run("state.orchestrate", "novadocker.orch.rollout")
    assert ret.returncode == 0, ret
    state, summary = _summary(ret)
    assert state["result"] is True, summary["comment"]
    assert summary["result"] is True
    assert [b["minions"] for b in summary["batches"]] == [["compute-1", "compute-2"], ["compute-3"]]
    assert summary["done"] == ["glance-1", "compute-1", "compute-2", "compute-3"]
    assert summary["failed"] == [] and summary["not_done"] == []
    # Already done nodes: nothing changed, nothing restarted.
    assert summary["image"]["nodes"]["glance-1"]["state"]["changed"] == []
    assert summary["batches"][0]["nodes"]["compute-1"]["state"]["changed"] == []
    assert (
        "novadocker-compute-nova-conf"
        in (summary["batches"][0]["nodes"]["compute-2"]["state"]["changed"])
    )
    assert fleet.service_calls("compute-1") == [("restart", "nova-compute")]
    assert fleet.service_calls("glance-1") == [("restart", "glance-api")]
    for mid in ("compute-2", "compute-3"):
        assert fleet.installed_driver(mid) == "0.0.1.dev273", mid
        assert fleet.service_calls(mid) == [("restart", "nova-compute")], mid
    assert _pristine(fleet, "compute-plain")
    assert fleet.service_calls("compute-plain") == []

    # The rollout refreshed the grains: operators now target the three docker compute nodes.
    fleet.wait_for_grain(["compute-1", "compute-2", "compute-3"], "novadocker:compute", True)
    ret = fleet.salt("novadocker:compute:True", "novadocker.check", tgt_type="grain")
    assert ret.returncode == 0, ret
    assert sorted(ret.data) == ["compute-1", "compute-2", "compute-3"]
    assert all(report["ok"] for report in ret.data.values()), ret.data


def test_rollout_refuses_bad_options_and_dry_runs_change_nothing(fleet):
    fleet.fresh(*FLEET)
    fleet.set_pillars(
        {mid: fleet.plain_pillar(mid) for mid in FLEET}
        | {"glance-1": fleet.image_pillar("glance-1")},
        master_pillar={"novadocker": {"orch": {"batch_size": 0, "batchsize": 2}}},
    )
    ret = fleet.salt_run("state.orchestrate", "novadocker.orch.rollout")
    assert ret.returncode != 0, ret
    state, summary = _summary(ret)
    assert state["result"] is False
    errors = summary["Error"]
    assert any("unknown option 'batchsize'" in e for e in errors), errors
    assert any("batch_size must be a number >= 1" in e for e in errors), errors
    assert all(_pristine(fleet, mid) for mid in FLEET)
    assert all(fleet.service_calls(mid) == [] for mid in FLEET)

    # A dry run straight from salt-run: every step in test mode, nothing changes anywhere.
    ret = fleet.salt_run("novadocker.rollout", "test=True")
    assert ret.returncode == 0, ret
    summary = ret.data
    assert summary["result"] is True and summary["test"] is True
    assert summary["image"]["minions"] == ["glance-1"] and summary["batches"] == []
    report = summary["image"]["nodes"]["glance-1"]
    assert "novadocker-image-container-formats" in report["state"]["changed"]  # predicted
    assert "check" not in report
    assert "dry run" in summary["comment"]
    assert all(_pristine(fleet, mid) for mid in FLEET)
    assert all(fleet.service_calls(mid) == [] for mid in FLEET)
