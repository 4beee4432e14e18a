"""
What nova-compute reads, as the formula judges it (``_utils/novadocker_nova.py``, imported
directly): ``view`` over real nova.conf files under tmp_path, with settings computed by
``novadocker_settings`` from the formula's own defaults. Every nova.conf shape oslo.config
accepts is judged against nova's own loader in test/functional/test_nova_conf_referee.py.
"""

import novadocker_nova as nova
import novadocker_settings as settings
from testpaths import REPO

DEFAULTS = settings.parameters((REPO / "novadocker/parameters/defaults.yaml").read_text())


def conf_for(root, **compute):
    return settings.compute(DEFAULTS, {"root": str(root), "compute": compute})


def write_nova_conf(root, text):
    path = root / "etc/nova/nova.conf"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return str(path)


def test_a_switched_node_and_the_daemon_nova_conf_names(tmp_path):
    path = write_nova_conf(
        tmp_path,
        "[DEFAULT]\ncompute_driver: 'novadocker.virt.docker.DockerDriver'\n"
        "[Docker]\nhost_url = tcp://127.0.0.1:2375\n",
    )
    assert nova.view(conf_for(tmp_path)) == {
        "nova_conf": path,
        "readable": True,
        "compute_driver": "novadocker.virt.docker.DockerDriver",
        "switched": True,
        "host_url": "tcp://127.0.0.1:2375",
    }


def test_a_libvirt_node_talks_to_the_settings_daemon(tmp_path):
    write_nova_conf(tmp_path, "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n")
    view = nova.view(conf_for(tmp_path, docker={"host_url": "unix:///run/docker.sock"}))
    assert (view["switched"], view["compute_driver"]) == (False, "libvirt.LibvirtDriver")
    assert view["host_url"] == "unix:///run/docker.sock"


def test_the_spelling_pillar_asks_for_counts_as_switched(tmp_path):
    write_nova_conf(tmp_path, "[DEFAULT]\ncompute_driver = site.docker.Driver\n")
    assert nova.view(conf_for(tmp_path))["switched"] is False
    assert nova.view(conf_for(tmp_path, compute_driver="site.docker.Driver"))["switched"] is True


def test_a_missing_or_unreadable_nova_conf_is_not_switched_and_never_raises(tmp_path):
    view = nova.view(conf_for(tmp_path))
    assert view == {
        "nova_conf": str(tmp_path / "etc/nova/nova.conf"),
        "readable": False,
        "compute_driver": None,
        "switched": False,
        "host_url": "unix:///var/run/docker.sock",
    }
    (tmp_path / "etc/nova/nova.conf").mkdir(parents=True)
    assert nova.view(conf_for(tmp_path))["readable"] is False
