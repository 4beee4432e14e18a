"""
The gate proves that nova can load the driver, the way nova-compute will, before the switch.

Sandbox compute nodes (salt-call --local) whose nova is a real nova 34 from PyPI. Each case
that would leave nova-compute dead at start must stop the run before nova's config changes,
naming the exception nova would hit: the real nova-docker stable/mitaka driver (its imports,
built as a test archive) against nova 34, the package directory gone under intact metadata, a
``--no-deps`` install without the docker client library, an interpreter that is not nova's, a
``nova/virt/docker`` that is not the formula's. And the shim: installed for newton-and-later
nova, recorded, put back after a nova upgrade dropped it, removed by clean.
"""

import shutil
import subprocess

import pytest
from fixtures.driver import site_packages
from fixtures.openstack import nova_load_compute_driver

from testpaths import DATA

pytestmark = pytest.mark.slow

NOVA = "/etc/nova/nova.conf"


def _not_switched(node):
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()


def _gate(states):
    return states["novadocker-compute-driver-loadable"]


def _shim(python):
    return site_packages(python) / "nova" / "virt" / "docker" / "__init__.py"


def test_the_real_mitaka_driver_is_refused_on_nova_34(compute_node):
    archive = compute_node.archives.mitaka()
    url = compute_node.http.publish(archive)
    compute_node.pillar(driver={"source": url, "source_hash": archive.source_hash})
    ret, states = compute_node.node.apply()
    assert ret.returncode != 0
    gate = _gate(states)
    assert gate["result"] is False
    assert "ImportError: cannot import name 'arch' from 'nova.compute'" in gate["comment"], gate
    assert "nova 34.0.0 (hibiscus)" in gate["comment"]
    assert states["novadocker-compute-nova-conf"]["result"] is False
    _not_switched(compute_node.node)
    # check names it too.
    nova = compute_node.node.call("novadocker.check_nova").data
    assert nova["ok"] is False and "cannot import name 'arch'" in nova["problems"][0], nova


def test_package_directory_gone_under_intact_metadata(compute_node):
    node = compute_node.node
    compute_node.pillar()
    ret, _states = node.apply("novadocker.compute.driver")
    assert ret.returncode == 0
    shutil.rmtree(site_packages(compute_node.python) / "novadocker")
    ret, states = node.apply()
    assert ret.returncode != 0
    assert states["novadocker-compute-driver"]["result"] is True  # the metadata says 1.0.0
    gate = _gate(states)
    assert gate["result"] is False
    assert "No module named 'novadocker'" in gate["comment"], gate
    _not_switched(node)


def test_no_deps_install_without_the_docker_library(compute_node):
    subprocess.run(
        [compute_node.python, "-m", "pip", "uninstall", "-q", "-y", "docker"], check=True
    )
    compute_node.pillar(driver={"pip_args": ["--no-build-isolation", "--no-deps"]})
    ret, states = compute_node.node.apply()
    assert ret.returncode != 0
    gate = _gate(states)
    assert gate["result"] is False
    assert "No module named 'docker'" in gate["comment"], gate
    _not_switched(compute_node.node)


def test_an_interpreter_without_nova_is_refused(compute_node, nova_python):
    compute_node.pillar(driver={"python": nova_python})
    ret, states = compute_node.node.apply()
    assert ret.returncode != 0
    gate = _gate(states)
    assert gate["result"] is False
    assert "nova does not import with {}".format(nova_python) in gate["comment"], gate
    assert "not the interpreter nova-compute runs with" in gate["comment"]
    _not_switched(compute_node.node)


def test_a_foreign_nova_virt_docker_is_left_alone(compute_node):
    shim = _shim(compute_node.python)
    shim.parent.mkdir()
    shim.write_text("# somebody else's package\n")
    compute_node.pillar()
    ret, states = compute_node.node.apply()
    assert ret.returncode != 0
    gate = _gate(states)
    assert "exists but is not the formula's shim" in gate["comment"], gate
    assert shim.read_text() == "# somebody else's package\n"
    _not_switched(compute_node.node)


def test_the_shim_is_recorded_put_back_after_a_nova_upgrade_and_removed_by_clean(compute_node):
    node = compute_node.node
    compute_node.pillar()
    ret, states = node.apply()
    assert ret.returncode == 0
    shim = _shim(compute_node.python)
    assert shim.is_file()
    assert "nova/virt/docker" in node.path("/var/lib/novadocker/nova-shim.json").read_text()
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]
    args = ["--config-file", str(node.path(NOVA))]
    assert nova_load_compute_driver(compute_node.python, args)["class"].endswith("DockerDriver")

    # A second run: the proof is remembered, nothing changes, nothing is restarted.
    before = len(node.restarts())
    ret, states = node.apply()
    assert ret.returncode == 0
    assert "proved earlier" in _gate(states)["comment"], _gate(states)
    assert [k for k, v in states.items() if v["changes"]] == []
    assert len(node.restarts()) == before

    # A nova upgrade replaced nova's tree: the shim is gone, nova-compute would not start.
    shutil.rmtree(shim.parent)
    assert "error" in nova_load_compute_driver(compute_node.python, args)
    ret, states = node.apply()
    assert ret.returncode == 0
    assert _gate(states)["changes"] == {"shim": {"old": None, "new": str(shim)}}
    assert shim.is_file()
    assert len(node.restarts()) == before + 1
    assert nova_load_compute_driver(compute_node.python, args)["class"].endswith("DockerDriver")

    # Clean: nova.conf back, the shim and its record gone.
    ret, states = node.apply("novadocker.clean")
    assert ret.returncode == 0
    assert not shim.parent.exists()
    assert not node.path("/var/lib/novadocker/nova-shim.json").exists()
    _not_switched(node)


def test_test_mode_predicts_the_shim_and_proves_the_driver_class(compute_node):
    node = compute_node.node
    compute_node.pillar()
    ret, _states = node.apply("novadocker.compute.driver")
    assert ret.returncode == 0
    shutil.rmtree(_shim(compute_node.python).parent)
    ret, states = node.apply(test=True)
    assert ret.returncode == 0
    gate = _gate(states)
    assert gate["result"] is None
    assert gate["changes"] == {"shim": {"old": None, "new": str(_shim(compute_node.python))}}
    assert not _shim(compute_node.python).exists()
    # The driver's own class does not load: test=True fails where the real run would.
    shutil.rmtree(site_packages(compute_node.python) / "novadocker")
    ret, states = node.apply(test=True)
    assert _gate(states)["result"] is False
    assert "No module named 'novadocker'" in _gate(states)["comment"]
