"""
What nova-compute really reads: the whole config chain, and a driver nova can load.

Sandbox compute nodes (salt-call --local, test/conftest.py ``compute_node``) whose nova is a
real nova 34 from PyPI (``real_nova_python``), laid out as each family's packages lay them out:
Ubuntu/Debian (nova.conf, then the packaged nova-compute.conf setting libvirt), RDO (the
distribution's nova-dist.conf first), and a conf.d directory with drop-ins (SUSE). The referee
is nova itself: its own ``nova.conf.CONF`` given the same chain, and its own
``nova.virt.driver.load_compute_driver``, which must build a DockerDriver (test/fixtures/
openstack.py ``nova_load_compute_driver``). The grain and ``novadocker.check`` must agree with
it, and clean must put every file of the chain back byte for byte.
"""

import pytest
from fixtures.openstack import nova_effective_config, nova_load_compute_driver

pytestmark = pytest.mark.slow

NOVA = "/etc/nova/nova.conf"
NOVA_COMPUTE = "/etc/nova/nova-compute.conf"
DIST = "/usr/share/nova/nova-dist.conf"
CONF_D = "/etc/nova/nova.conf.d"

#: What Debian's and Ubuntu's nova-compute-kvm ships as /etc/nova/nova-compute.conf.
KVM_CONF = """\
[DEFAULT]
compute_driver=libvirt.LibvirtDriver
neutron_ovs_bridge=br-int
[libvirt]
virt_type=kvm
vif_driver=nova.virt.libvirt.vif.LibvirtGenericVIFDriver
use_virtio_for_bridges=true
# This may be needed for\x20
#cpu_mode=host-passthrough
"""

#: RDO's /usr/share/nova/nova-dist.conf (its [DEFAULT] part).
DIST_CONF = """\
[DEFAULT]
log_dir = /var/log/nova
state_path = /var/lib/nova
compute_driver = libvirt.LibvirtDriver
rootwrap_config = /etc/nova/rootwrap.conf
use_stderr = False
"""

SHIM = "nova.virt.docker.DockerDriver"


def _args(node, chain):
    """nova-compute's command line for ``chain`` (``[("file"|"dir", path)]``), existing only."""
    args = []
    for kind, path in chain:
        real = node.path(path)
        if kind == "file" and real.is_file():
            args += ["--config-file", str(real)]
        elif kind == "dir" and real.is_dir():
            args += ["--config-dir", str(real)]
    return args


def _files(node, paths):
    return {p: node.path(p).read_bytes() for p in paths if node.path(p).exists()}


def _apply_and_judge(compute, compute_conf, chain, files):
    """Apply, then judge with nova's loader; clean, then check every file is back."""
    node = compute.node
    before = _files(node, files)
    args = _args(node, chain)
    before_driver = nova_effective_config(args)["compute_driver"]
    compute.pillar(compute=compute_conf)
    ret, states = node.apply()
    assert ret.returncode == 0, {k: v["comment"] for k, v in states.items() if not v["result"]}

    read = nova_effective_config(args)
    assert read.get("compute_driver") == "docker.DockerDriver", read
    assert read["docker"]["host_url"] == compute.dockerd.url, read
    loaded = nova_load_compute_driver(compute.python, args)
    assert loaded.get("class", "").endswith(".DockerDriver"), loaded
    assert "nova.virt.driver.ComputeDriver" in loaded["bases"], loaded

    # The grain and novadocker.check judge the chain as nova does.
    report = node.call("novadocker.check").data
    assert report["nova_conf"]["switched"] is True, report["nova_conf"]
    assert report["nova_conf"]["compute_driver"] == read["compute_driver"]
    assert report["nova_conf"]["ok"] is True, report["problems"]
    assert report["nova"]["ok"] is True, report["nova"]
    grains = node.call("grains.item", "novadocker").data["novadocker"]
    assert grains["compute"] is True, grains

    # A second run changes nothing.
    ret, states = node.apply()
    assert ret.returncode == 0
    changed = [k for k, v in states.items() if v["changes"]]
    assert changed == [], changed

    # Clean: every file of the chain byte for byte, the shim gone, nova back on libvirt.
    ret, states = node.apply("novadocker.clean")
    assert ret.returncode == 0, {k: v["comment"] for k, v in states.items() if not v["result"]}
    assert _files(node, files) == before
    assert nova_effective_config(args)["compute_driver"] == before_driver
    return states


def test_ubuntu_layout_switches_the_packaged_nova_compute_conf(compute_node):
    """Ubuntu/Debian: nova-compute.conf (read after nova.conf) sets libvirt: the formula
    switches it THERE, the [docker] options go to nova.conf (no file sets them)."""
    node = compute_node.node
    node.path(NOVA_COMPUTE).write_text(KVM_CONF)
    chain = [("dir", CONF_D), ("file", NOVA), ("file", NOVA_COMPUTE)]
    conf = {
        "config_files": [NOVA, NOVA_COMPUTE],
        "config_dirs": [CONF_D],
        "config_dirs_first": True,
    }
    before_nova = node.path(NOVA).read_text()
    compute_node.pillar(compute=conf)
    ret, states = node.apply(test=True)
    assert ret.returncode == 0
    predicted = states["novadocker-compute-nova-conf"]["changes"]
    assert predicted[str(node.path(NOVA_COMPUTE))]["DEFAULT"]["compute_driver"] == {
        "old": "libvirt.LibvirtDriver",
        "new": "docker.DockerDriver",
    }
    assert "DEFAULT" not in predicted[str(node.path(NOVA))], predicted
    assert node.path(NOVA).read_text() == before_nova

    compute_node.pillar(compute=conf)
    ret, states = node.apply()
    assert ret.returncode == 0
    # Only the winning line changed in nova-compute.conf: nova.conf's own (losing) line stays.
    assert node.path(NOVA_COMPUTE).read_text() == KVM_CONF.replace(
        "compute_driver=libvirt.LibvirtDriver", "compute_driver=docker.DockerDriver"
    )
    assert "compute_driver=libvirt.LibvirtDriver" in node.path(NOVA).read_text()
    node.apply("novadocker.clean")

    _apply_and_judge(compute_node, conf, chain, [NOVA, NOVA_COMPUTE])


def test_rdo_layout_writes_over_the_distribution_file(compute_node):
    """RDO: nova-dist.conf (a distribution file under /usr, read first) sets libvirt and
    nova.conf sets no compute_driver: the formula writes nova.conf, never /usr."""
    node = compute_node.node
    dist = node.path(DIST)
    dist.parent.mkdir(parents=True)
    dist.write_text(DIST_CONF)
    text = node.path(NOVA).read_text().replace("compute_driver=libvirt.LibvirtDriver\n", "")
    node.path(NOVA).write_text(text)
    chain = [("file", DIST), ("file", NOVA), ("dir", CONF_D)]
    conf = {"config_files": [DIST, NOVA], "config_dirs": [CONF_D], "config_dirs_first": False}
    _apply_and_judge(compute_node, conf, chain, [DIST, NOVA])
    assert dist.read_text() == DIST_CONF


def test_a_drop_in_that_wins_is_switched_in_place(compute_node):
    """SUSE-like: nova.conf.d/*.conf read (sorted) after the files; the drop-in that sets
    compute_driver last wins and is the one switched; another drop-in keeps its bytes."""
    node = compute_node.node
    conf_d = node.path(CONF_D)
    conf_d.mkdir(parents=True)
    (conf_d / "010-nova.conf").write_text("[DEFAULT]\nstate_path = /var/lib/nova\n")
    (conf_d / "100-nova.conf").write_text("[DEFAULT]\ncompute_driver = fake.FakeDriver\n")
    (conf_d / "README").write_text("compute_driver = not.a.conf.File\n")
    chain = [("file", NOVA), ("dir", CONF_D)]
    conf = {"config_files": [NOVA], "config_dirs": [CONF_D], "config_dirs_first": False}
    files = [NOVA, CONF_D + "/010-nova.conf", CONF_D + "/100-nova.conf", CONF_D + "/README"]
    _apply_and_judge(compute_node, conf, chain, files)


def test_a_missing_file_of_the_chain_is_skipped_and_reported(compute_node):
    node = compute_node.node
    conf = {"config_files": [NOVA, NOVA_COMPUTE], "config_dirs": [], "config_dirs_first": False}
    compute_node.pillar(compute=conf)
    ret, states = node.apply()
    assert ret.returncode == 0, {k: v["comment"] for k, v in states.items() if not v["result"]}
    report = node.call("novadocker.check").data["nova_conf"]
    assert report["files_read"] == [str(node.path(NOVA))]
    assert report["files_missing"] == [str(node.path(NOVA_COMPUTE))]


def test_nova_conf_outside_the_chain_is_a_pillar_error(compute_node):
    node = compute_node.node
    original = node.path(NOVA).read_bytes()
    compute_node.pillar(compute={"config_files": [NOVA_COMPUTE]})
    ret, states = node.apply()
    assert ret.returncode != 0
    comment = states["novadocker-pillar-valid"]["comment"]
    assert "novadocker:compute:nova_conf: expected one of compute:config_files" in comment
    assert node.path(NOVA).read_bytes() == original
