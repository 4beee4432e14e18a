"""
Docker images published into Glance: ``novadocker_images.publish`` and the state
``novadocker_images.published`` through Salt's real loader in this process, against a real
Keystone and a real glance-api (uWSGI, sqlite, file store; test/fixtures/openstack.py) and
the session's real dockerd. Docker images are made here (``docker import`` of a small rootfs
tar); what Glance holds is read with its REST API, not with the formula's code.

Also ``novadocker_glance.live_container_formats``: the running glance-api's image schema.
"""

import json
import logging
import re
import subprocess
import time

import pytest
from fixtures.publishing import (
    GlanceView,
    Watcher,
    docker,
    image_id,
    import_image,
    keystone_auth,
    unique,
)
from salt.exceptions import CommandExecutionError

from testpaths import DATA, REPO

pytestmark = pytest.mark.slow

PROPS = {"os_command_line": "/bin/sh -c 'sleep infinity'", "hypervisor_type": "docker"}


def glance_conf(path, container_formats="ami,ari,aki,bare,ovf,ova,docker", extra=""):
    """The sandbox glance-api.conf (test/data) at ``path`` with ``container_formats``."""
    text = (DATA / "glance-api.conf").read_text()
    text, count = re.subn(
        r"^#container_formats = .*$", f"container_formats = {container_formats}", text, flags=re.M
    )
    assert count == 1
    if extra:
        text = text.replace("[DEFAULT]\n", "[DEFAULT]\n" + extra, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def loader(formula_loader):
    """The formula's loaders in test mode off, with the pillar each test sets."""
    formula_loader.test_opts["test"] = False
    yield formula_loader
    formula_loader.test_opts["test"] = False
    formula_loader.set_pillar({})


@pytest.fixture
def keystone_glance(glance_api, keystone, tmp_path):
    """A glance-api behind the session's Keystone, registered in its catalog."""
    glance = glance_api(glance_conf(tmp_path / "glance" / "glance-api.conf"), keystone=keystone)
    keystone.register_image_service(glance.url)
    return glance


def images_pillar(dockerd, auth, publish, **extra):
    images = {"enabled": True, "docker_host_url": dockerd.url, "auth": auth, "publish": publish}
    images.update(extra)
    return {"novadocker": {"images": images}}


def publish(loader, name, test=False):
    return loader.mods["novadocker_images.publish"](name, test=test)


def published_state(loader, name, test=False, **kwargs):
    loader.test_opts["test"] = test
    try:
        return loader.states["novadocker_images.published"](name, **kwargs)
    finally:
        loader.test_opts["test"] = False


# -- publishing through Keystone ---------------------------------------------------------------
def test_publish_through_keystone_then_the_round_trip_a_spawn_makes(
    loader, keystone, keystone_glance, dockerd
):
    name = unique()
    docker_id = import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    loader.set_pillar(
        images_pillar(
            dockerd,
            keystone_auth(keystone),
            [{"name": name, "visibility": "public", "properties": PROPS}],
        )
    )
    ret = published_state(loader, name, visibility="public", properties=PROPS)
    assert ret["result"] is True, ret["comment"]
    new = ret["changes"]["image"]["new"]
    assert ret["changes"]["image"]["old"] is None
    assert new["docker_image_id"] == docker_id
    assert f"published {name} (Docker image {docker_id}" in ret["comment"]

    (image,) = view.images(name).values()
    assert image["id"] == new["id"]
    assert image["name"] == name
    assert image["status"] == "active"
    assert image["container_format"] == "docker" and image["disk_format"] == "raw"
    assert image["visibility"] == "public"
    assert image["docker_image_id"] == docker_id
    assert {k: image[k] for k in PROPS} == PROPS
    assert image["owner"]  # the admin project: the formula's images are its credentials'

    # The spawn's round trip: Glance's data `docker load`ed gives the same image, tag included.
    data = view.data(image["id"])
    assert len(data) == image["size"] == new["size"]
    docker(dockerd, "rmi", name)
    assert image_id(dockerd, name) is None
    loaded = docker(dockerd, "load", input=data)
    assert f"{name}:latest" in loaded.stdout.decode()
    assert image_id(dockerd, name) == docker_id
    # The image is usable: its files are there.
    created = docker(dockerd, "create", name, "/bin/true").stdout.decode().strip()
    try:
        exported = docker(dockerd, "export", created).stdout
    finally:
        docker(dockerd, "rm", created)
    assert name.encode() in exported

    # Second run: nothing uploaded, nothing changed in Glance.
    uploads = view.uploads()
    before = view.images()
    ret = published_state(loader, name, visibility="public", properties=PROPS)
    assert ret["result"] is True and ret["changes"] == {}, ret
    assert ret["comment"].endswith("nothing uploaded")
    assert view.images() == before  # every image, with its updated_at
    assert view.uploads() == uploads


def test_changed_docker_image_is_replaced_never_absent(loader, keystone, keystone_glance, dockerd):
    name = unique()
    first = import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    old = publish(loader, name)
    assert old["uploaded"] is True
    # A new image under the same name, bigger so that the upload takes a while.
    second = import_image(dockerd, name, padding=8 * 1024 * 1024)
    assert second != first

    predicted = publish(loader, name, test=True)
    assert predicted["uploaded"] is True
    assert [i["id"] for i in predicted["deleted"]] == [old["glance_id"]]
    assert list(view.images(name)) == [old["glance_id"]]

    # Glance looked at all along (one token: asking Keystone for each look would be slow).
    with Watcher(GlanceView(keystone_glance, keystone.token()), name) as watcher:
        ret = published_state(loader, name)
    assert ret["result"] is True, ret["comment"]
    assert ret["changes"]["image"]["old"] == [old["glance_id"]]
    assert [i["id"] for i in ret["changes"]["deleted"]] == [old["glance_id"]]
    assert len(watcher.counts) >= 3 and min(watcher.counts) >= 1, watcher.counts
    (image,) = view.images(name).values()
    new_id = ret["changes"]["image"]["new"]["id"]
    assert image["docker_image_id"] == second
    assert image["id"] == new_id != old["glance_id"]
    # glance-api's own log: the new data was stored before the old image was deleted.
    lines = view.log_lines()
    stored = [i for i, line in enumerate(lines) if f"PUT /v2/images/{new_id}/file" in line]
    deleted = [i for i, line in enumerate(lines) if f"DELETE /v2/images/{old['glance_id']}" in line]
    assert len(stored) == 1 and "HTTP/1.1 204" in lines[stored[0]], stored
    assert len(deleted) == 1 and stored[0] < deleted[0]


def test_test_mode_on_a_fresh_glance_creates_nothing(loader, keystone, keystone_glance, dockerd):
    name = unique()
    docker_id = import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    ret = published_state(loader, name, test=True)
    assert ret["result"] is None
    assert ret["changes"]["image"]["new"]["docker_image_id"] == docker_id
    assert ret["comment"].startswith(f"would upload {name} (Docker image {docker_id}")
    assert view.images() == {}
    assert view.uploads() == 0


def test_properties_changed_in_pillar_update_the_image_without_upload(
    loader, keystone, keystone_glance, dockerd
):
    name = unique()
    import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    first = publish(loader, name)
    uploads = view.uploads()
    ret = published_state(loader, name, visibility="private", properties={"os_command_line": "x"})
    assert ret["result"] is True, ret["comment"]
    assert ret["changes"] == {
        "updated": {
            "visibility": {"old": "public", "new": "private"},
            "os_command_line": {"old": None, "new": "x"},
        }
    }
    (image,) = view.images(name).values()
    assert image["id"] == first["glance_id"]
    assert image["visibility"] == "private" and image["os_command_line"] == "x"
    assert view.uploads() == uploads


def test_another_projects_image_of_that_name_is_left_alone_with_a_warning(
    loader, keystone, keystone_glance, dockerd
):
    """A member of another project publishes the same name: the admin's public image is not
    the member's to replace; a public image is not the member's to make (Glance's policy)."""
    name = unique()
    import_image(dockerd, name)
    view = GlanceView(keystone_glance, keystone.token)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    admins = publish(loader, name)["glance_id"]
    member = keystone_auth(keystone, keystone.member)
    loader.set_pillar(images_pillar(dockerd, member, [{"name": name}]))
    ret = published_state(loader, name, visibility="public")
    assert ret["result"] is False
    assert "403" in ret["comment"] and "publicize_image" in ret["comment"], ret["comment"]
    assert list(view.images(name)) == [admins]
    ret = published_state(loader, name, visibility="private")
    assert ret["result"] is True, ret["comment"]
    assert ret["warnings"] == [
        f"Glance also holds image(s) named {name} that are not the formula's with these "
        f"credentials (left alone): {admins}"
    ]
    assert "WARNING: Glance also holds image(s)" in ret["comment"]
    images = view.images(name)
    assert len(images) == 2 and images[admins]["visibility"] == "public"


# -- without Keystone --------------------------------------------------------------------------
def test_auth_type_none_against_a_glance_without_keystone(loader, glance_api, dockerd, tmp_path):
    glance = glance_api(glance_conf(tmp_path / "glance-api.conf"))
    name = unique()
    docker_id = import_image(dockerd, name)
    view = GlanceView(glance)
    auth = {"auth_type": "none", "endpoint": glance.url}
    # Without Keystone nobody is admin: Glance's policy refuses public images.
    loader.set_pillar(images_pillar(dockerd, auth, [{"name": name, "visibility": "shared"}]))
    ret = published_state(loader, name, visibility="shared", properties=PROPS)
    assert ret["result"] is True, ret["comment"]
    (image,) = view.images(name).values()
    assert image["docker_image_id"] == docker_id and image["container_format"] == "docker"
    assert image["visibility"] == "shared"
    before = view.images()
    ret = published_state(loader, name, visibility="shared", properties=PROPS)
    assert ret["changes"] == {} and ret["result"] is True, ret
    assert view.images() == before


# -- failures: clear, and nothing half-created -------------------------------------------------
def test_wrong_password_fails_clearly_without_echoing_it(
    loader, keystone, keystone_glance, dockerd
):
    name = unique()
    import_image(dockerd, name)
    secret = "wrong-Pa55word-" + unique("s")
    auth = keystone_auth(keystone, password=secret)
    loader.set_pillar(images_pillar(dockerd, auth, [{"name": name}]))
    ret = published_state(loader, name)
    assert ret["result"] is False
    assert "401" in ret["comment"] and "credentials" in ret["comment"], ret["comment"]
    assert secret not in json.dumps(ret)
    assert GlanceView(keystone_glance, keystone.token).images() == {}
    # The settings a CLI user prints do not show it either.
    settings = loader.mods["novadocker.settings"]()
    assert secret not in json.dumps(settings)
    assert settings["images"]["auth"]["password"] == "<redacted>"
    assert settings["images"]["auth"]["username"] == keystone.admin.username


def test_glance_down_fails_clearly_and_creates_nothing(loader, keystone, keystone_glance, dockerd):
    name = unique()
    import_image(dockerd, name)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    keystone_glance.stop()
    try:
        ret = published_state(loader, name)
    finally:
        keystone_glance.start()
    assert ret["result"] is False
    assert f"publishing {name} to Glance" in ret["comment"]
    assert keystone_glance.url.split("//")[1] in ret["comment"], ret["comment"]
    assert GlanceView(keystone_glance, keystone.token).images() == {}


def test_missing_docker_image_fails_clearly_and_creates_nothing(
    loader, keystone, keystone_glance, dockerd
):
    name = unique("nd-absent")
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    with pytest.raises(CommandExecutionError, match=f"Docker image {name} in the daemon at"):
        publish(loader, name, test=True)
    ret = published_state(loader, name)
    assert ret["result"] is False
    assert "not found" in ret["comment"] and "No such image" in ret["comment"], ret["comment"]
    assert GlanceView(keystone_glance, keystone.token).images() == {}


def test_upload_refused_midway_deletes_the_image_it_created(
    loader, glance_api, keystone, dockerd, tmp_path
):
    """Glance refuses the data past image_size_cap while it is being streamed (HTTP 413):
    the queued image the formula created is deleted again."""
    conf = glance_conf(tmp_path / "glance-api.conf", extra="image_size_cap = 4096\n")
    glance = glance_api(conf, keystone=keystone)
    keystone.register_image_service(glance.url)
    name = unique()
    import_image(dockerd, name, padding=64 * 1024)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    ret = published_state(loader, name)
    assert ret["result"] is False
    assert "413" in ret["comment"] and "nothing was left in Glance" in ret["comment"], ret
    assert GlanceView(glance, keystone.token).images() == {}


# -- the live schema ---------------------------------------------------------------------------
def test_live_container_formats_reads_the_running_glance(loader, glance_api, tmp_path):
    conf = glance_conf(tmp_path / "glance-api.conf", "ami,bare,docker")
    glance = glance_api(conf)
    loader.set_pillar({"novadocker": {"image": {"enabled": True, "api": {"url": glance.url}}}})
    live = loader.mods["novadocker_glance.live_container_formats"]
    report = live()
    assert report["ok"] is False
    assert report["container_formats"] == ["ami", "bare", "docker"]
    assert report["missing"] == ["dockerref"]
    assert (
        "not restarted since glance-api.conf changed, or it reads another file"
        in (report["problems"][0])
    )
    assert live(formats="docker,bare")["ok"] is True
    glance_conf(conf, "ami,bare,docker,dockerref")
    assert live()["ok"] is False  # the file changed, glance-api was not restarted
    glance.restart()
    report = live()
    assert report["ok"] is True, report
    assert report["container_formats"] == ["ami", "bare", "docker", "dockerref"]
    glance.stop()
    report = live()
    assert report["ok"] is False and "no answer from" in report["problems"][0], report


def test_live_container_formats_behind_keystone_needs_credentials(
    loader, keystone, keystone_glance
):
    api = {"url": keystone_glance.url}
    loader.set_pillar({"novadocker": {"image": {"enabled": True, "api": api}}})
    live = loader.mods["novadocker_glance.live_container_formats"]
    report = live(formats="docker")
    assert report["ok"] is False
    assert "HTTP 401" in report["problems"][0]
    assert "novadocker:image:api:cloud or novadocker:image:api:auth" in report["problems"][0]
    secret = keystone.admin.password
    api["auth"] = keystone_auth(keystone)
    loader.set_pillar({"novadocker": {"image": {"enabled": True, "api": api}}})
    report = live(formats="docker")
    assert report["ok"] is True, report
    api["auth"] = keystone_auth(keystone, password="not-" + secret)
    loader.set_pillar({"novadocker": {"image": {"enabled": True, "api": api}}})
    report = live(formats="docker")
    assert report["ok"] is False and "401" in report["problems"][0]
    assert "not-" + secret not in json.dumps(report)


def test_no_openstacksdk_means_a_clear_virtual_reason():
    """What the loader says on a minion whose Salt lacks openstacksdk (a fresh interpreter
    where the import of openstack fails)."""
    code = (
        f"import sys; sys.modules['openstack'] = None; sys.path.insert(0, '{REPO}/_utils');"
        "import novadocker_glance_api as g; print(g.missing_sdk())"
    )
    out = subprocess.run(
        [__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("needs openstacksdk in Salt's Python"), out


def test_upload_progress_is_logged_at_a_bounded_rate(
    loader, keystone, keystone_glance, dockerd, caplog
):
    """Progress lines in the minion log while the data streams (every PROGRESS_EVERY seconds:
    shortened here, the upload of a test image takes well under the 5 s of a real node)."""
    name = unique()
    import_image(dockerd, name, padding=16 * 1024 * 1024)
    loader.set_pillar(images_pillar(dockerd, keystone_auth(keystone), [{"name": name}]))
    fn = loader.utils["novadocker_glance_api.publish"]
    every = fn.__globals__["PROGRESS_EVERY"]
    assert every == 5.0
    fn.__globals__["PROGRESS_EVERY"] = 0.05
    started = time.monotonic()
    try:
        with caplog.at_level(logging.INFO):
            res = publish(loader, name)
    finally:
        fn.__globals__["PROGRESS_EVERY"] = every
    took = time.monotonic() - started
    lines = [r.getMessage() for r in caplog.records if "sent (" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    assert all(line.startswith(f"novadocker: publishing {name} to Glance: ") for line in lines)
    assert len(lines) <= took / 0.05 + 1
    assert any(
        r.getMessage() == f"novadocker: published {name} ({res['bytes'] / 1048576:.1f} MiB) as "
        f"Glance image {res['glance_id']}"
        for r in caplog.records
    )
