"""
The ``novadocker`` grain module, through Salt's grains loader in this process (its ``__utils__``
are the formula's): cheap and never failing, whatever the node looks like (no daemon, a hung
daemon, no nova.conf, a broken pillar), and right with a real daemon. The fleet tests
(test/integration/fleet/: test_fleet.py, test_rollout.py) use it through real minions.
"""

import os
import pathlib
import shutil
import socket
import tempfile
import time

import docker
import pytest
from testpaths import DATA


@pytest.fixture
def grains_module(formula_loader):
    """Computes the grain through Salt's loader after a "state run" with the pillar of
    ``opts`` (``novadocker.settings``, as map.jinja calls it, leaves the node view the grain
    reads) and the minion option ``novadocker_grains_timeout`` of ``opts``."""
    saved = formula_loader.opts.get("novadocker_grains_timeout")

    def compute(opts):
        pillar = opts.get("pillar")
        formula_loader.set_pillar(pillar if isinstance(pillar, dict) else {})
        formula_loader.mods["novadocker.settings"]()
        formula_loader.opts.pop("novadocker_grains_timeout", None)
        if "novadocker_grains_timeout" in opts:
            formula_loader.opts["novadocker_grains_timeout"] = opts["novadocker_grains_timeout"]
        started = time.monotonic()
        return formula_loader.grain(), time.monotonic() - started

    yield compute
    formula_loader.opts.pop("novadocker_grains_timeout", None)
    if saved is not None:
        formula_loader.opts["novadocker_grains_timeout"] = saved
    formula_loader.set_pillar({})


def _node(tmp_path, host_url=None, driver="novadocker.virt.docker.DockerDriver"):
    root = tmp_path / "node"
    (root / "etc/nova").mkdir(parents=True)
    text = (DATA / "nova.conf").read_text()
    if driver:
        text = text.replace("compute_driver=libvirt.LibvirtDriver", f"compute_driver={driver}")
    if host_url:
        text += f"\n[docker]\nhost_url = {host_url}\n"
    (root / "etc/nova/nova.conf").write_text(text)
    return root


def _grains(compute, opts):
    """``(grain, seconds the grain alone took)``."""
    return compute(opts)


@pytest.fixture
def hung_socket():
    """A unix socket that accepts connections and never answers (a hung daemon)."""
    folder = tempfile.mkdtemp(prefix="ndhung", dir="/tmp")
    path = os.path.join(folder, "docker.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    try:
        yield "unix://" + path
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_hung_daemon_costs_at_most_the_timeout(grains_module, tmp_path, hung_socket):
    root = _node(tmp_path, host_url=hung_socket)
    grain, took = _grains(grains_module, {"pillar": {"novadocker": {"root": str(root)}}})
    assert grain == {
        "compute": True,
        "driver_version": None,
        "docker_api_version": None,
        "docker_version": None,
    }
    assert 0.9 <= took < 2.0, took
    grain, took = _grains(
        grains_module,
        {"pillar": {"novadocker": {"root": str(root)}}, "novadocker_grains_timeout": 0.2},
    )
    assert grain["docker_api_version"] is None
    assert took < 0.8, took


def test_no_daemon_no_nova_conf_and_a_broken_pillar_never_fail(grains_module, tmp_path):
    root = _node(tmp_path, host_url=f"unix://{tmp_path}/no-daemon.sock")
    grain, took = _grains(grains_module, {"pillar": {"novadocker": {"root": str(root)}}})
    assert grain["compute"] is True and grain["docker_api_version"] is None
    assert took < 0.5, took
    # A node that was never switched; another without nova.conf at all.
    plain = _node(tmp_path / "plain", driver=None)
    grain, _ = _grains(grains_module, {"pillar": {"novadocker": {"root": str(plain)}}})
    assert grain["compute"] is False
    grain, _ = _grains(grains_module, {"pillar": {"novadocker": {"root": str(tmp_path / "x")}}})
    assert grain["compute"] is False
    # Pillar shapes the formula's validation would reject: the grain still answers.
    for pillar in ({"novadocker": "oops"}, {"novadocker": {"compute": [1], "driver": 3}}, None):
        grain, _ = _grains(grains_module, {"pillar": pillar})
        assert set(grain) == {"compute", "driver_version", "docker_api_version", "docker_version"}
    grain, _ = _grains(grains_module, {})
    assert grain["driver_version"] is None or isinstance(grain["driver_version"], str)


def test_before_the_formula_ran_every_value_is_none(formula_loader, tmp_path):
    """No state run left its node view in the minion cache yet: the grain cannot know where
    nova's config is."""
    import novadocker_settings

    copy = novadocker_settings.view_path(formula_loader.opts["cachedir"])
    kept = pathlib.Path(copy).read_bytes() if os.path.exists(copy) else None
    try:
        if kept is not None:
            os.unlink(copy)
        assert formula_loader.grain() == {
            "compute": None,
            "driver_version": None,
            "docker_api_version": None,
            "docker_version": None,
        }
    finally:
        if kept is not None:
            pathlib.Path(copy).write_bytes(kept)


def test_a_real_daemon_and_a_tcp_url(grains_module, tmp_path, dockerd):
    versions = docker.DockerClient(base_url=dockerd.url, version="1.24").version()
    root = _node(tmp_path, host_url=dockerd.url)
    grain, took = _grains(grains_module, {"pillar": {"novadocker": {"root": str(root)}}})
    assert grain["compute"] is True
    assert grain["docker_api_version"] == versions["ApiVersion"]
    assert grain["docker_version"] == versions["Version"]
    assert took < 1.0, took
    # The daemon in pillar counts only until nova.conf names one.
    plain = _node(tmp_path / "plain", driver=None)
    pillar = {"root": str(plain), "compute": {"docker": {"host_url": dockerd.url}}}
    grain, _ = _grains(grains_module, {"pillar": {"novadocker": pillar}})
    assert grain["compute"] is False
    assert grain["docker_api_version"] == versions["ApiVersion"]
    # A TCP daemon that does not answer (nothing listens on that port of 127.0.0.1).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tcp = _node(tmp_path / "tcp", host_url=f"tcp://127.0.0.1:{port}")
    grain, took = _grains(grains_module, {"pillar": {"novadocker": {"root": str(tcp)}}})
    assert grain["compute"] is True and grain["docker_api_version"] is None
    assert took < 0.5, took
