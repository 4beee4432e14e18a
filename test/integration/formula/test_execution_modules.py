"""
The formula's execution modules through the real ``salt-call --local`` (the ``node`` fixture of
test/conftest.py): the loader finds them after ``saltutil.sync_all``, arguments arrive as a
command line gives them, and their answers come back as Salt prints them.
"""

import json

import pytest
from fixtures.driver import dist_info, driver_files_installed

NO_BUILD = ["--no-build-isolation", "--no-deps"]


def test_release_table_through_salt_call(node):
    ret = node.call("novadocker.release_info", "liberty")
    assert ret.returncode == 0, ret
    assert ret.data["api_version"] == "1.19"
    assert "privileged" in ret.data["options"]
    assert node.call("service.restart", "nova-compute").data is True
    assert node.restarts()[0][:2] == ["restart", "nova-compute"]


# -- novadocker.validate_pillar (the schema: test/unit/utils/test_novadocker_schema.py) ---------


@pytest.mark.slow
def test_validate_through_salt_call(node):
    ret = node.call("novadocker.validate_pillar", 'data={"compute": {"compute_drvier": "a.B"}}')
    assert ret.returncode == 0, ret
    assert ret.data == [
        "novadocker:compute:compute_drvier: unknown key 'compute_drvier' (did you mean "
        "'compute_driver'?); accepted keys: enabled, nova_conf, config_files, config_dirs, "
        "config_dirs_first, compute_driver, docker, "
        "rootwrap_dir, user, socket_group, service, unsafe_unverified_tls, unsafe_plain_tcp"
    ]


# -- novadocker_driver (in process: test/functional/modules/test_novadocker_driver.py) ----------


@pytest.mark.slow
def test_salt_call_install_version_remove(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    assert node.call("novadocker_driver.version", nova_python).data is None
    ret = node.call(
        "novadocker_driver.install",
        nova_python,
        archive.url,
        f"source_hash={archive.source_hash}",
        "version=1.0.0",
        f"pip_args={json.dumps(NO_BUILD)}",
        _timeout=300,
    )
    assert ret.returncode == 0, ret
    assert ret.data == {"old": None, "new": "1.0.0"}
    assert [p.name for p in dist_info(nova_python)] == ["nova_docker-1.0.0.dist-info"]
    assert node.call("novadocker_driver.version", nova_python).data == "1.0.0"
    assert node.call("novadocker_driver.importable", nova_python).data[0] is True
    check = node.call("novadocker_driver.check", nova_python, "version=1.0.0").data
    assert check["ok"] is True, check
    ret = node.call("novadocker_driver.remove", nova_python)
    assert ret.data == {"old": "1.0.0", "new": None}
    assert not driver_files_installed(nova_python)


@pytest.mark.slow
def test_salt_call_missing_interpreter(node, tmp_path):
    python = str(tmp_path / "no-nova" / "bin" / "python3")
    ret = node.call("novadocker_driver.version", python)
    assert ret.returncode != 0
    assert "does not exist" in str(ret.stdout) + str(ret.stderr)
