"""
The novadocker_conf states and execution module through a real ``salt-call --local``.

Each test gets a sandbox node (test/conftest.py) holding copies of test/data/nova.conf and
glance-api.conf; the repository's _modules and _states are synced into the minion.
"""

import json
import os
import stat

import pytest

pytestmark = pytest.mark.slow

DRIVER = "novadocker.virt.docker.DockerDriver"
SOCKET = "unix:///var/run/docker.sock"
MITAKA = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker"]
SECRETS = ("S3cr%3Dt", "N0vaDBpass", "N0vaKSpass", "Gl4nceMQ", "Gl4nceDB", "Gl4nceKS")
NOVA_OPTIONS = {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}


def single(node, fun, **kwargs):
    """Run ``state.single novadocker_conf.<fun>`` (``container_formats``: the
    ``novadocker_glance`` state); return ``(process result, state return)``."""
    module = "novadocker_glance." if fun == "container_formats" else "novadocker_conf."
    ret = node.call("state.single", module + fun, **kwargs)
    assert isinstance(ret.data, dict) and len(ret.data) == 1, ret
    return ret, next(iter(ret.data.values()))


def no_secrets(*rets):
    for ret in rets:
        for secret in SECRETS:
            assert secret not in ret.stdout
            assert secret not in ret.stderr


@pytest.fixture
def nova(node):
    return node.path("/etc/nova/nova.conf")


@pytest.fixture
def nova_record(node):
    return node.path("/var/lib/novadocker/revert/nova.conf.json")


def test_options_test_mode_then_apply_then_no_changes(node, nova, nova_record):
    original = nova.read_bytes()
    dry, state = single(
        node, "options", name=str(nova), options=NOVA_OPTIONS, record=str(nova_record), test=True
    )
    assert state["result"] is None
    assert state["changes"] == {
        "DEFAULT": {"compute_driver": {"old": "libvirt.LibvirtDriver", "new": DRIVER}},
        "docker": {"host_url": {"old": None, "new": SOCKET}},
    }
    assert nova.read_bytes() == original
    assert not nova_record.exists()

    run, state = single(
        node, "options", name=str(nova), options=NOVA_OPTIONS, record=str(nova_record)
    )
    assert run.returncode == 0, run
    assert state["result"] is True
    assert state["changes"]["DEFAULT"]["compute_driver"] == {
        "old": "libvirt.LibvirtDriver",
        "new": DRIVER,
    }
    assert (
        nova.read_bytes()
        == original.replace(
            b"compute_driver=libvirt.LibvirtDriver\n", b"compute_driver=" + DRIVER.encode() + b"\n"
        )
        + b"\n[docker]\nhost_url = "
        + SOCKET.encode()
        + b"\n"
    )
    st = os.stat(nova)
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert stat.S_IMODE(os.stat(nova_record).st_mode) == 0o600

    again, state = single(
        node, "options", name=str(nova), options=NOVA_OPTIONS, record=str(nova_record)
    )
    assert state["result"] is True
    assert state["changes"] == {}
    assert "already set" in state["comment"]
    no_secrets(dry, run, again)


def test_options_json_string_kwarg(node, nova):
    ret, state = single(
        node, "options", name=str(nova), options='{"vnc": {"enabled": false}, "x": {"y": [1, 2]}}'
    )
    assert state["result"] is True
    assert state["changes"] == {
        "vnc": {"enabled": {"old": "True", "new": "False"}},
        "x": {"y": {"old": None, "new": "1,2"}},
    }
    got = node.call("novadocker_conf.get", str(nova), "x", "y")
    assert got.data == "1,2"
    no_secrets(ret, got)


def test_missing_config_file_fails_with_the_message(node):
    missing = node.path("/etc/nova/absent/nova.conf")
    ret, state = single(
        node,
        "options",
        name=str(missing),
        options=NOVA_OPTIONS,
        missing_message="nova.conf not found at {path}: is nova-compute installed?",
    )
    assert state["result"] is False
    assert state["comment"] == "nova.conf not found at {}: is nova-compute installed?".format(
        missing
    )
    assert ret.returncode != 0
    assert not missing.exists() and not missing.parent.exists()
    no_secrets(ret)


def test_glance_container_formats_and_revert(node, nova):
    glance = node.path("/etc/glance/glance-api.conf")
    record = node.path("/var/lib/novadocker/revert/glance-api.conf.json")
    original = glance.read_bytes()
    dry, state = single(
        node,
        "container_formats",
        name=str(glance),
        formats=["docker", "dockerref"],
        default_formats=MITAKA,
        record=str(record),
        test=True,
    )
    assert state["result"] is None
    assert glance.read_bytes() == original
    run, state = single(
        node,
        "container_formats",
        name=str(glance),
        formats=["docker", "dockerref"],
        default_formats=MITAKA,
        record=str(record),
    )
    assert state["changes"] == {
        "image_format": {"container_formats": {"old": MITAKA, "new": MITAKA + ["dockerref"]}}
    }
    assert glance.read_bytes() == original.replace(
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n",
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n"
        b"container_formats = ami,ari,aki,bare,ovf,ova,docker,dockerref\n",
    )
    again, state = single(
        node,
        "container_formats",
        name=str(glance),
        formats=["docker", "dockerref"],
        default_formats=MITAKA,
        record=str(record),
    )
    assert state["result"] is True and state["changes"] == {}

    back, state = single(node, "reverted", name=str(glance), record=str(record))
    assert state["result"] is True
    assert state["changes"] == {
        "image_format": {
            "container_formats": {"old": "ami,ari,aki,bare,ovf,ova,docker,dockerref", "new": None}
        }
    }
    assert glance.read_bytes() == original
    assert not record.exists()
    twice, state = single(node, "reverted", name=str(glance), record=str(record))
    assert state["result"] is True and state["changes"] == {}
    assert "nothing to revert" in state["comment"]
    no_secrets(dry, run, again, back, twice)


def test_revert_after_two_runs_keeps_an_operator_edit(node, nova, nova_record):
    original = nova.read_bytes()
    single(node, "options", name=str(nova), options=NOVA_OPTIONS, record=str(nova_record))
    nova.write_bytes(nova.read_bytes().replace(b"log_dir=/var/log/nova\n", b"log_dir=/srv/log\n"))
    single(
        node,
        "options",
        name=str(nova),
        options={"DEFAULT": {"compute_driver": "other.Driver"}, "docker": {"privileged": True}},
        record=str(nova_record),
    )
    record = json.loads(nova_record.read_text())
    assert set(record["keys"]) == {"DEFAULT", "docker"}
    assert record["keys"]["DEFAULT"]["compute_driver"]["value"] == "libvirt.LibvirtDriver"

    dry, state = single(node, "reverted", name=str(nova), record=str(nova_record), test=True)
    assert state["result"] is None and state["changes"]
    assert nova_record.exists()
    back, state = single(node, "reverted", name=str(nova), record=str(nova_record))
    assert state["result"] is True
    assert state["changes"]["DEFAULT"]["compute_driver"] == {
        "old": "other.Driver",
        "new": "libvirt.LibvirtDriver",
    }
    assert nova.read_bytes() == original.replace(b"log_dir=/var/log/nova\n", b"log_dir=/srv/log\n")
    assert stat.S_IMODE(os.stat(nova).st_mode) == 0o640
    no_secrets(dry, back)


def test_reverted_without_config_file(node, nova, nova_record):
    single(node, "options", name=str(nova), options=NOVA_OPTIONS, record=str(nova_record))
    nova.unlink()
    ret, state = single(node, "reverted", name=str(nova), record=str(nova_record))
    assert state["result"] is True and state["changes"] == {}
    assert "nothing to revert into" in state["comment"]
    assert nova_record.exists()
    assert not nova.exists()
    no_secrets(ret)


def test_execution_module_functions(node, nova):
    ret = node.call("novadocker_conf.get_all", str(nova), "pci", "passthrough_whitelist")
    assert len(ret.data) == 2
    ret = node.call("novadocker_conf.plan", str(nova), options=NOVA_OPTIONS)
    assert ret.data["docker"]["host_url"] == {"old": None, "new": SOCKET}
    glance = node.path("/etc/glance/glance-api.conf")
    ret = node.call(
        "novadocker_glance.container_formats",
        str(glance),
        "docker,dockerref",
        default_formats=MITAKA,
    )
    assert ret.data == {
        "section": "image_format",
        "old": MITAKA,
        "new": MITAKA + ["dockerref"],
        "source": "default",
    }
