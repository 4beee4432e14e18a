"""
Docker images into Glance, and a Glance proved to accept them, through real ``salt-call
--local state.apply`` runs on a sandbox node: a real Keystone and real glance-api instances
(test/fixtures/openstack.py), the session's real dockerd, images made here with ``docker
import``.

The live-schema proof needs glance-api really restarted when the formula restarts it: the
test service provider (no init system here) hands the restart to this process through a
test hook (``RestartHook``), which restarts the fixture's glance-api and answers once it is
back, as ``systemctl restart`` returns. Without the hook the provider only records the
restart: glance-api keeps running on the old file, which the formula must report.
"""

import json
import re

import pytest
from fixtures.openstack import image_schema_container_formats
from fixtures.publishing import GlanceView, RestartHook, import_image, keystone_auth, unique

from testpaths import DATA

pytestmark = pytest.mark.slow

GLANCE = "/etc/glance/glance-api.conf"
API_STATE = "novadocker-image-api-accepts"


def failed(states):
    return {k: v["comment"] for k, v in states.items() if v["result"] is False}


def publish_state(name):
    return "novadocker-images-published-" + name


@pytest.fixture
def keystone_glance(glance_api, keystone, tmp_path):
    """A glance-api behind Keystone (its own glance-api.conf), in the catalog."""
    conf = tmp_path / "glance" / "glance-api.conf"
    conf.parent.mkdir()
    conf.write_text((DATA / "glance-api.conf").read_text())
    glance = glance_api(conf, keystone=keystone)
    keystone.register_image_service(glance.url)
    return glance


def clouds_yaml(path, keystone, creds=None):
    """A clouds.yaml with the cloud ``ndtest`` (password auth against the test Keystone)."""
    creds = creds or keystone.admin
    cloud = {
        "auth": creds.auth_kwargs(keystone.url),
        "region_name": keystone.region,
        "interface": "public",
        "identity_api_version": 3,
    }
    path.write_text(json.dumps({"clouds": {"ndtest": cloud}}))
    path.chmod(0o600)
    return path


def test_publish_by_state_run_with_a_clouds_yaml_cloud(node, keystone, keystone_glance, dockerd):
    name = unique()
    docker_id = import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    clouds = clouds_yaml(node.root / "clouds.yaml", keystone)
    images = {
        "enabled": True,
        "docker_host_url": dockerd.url,
        "cloud": "ndtest",
        "clouds_yaml": str(clouds),
        "publish": [{"name": name, "properties": {"os_command_line": "/bin/sh"}}],
    }
    node.set_pillar({"novadocker": {"root": str(node.root), "images": images}})

    # test=True on a fresh Glance: says what it would do, creates nothing.
    ret, states = node.apply(test=True)
    assert ret.returncode == 0, failed(states)
    state = states[publish_state(name)]
    assert state["result"] is None
    assert state["comment"].startswith(f"would upload {name} (Docker image {docker_id}")
    assert view.images() == {}

    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    state = states[publish_state(name)]
    assert state["changes"]["image"]["new"]["docker_image_id"] == docker_id
    (image,) = view.images(name).values()
    assert image["id"] == state["changes"]["image"]["new"]["id"]
    assert image["container_format"] == "docker" and image["disk_format"] == "raw"
    assert image["visibility"] == "public" and image["os_command_line"] == "/bin/sh"
    # Nothing else in the formula changed on this node.
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()

    # Second run: nothing uploaded, Glance unchanged.
    before, uploads = view.images(), view.uploads()
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert all(not s["changes"] for s in states.values()), states
    assert states[publish_state(name)]["comment"].endswith("nothing uploaded")
    assert view.images() == before and view.uploads() == uploads

    # Turned off: the images stay in Glance (images.clean asks nothing of Glance).
    images["enabled"] = False
    node.set_pillar({"novadocker": {"root": str(node.root), "images": images}})
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert "stay in Glance" in states["novadocker-images-clean"]["comment"]
    assert view.images() == before


def test_credentials_never_reach_output_rendered_states_or_logs(
    node, keystone, keystone_glance, dockerd
):
    """A password in pillar: not in the state output (even of a failure), not in the
    rendered states, not in novadocker.settings, not in the minion log at debug level."""
    name = unique()
    import_image(dockerd, name)
    good = keystone_auth(keystone)
    wrong = keystone_auth(keystone, password="Wr0ng-" + unique("pw"))
    for auth, ok in ((good, True), (wrong, False)):
        images = {
            "enabled": True,
            "docker_host_url": dockerd.url,
            "auth": auth,
            "publish": [{"name": name}],
        }
        node.set_pillar({"novadocker": {"root": str(node.root), "images": images}})
        log_start = node.log_file.stat().st_size if node.log_file.exists() else 0
        ret, states = node.apply(extra=("-l", "debug", "--log-file-level", "debug"))
        assert (ret.returncode == 0) is ok, failed(states)
        outputs = [ret.stdout, ret.stderr, json.dumps(ret.data)]
        if not ok:
            comment = states[publish_state(name)]["comment"]
            assert "401" in comment and "credentials" in comment, comment
        for fun in ("state.show_sls", "novadocker.settings"):
            shown = node.call(fun, *(("novadocker",) if fun == "state.show_sls" else ()))
            assert shown.returncode == 0, shown
            outputs.append(json.dumps(shown.data))
        with open(node.log_file, "rb") as fh:
            fh.seek(log_start)
            outputs.append(fh.read().decode(errors="replace"))
        for text in outputs:
            assert auth["password"] not in text
        assert "<redacted>" in outputs[-2]  # novadocker.settings
        # The log did hold the clients' debug lines (Keystone's token request among them).
        assert "keystoneauth" in outputs[-1] and "POST " in outputs[-1], outputs[-1][-3000:]


# -- the live schema after the image role's restart --------------------------------------------
def image_pillar(node, keystone, glance, **image):
    conf = {
        "enabled": True,
        "service": "glance-api",
        "api": {"url": glance.url, "auth": keystone_auth(keystone, keystone.member), "wait": 3},
    }
    conf.update(image)
    return {"novadocker": {"root": str(node.root), "image": conf}}


def test_live_schema_proves_the_restart_and_reports_one_that_did_not_happen(
    node, keystone, glance_api
):
    # glance-api runs on the node's own glance-api.conf, started before the formula.
    glance = glance_api(node.path(GLANCE), keystone=keystone)
    before = image_schema_container_formats(glance.url, token=keystone.token())
    assert "docker" in before and "dockerref" not in before
    node.set_pillar(image_pillar(node, keystone, glance))

    # 1. The formula's restart really restarts it (the hook): the proof passes.
    with RestartHook(node.service_log, "glance-api", glance.restart) as hook:
        ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert hook.calls == 1
    assert states["novadocker-image-service-restart"]["changes"]
    api = states[API_STATE]
    assert api["result"] is True and api["changes"] == {}
    assert api["comment"] == (
        f"the running glance-api at {glance.url} accepts docker, dockerref (its image schema)"
    )
    report = node.call("novadocker.check").data
    assert report["ok"] is True, report["problems"]
    assert report["glance_api"]["container_formats"][-1] == "dockerref"

    # 2. A format more, and the restart does not reach glance-api (no hook): reported.
    formats = ["docker", "dockerref", "compressed"]
    node.set_pillar(image_pillar(node, keystone, glance, container_formats=formats))
    ret, states = node.apply()
    assert ret.returncode != 0
    assert states["novadocker-image-container-formats"]["changes"]
    assert [r[:2] for r in node.restarts()][-1] == ["restart", "glance-api"]
    comment = states[API_STATE]["comment"]
    assert f"the running glance-api at {glance.url} does not accept compressed" in comment
    assert "it was not restarted since glance-api.conf changed, or it reads another file" in (
        comment
    )
    report = node.call("novadocker.check").data
    assert report["ok"] is False
    assert report["glance"]["ok"] is True  # the file is right ...
    assert report["glance_api"]["missing"] == ["compressed"]  # ... the running service is not
    assert any(p.startswith("glance_api: ") for p in report["problems"]), report["problems"]
    # test=True says the same, without waiting for a restart that is not owed.
    ret, states = node.apply(test=True)
    assert states[API_STATE]["result"] is False

    # 3. The operator restarts it: no longer reported.
    glance.restart()
    assert node.call("novadocker.check").data["ok"] is True
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)


def test_live_schema_reports_a_glance_api_reading_another_file(
    node, keystone, glance_api, tmp_path
):
    other = tmp_path / "elsewhere" / "glance-api.conf"
    other.parent.mkdir()
    other.write_text((DATA / "glance-api.conf").read_text())
    glance = glance_api(other, keystone=keystone)
    node.set_pillar(image_pillar(node, keystone, glance))
    with RestartHook(node.service_log, "glance-api", glance.restart) as hook:
        ret, states = node.apply()
    assert hook.calls == 1
    assert ret.returncode != 0
    assert "dockerref" in node.path(GLANCE).read_text()
    comment = states[API_STATE]["comment"]
    assert "does not accept dockerref" in comment and "reads another file" in comment


def test_live_schema_needs_a_token_behind_keystone(node, keystone, glance_api):
    glance = glance_api(node.path(GLANCE), keystone=keystone)
    pillar = image_pillar(node, keystone, glance)
    del pillar["novadocker"]["image"]["api"]["auth"]
    node.set_pillar(pillar)
    with RestartHook(node.service_log, "glance-api", glance.restart):
        ret, states = node.apply()
    assert ret.returncode != 0
    comment = states[API_STATE]["comment"]
    assert re.search(r"answered HTTP 401: it wants a token", comment), comment
    assert "novadocker:image:api:cloud or novadocker:image:api:auth" in comment
