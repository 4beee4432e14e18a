"""
The settings, the map (``_utils/novadocker_settings.py``, imported directly):
``compute(parameters, pillar)`` over the formula's own parameters files, read as plain text,
and the copy of the parameters kept in the minion cache.
"""

import os
import stat

import novadocker_records as records
import novadocker_settings as settings
from testpaths import REPO

PARAMETERS = REPO / "novadocker" / "parameters"


def base(family=None):
    """defaults.yaml merged with ``os_family/<family>.yaml``, as ``novadocker.defaults`` does."""
    values = settings.parameters((PARAMETERS / "defaults.yaml").read_text())
    if family:
        path = PARAMETERS / "os_family" / "{}.yaml".format(family)
        values = settings.merge(values, settings.parameters(path.read_text()))
    return values


def test_paths_are_prefixed_with_root():
    conf = settings.compute(base(), {"root": "/srv/node/", "compute": {"enabled": True}})
    assert conf["valid"] is True and conf["errors"] == []
    assert conf["paths"] == {
        "nova_conf": "/srv/node/etc/nova/nova.conf",
        "rootwrap_dir": "/srv/node/etc/nova/rootwrap.d",
        "rootwrap_filter": "/srv/node/etc/nova/rootwrap.d/docker.filters",
        "glance_api_conf": "/srv/node/etc/glance/glance-api.conf",
        "daemon_json": "/srv/node/etc/docker/daemon.json",
        "state_dir": "/srv/node/var/lib/novadocker",
    }
    plain = settings.compute(base(), None)
    assert plain["paths"]["nova_conf"] == "/etc/nova/nova.conf"
    assert plain["paths"]["state_dir"] == "/var/lib/novadocker"


def test_records_and_restart_markers_live_in_state_dir():
    conf = settings.compute(base(), {"root": "/srv/node", "state_dir": "/var/lib/nd"})
    assert conf["records"] == records.paths("/srv/node/var/lib/nd")
    assert conf["records"]["nova_conf"] == "/srv/node/var/lib/nd/nova.conf.json"
    assert conf["restart_marker"] == {
        "compute": "/srv/node/var/lib/nd/compute-restart-owed.json",
        "image": "/srv/node/var/lib/nd/image-restart-owed.json",
    }
    # A role whose service the formula leaves alone is owed no restart.
    off = settings.compute(base(), {"compute": {"service": False}})
    assert off["restart_marker"] == {
        "compute": None,
        "image": "/var/lib/novadocker/image-restart-owed.json",
    }


def test_release_facts_docker_url_and_owned_nova_options():
    conf = settings.compute(base(), {"driver": {"release": "kilo"}})
    assert conf["api_version"] == "1.13"
    assert conf["docker_url"] == "unix:///var/run/docker.sock"
    assert conf["socket"] == "/var/run/docker.sock"
    assert conf["nova_options"] == {
        "DEFAULT": {"compute_driver": "novadocker.virt.docker.DockerDriver"},
        "docker": {"host_url": "unix:///var/run/docker.sock"},
    }
    assert conf["glance"]["section"] == "image_format"
    # icehouse hard-codes the socket path: the defaults' host_url is not written for it.
    old = settings.compute(base(), {"driver": {"release": "icehouse"}})
    assert old["nova_options"] == {
        "DEFAULT": {"compute_driver": "novadocker.virt.docker.DockerDriver"}
    }
    tcp = settings.compute(base(), {"compute": {"docker": {"host_url": "tcp://127.0.0.1:2375"}}})
    assert (tcp["docker_url"], tcp["socket"]) == ("tcp://127.0.0.1:2375", None)
    assert settings.compute(base(), {"driver": {"api_version": "1.24"}})["api_version"] == "1.24"


def test_os_family_parameters_and_pillar_merge_in_order():
    conf = settings.compute(base("RedHat"), {"image": {"service": "my-glance"}})
    assert conf["compute"]["service"] == "openstack-nova-compute"
    assert conf["image"]["service"] == "my-glance"
    assert conf["compute"]["user"] == "nova"


def test_an_invalid_pillar_leaves_the_defaults_and_says_why():
    conf = settings.compute(base(), {"root": "relative", "compute": {"enabled": "yes"}})
    assert conf["valid"] is False
    assert [e.split(": ", 1)[0] for e in conf["errors"]] == [
        "novadocker:root",
        "novadocker:compute:enabled",
    ]
    assert conf["root"] == "" and conf["compute"]["enabled"] is False
    assert conf["paths"]["nova_conf"] == "/etc/nova/nova.conf"


def test_the_copy_in_the_minion_cache(tmp_path):
    path = settings.copy_path(str(tmp_path), os_family="Debian")
    assert path == str(tmp_path / "novadocker" / "defaults.novadocker.base.Debian.json")
    assert settings.read_copy(path) is None
    assert settings.keep_copy(path, base("Debian")) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert settings.read_copy(path) == base("Debian")
    mtime = os.stat(path).st_mtime_ns
    assert settings.keep_copy(path, base("Debian")) is True
    assert os.stat(path).st_mtime_ns == mtime  # unchanged: not rewritten


def test_the_node_view_kept_for_the_grain(tmp_path):
    """A state run's settings keep what the grain judges a node by: paths and names only."""
    assert settings.read_view(str(tmp_path)) is None
    conf = settings.compute(base("Debian"), {"root": "/srv/n"})
    assert settings.keep_view(str(tmp_path), conf) is True
    kept = settings.read_view(str(tmp_path))
    assert kept["paths"] == {"nova_conf": "/srv/n/etc/nova/nova.conf"}
    assert kept["nova_chain"]["files"][0] == "/srv/n/etc/nova/nova.conf"
    assert set(kept) == {"root", "paths", "nova_chain", "driver", "compute", "docker_url"}
    assert stat.S_IMODE(os.stat(settings.view_path(str(tmp_path))).st_mode) == 0o600
