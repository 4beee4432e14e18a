"""
Issue 12, item 4: every path the formula manages is absolute whatever ``root`` is: ``/``,
``//`` and a trailing slash all mean the same root, and nothing is ever written relative to
the directory salt-call was started from. A relative ``root`` is a pillar error.

The sandbox keeps the machine's /etc out of it: with ``root: /`` the pillar points the managed
files at absolute paths inside the sandbox, and salt-call runs from another, empty directory.
"""

import pathlib

import pytest

from .edge_helpers import GLANCE, STATE_DIR, changed, failed, raw_call, states_of
from testpaths import DATA

pytestmark = pytest.mark.slow


def image_pillar(node, root, prefix):
    return {
        "novadocker": {
            "root": root,
            "state_dir": prefix + STATE_DIR,
            "image": {
                "enabled": True,
                "glance_api_conf": prefix + GLANCE,
                "service": "glance-api",
                # No glance-api runs here to ask for its live schema.
                "api": {"verify": False},
            },
            "compute": {
                "nova_conf": prefix + "/etc/nova/nova.conf",
                "config_files": [prefix + "/etc/nova/nova.conf"],
                "config_dirs": [],
            },
        }
    }


@pytest.mark.parametrize("root", ["/", "//", "{sandbox}/", "{sandbox}//"])
def test_every_managed_path_is_absolute_whatever_the_root(node, tmp_path, root):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    sandbox = str(node.root)
    if root.startswith("{sandbox}"):
        node.set_pillar(image_pillar(node, root.format(sandbox=sandbox), ""))
    else:
        node.set_pillar(image_pillar(node, root, sandbox))

    proc, data = raw_call(node, ["novadocker.settings"], cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    settings = data["local"]
    assert settings["valid"] is True, settings["errors"]
    for name, path in settings["paths"].items():
        assert path.startswith("/") and "//" not in path, (name, path)
    assert settings["paths"]["glance_api_conf"] == str(node.path(GLANCE))

    proc, data = raw_call(node, ["state.apply", "novadocker"], cwd=cwd)
    states = states_of(data)
    assert proc.returncode == 0, failed(states) or proc.stderr
    assert "dockerref" in node.path(GLANCE).read_text()
    assert node.path(STATE_DIR + "/glance-api.conf.json").is_file()
    assert [r[:2] for r in node.restarts()] == [["restart", "glance-api"]]
    assert list(pathlib.Path(cwd).iterdir()) == []
    # A second run changes nothing.
    proc, data = raw_call(node, ["state.apply", "novadocker"], cwd=cwd)
    assert proc.returncode == 0 and changed(states_of(data)) == set(), failed(states_of(data))

    proc, data = raw_call(node, ["state.apply", "novadocker.clean"], cwd=cwd)
    assert proc.returncode == 0, failed(states_of(data))
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()
    assert list(pathlib.Path(cwd).iterdir()) == []


def test_a_relative_root_is_a_pillar_error(node, tmp_path):
    node.set_pillar({"novadocker": {"root": "srv/node", "image": {"enabled": True}}})
    ret, states = node.apply()
    assert ret.returncode != 0
    comment = states["novadocker-pillar-valid"]["comment"]
    assert "novadocker:root" in comment and "'srv/node'" in comment
    assert "absolute" in comment
