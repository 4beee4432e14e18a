"""
The ``novadocker`` grain and the ``novadocker_daemon`` beacon (Salt's real grains and beacons
loaders, this process) reach a ``tcp://`` daemon over TLS as the driver does: with the
``[docker]`` options nova.conf gives (a real dockerd with ``--tlsverify``, certificates made in
the test). Without those options the driver would not reach it, and neither do they.
"""

import pytest

from testpaths import DATA

pytestmark = pytest.mark.usefixtures("no_requests_ca_env")


@pytest.fixture
def loader(formula_loader):
    """The formula's loaders with the parameters a state run leaves in the minion cache."""
    formula_loader.mods["novadocker.defaults"]()
    yield formula_loader
    formula_loader.set_pillar({})


def _switched_node(tmp_path, options):
    """A sandbox node whose nova.conf is switched, with ``options`` as its [docker] section."""
    root = tmp_path / "node"
    nova_conf = root / "etc/nova/nova.conf"
    nova_conf.parent.mkdir(parents=True)
    text = (
        (DATA / "nova.conf")
        .read_text()
        .replace(
            "compute_driver=libvirt.LibvirtDriver",
            "compute_driver=novadocker.virt.docker.DockerDriver",
        )
    )
    text += "\n[docker]\n" + "".join(f"{k} = {v}\n" for k, v in options.items())
    nova_conf.write_text(text)
    return root


def _pillar(loader, root):
    """The node's pillar, and what a state run does first with it (map.jinja: the settings,
    which keep the node view the grain reads)."""
    loader.set_pillar({"novadocker": {"root": str(root), "compute": {"enabled": True}}})
    loader.mods["novadocker.settings"]()


def test_the_grain_asks_a_tls_daemon_with_novas_options(loader, tmp_path, dockerd_tls, nova_tls):
    versions = nova_tls.sdk(dockerd_tls.url).version()
    _pillar(loader, _switched_node(tmp_path, nova_tls.options(dockerd_tls.url)))
    grain = loader.grain()
    assert grain["compute"] is True
    assert grain["docker_api_version"] == versions["ApiVersion"]
    assert grain["docker_version"] == versions["Version"]

    # nova.conf says api_insecure = False: no verification, as the driver (still answered).
    _pillar(
        loader,
        _switched_node(tmp_path / "b", nova_tls.options(dockerd_tls.url, api_insecure="False")),
    )
    assert loader.grain()["docker_api_version"] == versions["ApiVersion"]
    # A CA that did not sign the daemon, verified: no answer, for the driver neither.
    rogue = nova_tls.options(dockerd_tls.url, ca_file=nova_tls.rogue_ca_file)
    _pillar(loader, _switched_node(tmp_path / "c", rogue))
    assert loader.grain()["docker_api_version"] is None
    # Only host_url: plain HTTP to a TLS port, no answer.
    _pillar(loader, _switched_node(tmp_path / "d", {"host_url": dockerd_tls.url}))
    assert loader.grain()["docker_api_version"] is None


def test_the_beacon_watches_a_tls_daemon(loader, tmp_path, dockerd_tls_private, nova_tls):
    daemon = dockerd_tls_private
    _pillar(loader, _switched_node(tmp_path, nova_tls.options(daemon.url)))
    beacon = loader.beacons()["novadocker_daemon.beacon"]
    config = [{"emitatstartup": True}]
    # Up at the first poll: nothing to say (a daemon it could not reach would be "down").
    assert beacon(config) == []
    daemon.stop()
    (down,) = beacon(config)
    assert down["tag"] == "down" and down["host_url"] == daemon.url
    daemon.start()
    (up,) = beacon(config)
    assert up["tag"] == "up" and up["api_version"]


def test_the_beacon_without_tls_options_sees_the_daemon_down(loader, tmp_path, dockerd_tls):
    _pillar(loader, _switched_node(tmp_path, {"host_url": dockerd_tls.url}))
    beacon = loader.beacons()["novadocker_daemon.beacon"]
    (down,) = beacon([{"emitatstartup": True}])
    assert down["tag"] == "down" and "HTTPS server" in down["error"]
