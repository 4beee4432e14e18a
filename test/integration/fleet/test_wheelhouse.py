"""
Offline nodes, from the real master: a compute node whose pip reaches no index at all (its
index is a closed port of 127.0.0.1, the machine's pip configuration is switched off) installs
the driver from ``driver:wheelhouse``, a folder of wheels the master serves, filled with
README's own ``pip wheel`` command. What building the driver needs (setuptools, wheel, pbr)
comes from it too: pip builds in an isolated environment, which sees nothing of nova's. The
node's nova environment is a real one (nova 34, as the fleet's other nodes), so that the load
gate proves nova loads the driver. The driver record keeps the distributions the install
added, and the clean removes exactly those: never one that was in nova's environment before.
"""

import json
import os
import pathlib
import urllib.parse
import subprocess

import pytest
from fixtures.driver import ArchiveFactory
from fixtures.readme import wheelhouse_command

pytestmark = pytest.mark.slow

NODE = "compute-offline"
DRIVER_VERSION = "0.0.1.dev273"
NOVA_CONF = "/etc/nova/nova.conf"
#: The stand-in driver needs pbr and the docker SDK (nova's environment has them), colorama,
#: termcolor and tabulate (it has none of them; the operator installs tabulate before the
#: formula runs): the install adds colorama and termcolor.
REQUIREMENTS = "pbr\ndocker\ncolorama\ntermcolor\ntabulate\n"
ADDED = ["colorama", "termcolor"]


def _dists(python, env=None):
    """``{name: version}`` of nova's venv, as pip lists it."""
    proc = subprocess.run(
        [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return {d["name"].lower(): d["version"] for d in json.loads(proc.stdout)}


def _states(ret):
    assert isinstance(ret.data, dict), ret
    return {chunk["__id__"]: chunk for chunk in ret.data.values()}


@pytest.fixture
def offline(fleet, tmp_path, unreachable_url):
    """The node's pip environment (no configuration file, the index a closed port, no
    retries), its real nova environment, the driver archive and README's wheelhouse on the
    master, and the node itself (an extra minion with that environment)."""
    env = {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": f"http://127.0.0.1:{urllib.parse.urlsplit(unreachable_url).port}/simple",
        "PIP_RETRIES": "0",
        "PIP_FIND_LINKS": None,
        "PIP_EXTRA_INDEX_URL": None,
        "PIP_NO_INDEX": None,
    }
    pip_env = {k: v for k, v in os.environ.items() if k not in env}
    pip_env.update({k: v for k, v in env.items() if v is not None})
    fleet.fresh(NODE)
    python = fleet.pythons[NODE]
    # The node's pip sees nothing but its dead index (and what the tests give it).
    proc = subprocess.run(
        [python, "-m", "pip", "config", "list"], capture_output=True, text=True, env=pip_env
    )
    sources = [
        line
        for line in proc.stdout.splitlines()
        if line.split("=")[0].rpartition(".")[2] in ("index-url", "extra-index-url", "find-links")
    ]
    assert sources == [f":env:.index-url='{env['PIP_INDEX_URL']}'"], proc.stdout
    before = _dists(python, pip_env)
    assert "nova" in before and not {"colorama", "termcolor", "tabulate"} & set(before), before

    dist = fleet.base / "states" / "novadocker-dist"
    archive = ArchiveFactory(tmp_path / "archives")(
        "stable-mitaka", filename="nova-docker-offline.zip", requirements=REQUIREMENTS, dest=dist
    )
    # README's command, run where an index is reachable (this machine's pip configuration).
    cmd, cmd_env = wheelhouse_command(fleet.base, python, archive.path, DRIVER_VERSION)
    wheels = pathlib.Path(cmd[cmd.index("--wheel-dir") + 1])
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **cmd_env})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = sorted(p.name.split("-")[0].lower() for p in wheels.glob("*.whl"))
    # What the isolated build needs, and the driver's requirements.
    assert {"pbr", "setuptools", "wheel", "docker", "colorama", "termcolor"} <= set(names), names
    # tabulate was in nova's environment before the formula (installed by the operator).
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels)]
        + ["tabulate"],
        check=True,
        env=pip_env,
    )
    ret = fleet.salt_run("fileserver.clear_file_list_cache")
    assert ret.returncode == 0, ret

    pillar = fleet.docker_pillar(NODE)
    driver = pillar["novadocker"]["driver"]
    driver.update(
        source=f"salt://novadocker-dist/{archive.path.name}",
        source_hash=archive.source_hash,
        python=python,
        pip_args=[],
    )
    with fleet.extra_minion(NODE, pillar, environ=env):
        ret = fleet.salt(NODE, "saltutil.sync_all")
        assert ret.returncode == 0, ret
        yield {
            "python": python,
            "pillar": pillar,
            "env": pip_env,
            "wheels": wheels,
            "operator": _dists(python, pip_env),
        }
    for path in wheels.glob("*"):
        path.unlink()
    wheels.rmdir()
    archive.path.unlink()


def _apply(fleet, pillar, test=False):
    fleet.set_pillars({NODE: pillar}, refresh=False)
    ret = fleet.salt(NODE, "saltutil.refresh_pillar", "wait=True")
    assert ret.returncode == 0 and ret.data is True, ret
    args = ["state.apply", "novadocker"] + (["test=True"] if test else [])
    return fleet.salt(NODE, *args, timeout=600)


def test_install_from_the_wheelhouse_with_no_index_then_clean_removes_what_it_added(fleet, offline):
    python, pillar = offline["python"], offline["pillar"]
    nova_conf = fleet.path(NODE, NOVA_CONF)
    original = nova_conf.read_bytes()

    # Without a wheelhouse the node cannot install the driver at all: nothing reaches an index.
    ret = _apply(fleet, pillar)
    assert ret.returncode != 0, ret
    state = _states(ret)["novadocker-compute-driver"]
    assert state["result"] is False
    assert "pip could not install nova-docker" in state["comment"], state["comment"]
    assert nova_conf.read_bytes() == original
    assert _dists(python, offline["env"]) == offline["operator"]

    # A wheelhouse that holds no wheel: the dry run says so (the master's file list).
    pillar["novadocker"]["driver"]["wheelhouse"] = "salt://novadocker-dist/no-wheels-here"
    ret = _apply(fleet, pillar, test=True)
    state = _states(ret)["novadocker-compute-driver"]
    assert state["result"] is False, state
    assert "holds no wheel" in state["comment"]

    # README's wheelhouse: the dry run predicts the install, the real run makes it.
    pillar["novadocker"]["driver"]["wheelhouse"] = "salt://novadocker-dist/wheels"
    ret = _apply(fleet, pillar, test=True)
    assert ret.returncode == 0, ret
    assert _states(ret)["novadocker-compute-driver"]["result"] is None
    ret = _apply(fleet, pillar)
    assert ret.returncode == 0, {
        sid: c["comment"] for sid, c in _states(ret).items() if c["result"] is not True
    }
    state = _states(ret)["novadocker-compute-driver"]
    assert state["changes"] == {"old": None, "new": DRIVER_VERSION, "added": ADDED}
    # nova 34 loads drivers only from nova.virt: the formula's shim spelling.
    assert b"compute_driver=docker.DockerDriver" in nova_conf.read_bytes()
    after = _dists(python, offline["env"])
    assert after["nova-docker"] == DRIVER_VERSION
    assert set(after) - set(offline["operator"]) == {"nova-docker", *ADDED}

    # The record names what the install added; tabulate was there before.
    record = json.loads(fleet.path(NODE, "/var/lib/novadocker/driver.json").read_text())
    assert record == {"python": python, "previous_version": None, "added": ADDED}

    # A re-apply runs no pip and changes nothing.
    ret = _apply(fleet, pillar)
    assert ret.returncode == 0, ret
    assert {sid for sid, c in _states(ret).items() if c["changes"]} == set()

    # Clean (the role turned off): the driver and what its install added go, tabulate stays.
    pillar["novadocker"]["compute"]["enabled"] = False
    ret = _apply(fleet, pillar)
    assert ret.returncode == 0, ret
    state = _states(ret)["novadocker-compute-clean-driver"]
    assert state["changes"]["removed"] == ADDED, state
    assert _dists(python, offline["env"]) == offline["operator"]
    assert nova_conf.read_bytes() == original
    assert not fleet.path(NODE, "/var/lib/novadocker/driver.json").exists()
