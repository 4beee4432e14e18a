"""
The rollout publishes the Docker images into Glance after the image nodes and before the first
compute batch (``novadocker.images`` on the nodes whose pillar enables ``images``), with a real
master and minions (test/integration/conftest.py), a real glance-api (without Keystone: the
cheapest real Glance) and the session's dockerd. A failing publication stops the rollout like
any step: no compute node is touched.
"""

import pathlib

import pytest
from fixtures.publishing import GlanceView, import_image, unique

pytestmark = pytest.mark.slow

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"
NOVA_CONF = "/etc/nova/nova.conf"
FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")


def test_rollout_publishes_between_the_image_nodes_and_the_first_batch(fleet, glance_api, tmp_path):
    conf = tmp_path / "glance-api.conf"
    conf.write_text((DATA / "glance-api.conf").read_text())
    glance = glance_api(conf)
    view = GlanceView(glance)
    name = unique("nd-fleet")
    fleet.fresh(*FLEET)
    publisher = fleet.docker_pillar("compute-1")
    publisher["novadocker"]["images"] = {
        "enabled": True,
        "docker_host_url": fleet.dockerd.url,
        "auth": {"auth_type": "none", "endpoint": glance.url},
        "visibility": "shared",  # without Keystone nobody may publicize an image
        "publish": [{"name": name}],
    }
    pillars = {mid: fleet.plain_pillar(mid) for mid in FLEET}
    pillars.update({"compute-1": publisher, "glance-1": fleet.image_pillar("glance-1")})
    fleet.set_pillars(pillars)
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret
    ret = fleet.salt_run("novadocker.plan")
    assert ret.data["image"] == ["glance-1"] and ret.data["images"] == ["compute-1"], ret.data
    assert ret.data["compute_batches"] == [["compute-1"]]

    # 1. The Docker image does not exist yet: the publishing step fails, the rollout stops
    #    before the compute batch.
    ret = fleet.salt_run("novadocker.rollout")
    summary = ret.data
    assert summary["result"] is False, summary
    assert summary["image"]["ok"] is True
    assert summary["images"]["minions"] == ["compute-1"] and summary["images"]["ok"] is False
    report = summary["images"]["nodes"]["compute-1"]
    assert "check" not in report  # judged by its states
    assert any(f"Docker image {name} in the daemon" in p for p in report["problems"]), report
    assert summary["batches"] == []
    assert summary["done"] == ["glance-1"] and summary["failed"] == ["compute-1"]
    assert summary["not_done"] == ["compute-1"]
    assert "stopped at the images step" in summary["comment"]
    assert fleet.path("compute-1", NOVA_CONF).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert fleet.service_calls("compute-1") == []
    assert view.images() == {}

    # 2. The image made: published after the image step, then the compute batch runs.
    docker_id = import_image(fleet.dockerd, name)
    ret = fleet.salt_run("novadocker.rollout")
    assert ret.returncode == 0, ret
    summary = ret.data
    assert summary["result"] is True, summary["comment"]
    published = f"novadocker-images-published-{name}"
    assert summary["images"]["nodes"]["compute-1"]["state"]["changed"] == [published]
    (image,) = view.images(name).values()
    assert image["docker_image_id"] == docker_id and image["status"] == "active"
    # The batch applies the whole formula on compute-1, its images included: nothing more.
    batch = summary["batches"][0]["nodes"]["compute-1"]
    assert batch["ok"] is True and published not in batch["state"]["changed"]
    assert "novadocker-compute-nova-conf" in batch["state"]["changed"]
    assert summary["done"] == ["glance-1", "compute-1"]
    assert view.uploads() == 1


def test_a_publisher_that_does_not_answer_stops_the_rollout_before_its_first_step(fleet):
    """The publishers are asked in the one publication that lays the rollout out: a publishing
    node the master knows that is down stops the rollout before the image step, as any targeted
    node does (it was asked apart, after that check)."""
    dead = "publisher-gone"
    fleet.fresh(*FLEET)
    pillars = {mid: fleet.plain_pillar(mid) for mid in FLEET}
    pillars["glance-1"] = fleet.image_pillar("glance-1")
    fleet.set_pillars(pillars)
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret
    with fleet.extra_minion(dead, {"novadocker": {"images": {"enabled": True}}}) as minion:
        ret = fleet.salt(dead, "saltutil.refresh_pillar", "wait=True")
        assert ret.returncode == 0, ret
        minion.terminate()

        ret = fleet.salt_run("novadocker.plan")
        assert ret.returncode == 0, ret
        assert ret.data["not_responding"] == [dead], ret.data
        assert ret.data["image"] == ["glance-1"] and ret.data["images"] == []

        ret = fleet.salt_run("novadocker.rollout")
        assert ret.returncode != 0, ret
        summary = ret.data
        assert summary["result"] is False and summary["not_responding"] == [dead]
        assert summary["image"]["nodes"] == {} and summary["images"]["nodes"] == {}
        assert summary["done"] == [] and summary["not_done"] == ["glance-1"]
        assert summary["comment"].startswith(f"Rollout not started: {dead} did not answer")
    glance_conf = fleet.path("glance-1", "/etc/glance/glance-api.conf").read_bytes()
    assert glance_conf == (DATA / "glance-api.conf").read_bytes()
    assert fleet.service_calls("glance-1") == []
