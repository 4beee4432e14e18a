"""
The image role end to end: salt-call --local state.apply novadocker on a sandbox node.

Asserts the whole glance-api.conf byte for byte (only container_formats may change), the
restart bookkeeping, idempotency, test=True and the revert.
"""

import os

import pytest

from testpaths import DATA

GLANCE = "/etc/glance/glance-api.conf"
NOVA = "/etc/nova/nova.conf"

pytestmark = pytest.mark.slow


def image_pillar(node, **image):
    # No glance-api runs behind the test service provider: no live schema to prove (that is
    # test/integration/formula/test_images.py, with a real glance-api).
    conf = {"enabled": True, "service": "glance-api", "api": {"verify": False}}
    conf.update(image)
    return {"novadocker": {"root": str(node.root), "image": conf}}


def expected_glance(line_after_template):
    """The sample glance-api.conf with one line inserted after the commented template."""
    original = (DATA / "glance-api.conf").read_text()
    anchor = "#container_formats = ami,ari,aki,bare,ovf,ova,docker\n"
    assert anchor in original
    return original.replace(anchor, anchor + line_after_template)


def failed(states):
    return {k: v["comment"] for k, v in states.items() if v["result"] is False}


def test_image_role_adds_formats_and_keeps_every_other_byte(node):
    path = node.path(GLANCE)
    os.chown(path, 0, 0)
    os.chmod(path, 0o640)
    node.set_pillar(image_pillar(node))
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    # mitaka's Glance default list is the start; docker is in it already, dockerref is added.
    assert path.read_text() == expected_glance(
        "container_formats = ami,ari,aki,bare,ovf,ova,docker,dockerref\n"
    )
    assert oct(path.stat().st_mode & 0o7777) == "0o640"
    change = states["novadocker-image-container-formats"]["changes"]
    assert change["image_format"]["container_formats"]["new"][-2:] == ["docker", "dockerref"]
    assert [r[:2] for r in node.restarts()] == [["restart", "glance-api"]]
    # nova.conf is not this role's business.
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()


def test_image_role_second_apply_changes_nothing_and_restarts_nothing(node):
    node.set_pillar(image_pillar(node))
    node.apply()
    before = node.path(GLANCE).read_bytes()
    node.service_log.unlink()
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert all(not s["changes"] for s in states.values()), states
    assert node.path(GLANCE).read_bytes() == before
    assert node.restarts() == []


def test_image_role_failed_restart_stays_owed_and_is_retried(node):
    node.set_pillar(image_pillar(node))
    ret, states = node.apply_failing_restart("glance-api")
    assert ret.returncode != 0
    assert states["novadocker-image-container-formats"]["changes"]
    assert states["novadocker-image-service-restart"]["result"] is False
    assert node.restarts() == []
    owed = node.call("novadocker.restart_owed", "role=image").data
    assert owed["reasons"] == [
        "{}: added dockerref to container_formats".format(node.path(GLANCE))
    ], owed
    report = node.call("novadocker.check").data
    assert report["image_restart"]["ok"] is False and report["ok"] is False

    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert not states["novadocker-image-container-formats"]["changes"]
    assert states["novadocker-image-service-restart"]["changes"]["new"] == "glance-api restarted"
    assert [r[:2] for r in node.restarts()] == [["restart", "glance-api"]]
    assert node.call("novadocker.restart_owed", "role=image").data is None
    assert node.call("novadocker.check").data["ok"] is True


def test_image_role_test_mode_writes_nothing_and_predicts(node):
    node.set_pillar(image_pillar(node))
    ret, states = node.apply(test=True)
    assert ret.returncode == 0
    fmt = states["novadocker-image-container-formats"]
    assert fmt["result"] is None
    assert fmt["changes"]["image_format"]["container_formats"]["new"][-1] == "dockerref"
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    assert not node.path("/var/lib/novadocker").exists()
    assert node.restarts() == []


def test_image_role_keeps_formats_set_only_in_default_section(node):
    """Formats the operator allowed in the deprecated [DEFAULT] alias stay allowed."""
    path = node.path(GLANCE)
    text = path.read_text().replace(
        "bind_port = 9292\n", "bind_port = 9292\ncontainer_formats = bare,ovf,myformat\n"
    )
    path.write_text(text)
    node.set_pillar(image_pillar(node))
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert "container_formats = bare,ovf,myformat,docker,dockerref\n" in path.read_text()
    # The [DEFAULT] line itself is the operator's and stays as it was.
    assert "bind_port = 9292\ncontainer_formats = bare,ovf,myformat\n" in path.read_text()


def test_pre_icehouse_glance_reads_default_section(node):
    node.set_pillar(image_pillar(node, release="havana"))
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    change = states["novadocker-image-container-formats"]["changes"]
    assert list(change) == ["DEFAULT"]
    assert change["DEFAULT"]["container_formats"]["new"] == [
        "ami",
        "ari",
        "aki",
        "bare",
        "ovf",
        "docker",
        "dockerref",
    ]


def test_image_clean_restores_the_file_byte_for_byte(node):
    node.set_pillar(image_pillar(node))
    node.apply()
    assert node.path(GLANCE).read_bytes() != (DATA / "glance-api.conf").read_bytes()
    node.service_log.unlink()
    ret, states = node.apply("novadocker.clean")
    assert ret.returncode == 0, failed(states)
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    assert [r[:2] for r in node.restarts()] == [["restart", "glance-api"]]


def test_image_toggle_off_reverts_like_clean(node):
    node.set_pillar(image_pillar(node))
    node.apply()
    node.set_pillar(image_pillar(node, enabled=False))
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()


def test_missing_glance_api_conf_is_a_clear_failure_not_a_new_file(node):
    node.path(GLANCE).unlink()
    node.set_pillar(image_pillar(node))
    ret, states = node.apply()
    assert ret.returncode != 0
    comment = states["novadocker-image-glance-api-conf-present"]["comment"]
    assert comment == f"glance-api.conf not found at {node.path(GLANCE)}: is glance-api installed?"
    assert not node.path(GLANCE).exists()
    assert node.restarts() == []


def test_both_toggles_off_change_nothing(node):
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert all(not s["changes"] for s in states.values()), states
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    # Only the lock that serialises the formula's runs (issue 12).
    assert [p.name for p in node.path("/var/lib/novadocker").iterdir()] == ["run.lock"]
    assert node.restarts() == []
