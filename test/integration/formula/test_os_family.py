"""
The per-family parameters (novadocker/parameters/os_family/*.yaml) reach the rendered states.

For each family a minion is configured with static grains (``grains: {os_family: ...}`` in the
minion config overrides the detected grains), the pillar enables both roles with
``runtime:manage: true``, and ``state.show_sls novadocker`` through ``salt-call --local``
renders the whole formula. The test reads the service names and the Docker engine package out
of the rendered states, not out of the parameters files.
"""

import json

import pytest
from testnode import lay_sandbox
from testpaths import formula_root


EXPECTED = {
    "Debian": {
        "os": "Debian",
        "nova_compute": "nova-compute",
        "glance_api": "glance-api",
        "package": "docker.io",
    },
    "RedHat": {
        "os": "Rocky",
        "nova_compute": "openstack-nova-compute",
        "glance_api": "openstack-glance-api",
        "package": "docker",
    },
    "Suse": {
        "os": "SUSE",
        "nova_compute": "openstack-nova-compute",
        "glance_api": "openstack-glance-api",
        "package": "docker",
    },
}


def _pillar(root, **extra):
    data = {
        "root": str(root),
        "compute": {"enabled": True},
        "image": {"enabled": True},
        "runtime": {"manage": True},
    }
    for key, value in extra.items():
        data[key] = dict(data.get(key, {}), **value)
    return {"novadocker": data}


class FamilyNode:
    def __init__(self, cli, pillar_dir, root):
        self.cli, self.pillar_dir, self.root = cli, pillar_dir, root

    def show_sls(self, pillar):
        (self.pillar_dir / "top.sls").write_text("base:\n  '*':\n    - node\n")
        (self.pillar_dir / "node.sls").write_text(json.dumps(pillar))
        ret = self.cli.run("--local", "state.show_sls", "novadocker", _timeout=300)
        assert ret.returncode == 0, ret
        assert isinstance(ret.data, dict), ret
        return ret.data


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def family_node(request, salt_factories, tmp_path_factory):
    family = request.param
    base = tmp_path_factory.mktemp("os-family-{}".format(family))
    pillar_dir = base / "pillar"
    pillar_dir.mkdir()
    root = base / "node"
    lay_sandbox(root)
    factory = salt_factories.salt_minion_daemon(
        "os-family-{}".format(family.lower()),
        overrides={
            "file_client": "local",
            # The shipped parts only, as on a node (not the clone's virtualenvs).
            "file_roots": {"base": [str(formula_root(base / "formula"))]},
            "pillar_roots": {"base": [str(pillar_dir)]},
            # Static grains in the minion config win over the detected ones.
            "grains": {"os_family": family, "os": EXPECTED[family]["os"]},
        },
    )
    cli = factory.salt_call_cli(timeout=300)
    ret = cli.run("--local", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    return family, FamilyNode(cli, pillar_dir, root)


def _state_arg(state, mod, arg):
    for item in state[mod]:
        if isinstance(item, dict) and arg in item:
            return item[arg]
    raise AssertionError("no {} in {!r}".format(arg, state))


def _state_fun(state, mod):
    return [item for item in state[mod] if isinstance(item, str)]


def test_grains_override_reaches_the_minion(family_node):
    family, node = family_node
    ret = node.cli.run("--local", "grains.item", "os_family", "os")
    assert ret.returncode == 0, ret
    assert ret.data == {"os_family": family, "os": EXPECTED[family]["os"]}


def test_rendered_service_and_package_names(family_node):
    family, node = family_node
    want = EXPECTED[family]
    states = node.show_sls(_pillar(node.root))

    restart = states["novadocker-compute-service-restart"]
    assert _state_fun(restart, "novadocker") == ["service_restarted"]
    assert _state_arg(restart, "novadocker", "name") == want["nova_compute"]
    glance = states["novadocker-image-service-restart"]
    assert _state_arg(glance, "novadocker", "name") == want["glance_api"]

    package = states["novadocker-runtime-package"]
    assert _state_fun(package, "pkg") == ["installed"]
    assert _state_arg(package, "pkg", "name") == want["package"]
    service = states["novadocker-runtime-service"]
    assert _state_fun(service, "service") == ["running"]
    assert _state_arg(service, "service", "name") == "docker"

    # The names come from the family's file, not from defaults.yaml, wherever they differ.
    if family != "Debian":
        rendered = json.dumps(states)
        assert '"nova-compute"' not in rendered
        assert '"glance-api"' not in rendered
        assert '"docker.io"' not in rendered


def test_pillar_wins_over_the_family(family_node):
    family, node = family_node
    states = node.show_sls(
        _pillar(
            node.root,
            compute={"service": "my-nova-compute"},
            image={"service": "my-glance-api"},
            runtime={"package": "docker-ce"},
        )
    )
    restart = states["novadocker-compute-service-restart"]
    assert _state_arg(restart, "novadocker", "name") == "my-nova-compute"
    glance = states["novadocker-image-service-restart"]
    assert _state_arg(glance, "novadocker", "name") == "my-glance-api"
    assert _state_arg(states["novadocker-runtime-package"], "pkg", "name") == "docker-ce"
