"""
How a rollout starts, from the real master: ``novadocker.plan`` and ``novadocker.rollout`` take
their options from one place (the orchestrate pillar ``novadocker:orch``, then the command
line), the targeted nodes are asked once, and a node that is down when the rollout starts stops
it before its first batch (``allow_missing=True`` goes on without it, and says so).
"""

import pathlib
import time

import pytest

pytestmark = pytest.mark.slow

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"
NOVA_CONF = "/etc/nova/nova.conf"
GLANCE_CONF = "/etc/glance/glance-api.conf"
COMPUTE = ("compute-1", "compute-2", "compute-3")
FLEET = COMPUTE + ("compute-plain", "glance-1")
DEAD = "compute-gone"


def _pristine(fleet, mid):
    return (
        fleet.path(mid, NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
        and fleet.path(mid, GLANCE_CONF).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    )


def _jobs(fleet, function):
    """The jids the master's job cache holds for ``function``."""
    ret = fleet.salt_run("jobs.list_jobs", f"search_function={function}")
    assert ret.returncode == 0, ret
    return set(ret.data or {})


@pytest.fixture
def plain_fleet(fleet):
    """The five nodes fresh: three compute nodes with pillar's compute toggle on (their driver
    settings never reached: these tests plan or dry-run), a plain node and an image node."""
    fleet.fresh(*FLEET)
    pillars = {mid: fleet.docker_pillar(mid) for mid in COMPUTE}
    pillars["compute-plain"] = fleet.plain_pillar("compute-plain")
    pillars["glance-1"] = fleet.image_pillar("glance-1")
    fleet.set_pillars(pillars, master_pillar={"novadocker": {"orch": {"batch_size": 2}}})
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret
    return pillars


def test_plan_and_rollout_take_the_orchestrate_pillar(fleet, plain_fleet):
    # The master's own pillar says two compute nodes a batch: plan says so too (it said 1).
    ret = fleet.salt_run("novadocker.plan")
    assert ret.returncode == 0, ret
    assert ret.data["image"] == ["glance-1"]
    assert ret.data["compute_batches"] == [["compute-1", "compute-2"], ["compute-3"]]
    assert ret.data["not_responding"] == []

    # The command line wins over the pillar, for both; pillar= overrides the pillar as
    # state.orchestrate's does.
    ret = fleet.salt_run("novadocker.plan", "batch_size=1")
    assert ret.data["compute_batches"] == [["compute-1"], ["compute-2"], ["compute-3"]]
    ret = fleet.salt_run("novadocker.plan", 'pillar={"novadocker": {"orch": {"batch_size": 3}}}')
    assert ret.data["compute_batches"] == [["compute-1", "compute-2", "compute-3"]]

    # The rollout (a dry run here) uses the very batches plan showed.
    ret = fleet.salt_run("novadocker.rollout", "test=True")
    assert ret.returncode == 0, ret
    assert [b["minions"] for b in ret.data["batches"]] == [
        ["compute-1", "compute-2"],
        ["compute-3"],
    ]
    assert ret.data["batch_size"] == 2
    assert all(_pristine(fleet, mid) for mid in FLEET)

    # A bad option in the pillar is refused by plan as by the rollout, naming it.
    fleet.set_pillars(
        {}, master_pillar={"novadocker": {"orch": {"batch_size": "two"}}}, refresh=False
    )
    for fun in ("novadocker.plan", "novadocker.rollout"):
        ret = fleet.salt_run(fun)
        assert ret.returncode != 0, ret
        assert any("batch_size must be a number" in e for e in ret.data["Error"]), ret.data


def test_targets_are_asked_once(fleet, plain_fleet):
    """One publication decides who is in which step (match.search_by of the image, publishing
    and compute targets on every node a target matches), not one question per target."""
    before = {fun: _jobs(fleet, fun) for fun in ("match.search_by", "match.compound", "test.ping")}
    ret = fleet.salt_run("novadocker.plan")
    assert ret.returncode == 0, ret
    assert len(_jobs(fleet, "match.search_by") - before["match.search_by"]) == 1
    assert _jobs(fleet, "match.compound") == before["match.compound"]
    assert _jobs(fleet, "test.ping") == before["test.ping"]


def test_a_node_that_does_not_answer_stops_the_rollout_before_its_first_batch(fleet, plain_fleet):
    # A fourth compute node the master knows (key, cached pillar) that is down now.
    with fleet.extra_minion(DEAD, {"novadocker": {"compute": {"enabled": True}}}) as minion:
        ret = fleet.salt(DEAD, "saltutil.refresh_pillar", "wait=True")
        assert ret.returncode == 0, ret
        minion.terminate()
        fleet.set_pillars(
            {}, master_pillar={"novadocker": {"orch": {"batch_size": 2}}}, refresh=False
        )

        started = time.monotonic()
        ret = fleet.salt_run("novadocker.plan")
        took = time.monotonic() - started
        assert ret.returncode == 0, ret
        assert ret.data["not_responding"] == [DEAD]
        assert ret.data["compute_batches"] == [["compute-1", "compute-2"], ["compute-3"]]
        # Asked once, all together: the dead node costs ping_timeout (5 s) and Salt's check
        # that it runs nothing (as long again), not a 30 s timeout per target (41 s before).
        assert took < 25, took

        ret = fleet.salt_run("novadocker.rollout")
        assert ret.returncode != 0, ret
        summary = ret.data
        assert summary["result"] is False
        assert summary["not_responding"] == [DEAD]
        assert summary["done"] == [] and summary["failed"] == []
        assert summary["batches"] == [] and summary["image"]["nodes"] == {}
        assert sorted(summary["not_done"]) == ["compute-1", "compute-2", "compute-3", "glance-1"]
        assert summary["comment"].startswith(f"Rollout not started: {DEAD} did not answer")
        assert "allow_missing=True" in summary["comment"]
        # Nothing was changed anywhere.
        assert all(_pristine(fleet, mid) for mid in FLEET)
        assert all(fleet.service_calls(mid) == [] for mid in FLEET)

        # allow_missing: the dry run goes on without it, and names it.
        ret = fleet.salt_run("novadocker.rollout", "test=True", "allow_missing=True")
        summary = ret.data
        assert summary["not_responding"] == [DEAD]
        assert [b["minions"] for b in summary["batches"]] == [
            ["compute-1", "compute-2"],
            ["compute-3"],
        ]
        assert f"went on without {DEAD}" in summary["comment"]
        assert all(_pristine(fleet, mid) for mid in FLEET)
