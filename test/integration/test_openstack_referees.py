"""
The OpenStack referees (test/fixtures/openstack.py) work for real: Keystone issues tokens,
glance-api serves the container formats of the file the test gives it (with and without
Keystone, across a restart), nova's config loader and oslo.rootwrap's filter matching answer.
"""

import os
import re

import pytest

from fixtures.openstack import (
    OsloConfigRefused,
    image_schema_container_formats,
    nova_effective_config,
    oslo_config_value,
    rootwrap_allows,
    rootwrap_match,
)
from testpaths import DATA

DOCKER_FILTERS = """\
# nova-rootwrap command filters for the docker driver
# This file should be owned by (and only-writeable by) the root user

[Filters]
# nova/virt/docker/driver.py: 'ln', '-sf', '/var/run/netns/.*'
ln: CommandFilter, /bin/ln, root
"""


def glance_conf(path, container_formats):
    """Write the sandbox's glance-api.conf (test/data) at ``path`` with ``container_formats``."""
    text = (DATA / "glance-api.conf").read_text()
    text, count = re.subn(
        r"^#container_formats = .*$",
        f"container_formats = {container_formats}",
        text,
        flags=re.M,
    )
    assert count == 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_keystone_issues_an_admin_token(keystone):
    token = keystone.token()
    assert token.startswith("gAAAA")  # a fernet token
    res = keystone.run(
        "result = session.get('/auth/tokens', endpoint_filter={'service_type': 'identity', "
        "'interface': 'public'}, headers={'X-Subject-Token': params['token']}).json()",
        token=token,
    )
    assert res["token"]["user"]["name"] == keystone.admin_username
    assert res["token"]["project"]["name"] == keystone.admin_project
    assert "admin" in {role["name"] for role in res["token"]["roles"]}
    assert keystone.url.startswith("http://127.0.0.1:") and keystone.url.endswith("/v3")
    member = keystone.token(keystone.member)
    assert member and member != token


def test_glance_without_keystone_serves_the_test_file(glance_api, tmp_path):
    conf = glance_conf(tmp_path / "etc/glance/glance-api.conf", "ami,bare,docker")
    glance = glance_api(conf)
    assert glance.config_dir == conf.parent
    assert glance.url.startswith("http://127.0.0.1:")
    res = glance.request("GET", "/v2/images")
    assert res.status == 200, res
    assert res.json()["images"] == []
    assert image_schema_container_formats(glance.url) == ["ami", "bare", "docker"]


def test_glance_restart_reads_the_changed_file(glance_api, tmp_path):
    # not named glance-api.conf: glance reads it through a symlink in the instance's folder
    conf = glance_conf(tmp_path / "node/api.conf", "ami,bare")
    glance = glance_api(conf)
    assert (glance.config_dir / "glance-api.conf").resolve() == conf.resolve()
    url = glance.url
    assert image_schema_container_formats(url) == ["ami", "bare"]
    # as the formula writes it: a new file renamed over the old one
    new = conf.with_name("glance-api.conf.new")
    new.write_text(conf.read_text().replace("= ami,bare", "= bare,docker,dockerref"))
    os.replace(new, conf)
    assert image_schema_container_formats(url) == ["ami", "bare"]  # still the running config
    glance.restart()
    assert glance.url == url
    assert image_schema_container_formats(url) == ["bare", "docker", "dockerref"]
    glance.stop()
    assert not glance.running
    glance.start()
    assert image_schema_container_formats(url) == ["bare", "docker", "dockerref"]


def test_glance_with_keystone_needs_a_token(glance_api, keystone, tmp_path):
    conf = glance_conf(tmp_path / "glance-api.conf", "bare,docker")
    glance = glance_api(conf, keystone=keystone)
    assert glance.request("GET", "/v2/images").status == 401
    assert glance.request("GET", "/v2/images", token="not-a-token").status == 401
    token = keystone.token()
    res = glance.request("GET", "/v2/images", token=token)
    assert res.status == 200, res
    assert glance.request("GET", "/v2/images", token=keystone.token(keystone.member)).status == 200
    assert image_schema_container_formats(glance.url, token=token) == ["bare", "docker"]
    reg = keystone.register_image_service(glance.url)
    assert set(reg["endpoints"]) == {"public", "internal", "admin"}
    url = keystone.run(
        "result = session.get_endpoint(service_type='image', interface='public', "
        "region_name=params['region'])"
    )
    assert url.rstrip("/") == glance.url


def test_nova_config_later_file_wins(tmp_path):
    first = tmp_path / "nova.conf"
    first.write_text((DATA / "nova.conf").read_text())
    second = tmp_path / "docker.conf"
    second.write_text(
        "[DEFAULT]\ncompute_driver = novadocker.virt.docker.DockerDriver\n\n"
        "[docker]\nhost_url = unix:///run/nd/docker.sock\napi_insecure = true\n"
    )
    assert nova_effective_config(["--config-file", first])["compute_driver"] == (
        "libvirt.LibvirtDriver"
    )
    conf = nova_effective_config(["--config-file", first, "--config-file", second])
    assert conf["compute_driver"] == "novadocker.virt.docker.DockerDriver"
    assert conf["docker"]["host_url"] == "unix:///run/nd/docker.sock"
    assert conf["docker"]["api_insecure"] is True
    assert conf["docker"]["privileged"] is False
    assert conf["docker"]["ca_file"] is None
    assert conf["docker"]["snapshots_directory"] == "/var/lib/nova/instances/snapshots"
    reverse = nova_effective_config(["--config-file", second, "--config-file", first])
    assert reverse["compute_driver"] == "libvirt.LibvirtDriver"


def test_nova_config_errors(tmp_path):
    orphan = tmp_path / "orphan.conf"
    orphan.write_text("compute_driver = x\n[DEFAULT]\n")
    assert nova_effective_config(["--config-file", orphan])["error"].startswith(
        "ConfigFileParseError"
    )
    badbool = tmp_path / "badbool.conf"
    badbool.write_text("[docker]\nprivileged = maybe\n")
    assert "privileged" in nova_effective_config(["--config-file", badbool])["error"]


def test_oslo_config_value(tmp_path):
    assert oslo_config_value("[DEFAULT]\na = 1\n[x]\nb = 2\nb = 3\n", "x", "b") == "3"
    assert oslo_config_value("[x]\nb = 2\nb = 3\n", "x", "b", multi=True) == ["2", "3"]
    assert oslo_config_value("[x]\n", "x", "b") is None
    path = tmp_path / "a.conf"
    path.write_text("[DEFAULT]\nk = from-a\n")
    assert oslo_config_value(path, "DEFAULT", "k") == "from-a"
    with pytest.raises(OsloConfigRefused, match="ConfigFileParseError"):
        oslo_config_value("k = v\n[DEFAULT]\n", "DEFAULT", "k")


def test_rootwrap_allows_ln_not_rm(tmp_path):
    filters = tmp_path / "rootwrap.d"
    filters.mkdir()
    (filters / "docker.filters").write_text(DOCKER_FILTERS)
    argv = ["ln", "-sf", "/proc/1/ns/net", "/var/run/netns/x"]
    assert rootwrap_allows(filters, argv)
    match = rootwrap_match(filters, argv)
    assert match["filter"] == "ln" and match["run_as"] == "root"
    assert match["command"] == ["/bin/ln", "-sf", "/proc/1/ns/net", "/var/run/netns/x"]
    assert not rootwrap_allows(filters, ["rm", "-rf", "/var/run/netns/x"])
    assert rootwrap_match(filters, ["rm", "-rf", "/"])["error"] == "NoFilterMatched"
