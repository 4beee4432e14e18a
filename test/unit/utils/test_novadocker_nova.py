"""
What nova-compute reads, as the formula judges it (``_utils/novadocker_nova.py``) and the nova
facts of ``_utils/novadocker_releases.py``, imported directly: the order nova-compute reads its
config chain in, the effective value of a key and the file it comes from, where the formula's
keys must go, ``view`` over real nova.conf files under tmp_path (settings computed by
``novadocker_settings`` from the formula's own defaults), and which spellings of the driver a
nova of each era accepts. Every nova.conf shape oslo.config accepts is judged against nova's own
loader in test/functional/test_nova_conf_referee.py, the chain in
test/integration/formula/test_nova_chain.py.
"""

import pytest

import novadocker_nova
import novadocker_nova as nova
import novadocker_releases
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
    view = nova.view(conf_for(tmp_path))
    assert {k: view[k] for k in ("nova_conf", "readable", "compute_driver", "switched")} == {
        "nova_conf": path,
        "readable": True,
        "compute_driver": "novadocker.virt.docker.DockerDriver",
        "switched": True,
    }
    assert view["host_url"] == "tcp://127.0.0.1:2375"


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
    assert {k: view[k] for k in ("nova_conf", "readable", "compute_driver", "switched")} == {
        "nova_conf": str(tmp_path / "etc/nova/nova.conf"),
        "readable": False,
        "compute_driver": None,
        "switched": False,
    }
    assert view["host_url"] == "unix:///var/run/docker.sock"
    (tmp_path / "etc/nova/nova.conf").mkdir(parents=True)
    assert nova.view(conf_for(tmp_path))["readable"] is False


DRIVER = "docker.DockerDriver"


def _settings(root, files, dirs=(), dirs_first=False, nova_conf="/etc/nova/nova.conf"):
    return {
        "root": str(root),
        "nova_chain": {
            "files": [str(root) + p for p in files],
            "dirs": [str(root) + p for p in dirs],
            "dirs_first": dirs_first,
        },
        "paths": {"nova_conf": str(root) + nova_conf},
    }


def _write(root, rel, text):
    path = root / rel.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_chain_order_files_then_sorted_dirs_or_dirs_first(tmp_path):
    nova = _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\n")
    d_a = _write(tmp_path, "/etc/nova/nova.conf.d/20-a.conf", "")
    d_b = _write(tmp_path, "/etc/nova/nova.conf.d/100-b.conf", "")
    _write(tmp_path, "/etc/nova/nova.conf.d/README", "")
    files = ["/etc/nova/nova.conf", "/etc/nova/nova-compute.conf"]
    dirs = ["/etc/nova/nova.conf.d", "/etc/nova/absent.d"]
    entries = novadocker_nova.chain(_settings(tmp_path, files, dirs))
    # sorted() as oslo.config sorts: "100-b" before "20-a"; *.conf only; missing files listed.
    assert [(e["path"], e["exists"]) for e in entries] == [
        (nova, True),
        (str(tmp_path) + "/etc/nova/nova-compute.conf", False),
        (d_b, True),
        (d_a, True),
    ]
    first = novadocker_nova.chain(_settings(tmp_path, files, dirs, dirs_first=True))
    assert [e["path"] for e in first][:2] == [d_b, d_a]


def test_the_last_file_that_sets_a_key_wins(tmp_path):
    _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\ncompute_driver = a.A\n[docker]\nx=1\n")
    cc = _write(tmp_path, "/etc/nova/nova-compute.conf", "[DEFAULT]\ncompute_driver=b.B\n")
    settings = _settings(tmp_path, ["/etc/nova/nova.conf", "/etc/nova/nova-compute.conf"])
    found = novadocker_nova.effective(settings, [("DEFAULT", "compute_driver"), ("docker", "y")])
    assert found[("DEFAULT", "compute_driver")] == {"value": "b.B", "path": cc}
    assert found[("docker", "y")] == {"value": None, "path": None}


def test_plan_edits_the_winner_and_puts_unset_keys_in_nova_conf(tmp_path):
    nova = _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\ncompute_driver = libvirt.L\n")
    cc = _write(tmp_path, "/etc/nova/nova-compute.conf", "[DEFAULT]\ncompute_driver=libvirt.L\n")
    settings = _settings(tmp_path, ["/etc/nova/nova.conf", "/etc/nova/nova-compute.conf"])
    options = {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": "unix:///d.sock"}}
    plan = novadocker_nova.plan_switch(settings, options)
    assert plan["problems"] == []
    assert plan["edits"] == {
        cc: {"DEFAULT": {"compute_driver": DRIVER}},
        nova: {"docker": {"host_url": "unix:///d.sock"}},
    }


def test_plan_never_edits_a_distribution_file_under_usr(tmp_path):
    _write(tmp_path, "/usr/share/nova/nova-dist.conf", "[DEFAULT]\ncompute_driver = libvirt.L\n")
    nova = _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\ndebug = true\n")
    settings = _settings(tmp_path, ["/usr/share/nova/nova-dist.conf", "/etc/nova/nova.conf"])
    plan = novadocker_nova.plan_switch(settings, {"DEFAULT": {"compute_driver": DRIVER}})
    assert plan["edits"] == {nova: {"DEFAULT": {"compute_driver": DRIVER}}}
    # A distribution file read AFTER nova.conf cannot be overridden there: refused, named.
    late = _settings(tmp_path, ["/etc/nova/nova.conf", "/usr/share/nova/nova-dist.conf"])
    plan = novadocker_nova.plan_switch(late, {"DEFAULT": {"compute_driver": DRIVER}})
    assert plan["edits"] == {}
    assert "belongs to the distribution" in plan["problems"][0]


def test_plan_refuses_when_nova_conf_is_not_read(tmp_path):
    _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\n")
    settings = _settings(tmp_path, ["/etc/nova/other.conf"])
    plan = novadocker_nova.plan_switch(settings, {"docker": {"host_url": "unix:///d.sock"}})
    assert "is not among the files nova-compute reads" in plan["problems"][0]


def test_plan_of_a_switched_chain_is_empty(tmp_path):
    _write(tmp_path, "/etc/nova/nova.conf", "[DEFAULT]\ncompute_driver: 'docker.DockerDriver'\n")
    settings = _settings(tmp_path, ["/etc/nova/nova.conf"])
    plan = novadocker_nova.plan_switch(settings, {"DEFAULT": {"compute_driver": DRIVER}})
    assert plan["edits"] == {} and plan["problems"] == []


@pytest.mark.parametrize(
    "version,rule,release",
    [
        ("13.1.4", "ns", "mitaka"),
        ("14.0.0", "nova.virt", "newton"),
        ("34.0.0", "nova.virt", "hibiscus"),
        (None, None, None),
        ("x", None, None),
    ],
)
def test_nova_load_rule_per_version(version, rule, release):
    assert novadocker_releases.nova_load_rule(version) == rule
    assert novadocker_releases.nova_release(version) == release


def test_spellings_nova_accepts_per_rule():
    own = "novadocker.virt.docker.DockerDriver"
    assert novadocker_releases.driver_spellings("nova.virt") == [DRIVER]
    assert own in novadocker_releases.driver_spellings("ns")
    assert novadocker_releases.driver_spelling(own, "nova.virt") == DRIVER
    assert novadocker_releases.driver_spelling(own, "ns") == own
    assert novadocker_releases.driver_spelling("my.Own", "nova.virt") == "my.Own"
    # Only what the installed nova accepts counts as switched.
    assert novadocker_releases.is_docker_driver(own, own, "nova.virt") is False
    assert novadocker_releases.is_docker_driver(DRIVER, own, "nova.virt") is True
    assert novadocker_releases.is_docker_driver(own, own, "ns") is True
    assert novadocker_releases.is_docker_driver(own, None, None) is True
    assert novadocker_releases.is_docker_driver("libvirt.LibvirtDriver", own, None) is False
