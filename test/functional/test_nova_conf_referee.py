"""
The grain, the beacon and ``novadocker.check`` read nova.conf as nova reads it.

One nova.conf shape per case, each of which oslo.config accepts; the referee is nova's own
config loader (nova 34 from PyPI in ``.venv-openstack``, ``nova.conf.CONF``: see
test/fixtures/openstack.py). For every shape the three readers of the formula, loaded by Salt's
real loaders in this process (test/conftest.py, ``FormulaLoader``), must agree with it:

* the grain's ``compute`` is whether the referee's ``compute_driver`` is nova-docker's driver;
* the beacon watches (and, its daemon being down, fires ``down`` for) exactly those nodes;
* ``novadocker.check`` reads the same ``compute_driver`` value and the same verdict.
"""

import pytest
from fixtures.openstack import nova_effective_config

DRIVER = "novadocker.virt.docker.DockerDriver"
MODULE_SPELLING = "novadocker.virt.docker.driver.DockerDriver"
LIBVIRT = "libvirt.LibvirtDriver"

#: (id, nova.conf bytes): every shape oslo.config accepts that a naive reader gets wrong.
SHAPES = [
    ("equals", f"[DEFAULT]\ncompute_driver = {DRIVER}\n"),
    ("colon", f"[DEFAULT]\ncompute_driver: {DRIVER}\n"),
    ("double-quotes", f'[DEFAULT]\ncompute_driver = "{DRIVER}"\n'),
    ("single-quotes", f"[DEFAULT]\ncompute_driver = '{DRIVER}'\n"),
    (
        "repeated-key-last-wins",
        f"[DEFAULT]\ncompute_driver = {LIBVIRT}\ncompute_driver = {DRIVER}\n",
    ),
    (
        "repeated-key-libvirt-last",
        f"[DEFAULT]\ncompute_driver = {DRIVER}\ncompute_driver = {LIBVIRT}\n",
    ),
    (
        "repeated-default-section",
        f"[DEFAULT]\ncompute_driver = {LIBVIRT}\n[libvirt]\nvirt_type = kvm\n"
        f"[DEFAULT]\ncompute_driver = {DRIVER}\n",
    ),
    ("key-in-another-section", f"[DEFAULT]\ndebug = true\n[libvirt]\ncompute_driver = {DRIVER}\n"),
    ("key-case", f"[DEFAULT]\nCompute_Driver = {DRIVER}\n"),
    ("default-section-lowercase", f"[default]\ncompute_driver = {DRIVER}\n"),
    ("tabs", f"[DEFAULT]\ncompute_driver\t=\t{DRIVER}\n"),
    (
        "crlf",
        f"[DEFAULT]\r\ncompute_driver = {DRIVER}\r\n[docker]\r\nhost_url = unix:///x.sock\r\n",
    ),
    ("module-spelling", f"[DEFAULT]\ncompute_driver = {MODULE_SPELLING}\n"),
    ("relative-spelling", "[DEFAULT]\ncompute_driver = docker.DockerDriver\n"),
    ("inline-comment-kept", f"[DEFAULT]\ncompute_driver = {DRIVER} # docker\n"),
    ("continuation-line", f"[DEFAULT]\ncompute_driver = {LIBVIRT}\n  {DRIVER}\n"),
    ("no-final-newline", f"[DEFAULT]\ncompute_driver = {DRIVER}"),
    ("unset", "[DEFAULT]\ndebug = true\n"),
    ("comment-only", f"[DEFAULT]\n#compute_driver = {DRIVER}\n;compute_driver = {DRIVER}\n"),
]

KNOWN = {
    DRIVER,
    MODULE_SPELLING,
    "docker.DockerDriver",
    "docker.driver.DockerDriver",
    "nova.virt.docker.DockerDriver",
    "nova.virt.docker.driver.DockerDriver",
}


@pytest.fixture(scope="module")
def loader(formula_loader, tmp_path_factory):
    """The formula's loaders with the parameters a state run leaves in the minion cache."""
    formula_loader.mods["novadocker.defaults"]()
    yield formula_loader
    formula_loader.set_pillar({})


@pytest.mark.parametrize("shape", [text for _id, text in SHAPES], ids=[i for i, _t in SHAPES])
def test_grain_beacon_and_check_agree_with_nova(loader, tmp_path, shape):
    root = tmp_path / "node"
    nova_conf = root / "etc/nova/nova.conf"
    nova_conf.parent.mkdir(parents=True)
    dead = f"unix://{tmp_path}/no-daemon.sock"
    # The daemon named in [docker] is down (an absent socket): the beacon fires "down" for a
    # node it judges switched, nothing otherwise.
    nova_conf.write_bytes(shape.replace("unix:///x.sock", dead).encode())
    loader.set_pillar(
        {
            "novadocker": {
                "root": str(root),
                "compute": {"enabled": True, "docker": {"host_url": dead}},
            }
        }
    )
    # What a state run does first (map.jinja): the settings, and the node view the grain reads.
    loader.mods["novadocker.settings"]()

    referee = nova_effective_config(["--config-file", str(nova_conf)])
    assert "error" not in referee, referee
    switched = referee["compute_driver"] in KNOWN

    assert loader.grain()["compute"] is switched

    beacon = loader.beacons()["novadocker_daemon.beacon"]
    events = beacon([{"emitatstartup": True}])
    assert [e["tag"] for e in events] == (["down"] if switched else [])

    report = loader.mods["novadocker.check"]()
    assert report["nova_conf"]["compute_driver"] == referee["compute_driver"]
    assert report["nova_conf"]["switched"] is switched
    assert loader.mods["novadocker.switched"]()["switched"] is switched
