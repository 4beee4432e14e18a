"""
The ``novadocker_conf`` states (``_states/novadocker_conf.py``): the formula's keys set in an
INI file, and the originals put back.

The state module and the execution module it calls (``_modules/novadocker_conf.py``, its
``__salt__``) are imported from their files and wired by pytest-salt-factories'
``configure_loader_modules`` (test/unit/conftest.py): both get the formula's real utils, and
``__opts__["test"]`` switches the state to test mode. Files are real, under tmp_path.
"""

import json
import os

import pytest
from confsamples import DRIVER, NOVA, SECRETS, SOCKET, read
from testpaths import formula_module

states = formula_module("states", "novadocker_conf")
conf = formula_module("modules", "novadocker_conf")


@pytest.fixture
def configure_loader_modules(loader_modules):
    return loader_modules(states, salt=(conf,))


@pytest.fixture
def test_mode(minion_opts):
    minion_opts["test"] = True
    yield minion_opts
    minion_opts["test"] = False


def test_state_options_test_mode_then_apply_then_idempotent(write, record, test_mode):
    path = write(NOVA)
    options = {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}
    ret = states.options(path, options, record=record)
    assert ret["result"] is None
    assert ret["changes"]["docker"] == {"host_url": {"old": None, "new": SOCKET}}
    assert read(path) == NOVA and not os.path.exists(record)
    test_mode["test"] = False
    ret = states.options(path, options, record=record)
    assert ret["result"] is True and ret["changes"]["DEFAULT"]["compute_driver"]["new"] == DRIVER
    ret = states.options(path, options, record=record)
    assert ret == {
        "name": path,
        "result": True,
        "changes": {},
        "comment": "{}: [DEFAULT] compute_driver, [docker] host_url already set".format(path),
    }


def test_state_missing_file_message(tmp_path):
    missing = str(tmp_path / "nova.conf")
    ret = states.options(
        missing,
        {"DEFAULT": {"compute_driver": DRIVER}},
        missing_message="nova.conf not found at {path}: is nova-compute installed?",
    )
    assert ret["result"] is False
    assert ret["comment"] == "nova.conf not found at {}: is nova-compute installed?".format(missing)
    assert states.options(missing, {"a": {"b": "c"}})["comment"] == missing + " not found"
    assert not os.path.exists(missing)
    ret = states.reverted(missing, str(tmp_path / "rec.json"))
    assert ret["result"] is True and "nothing to revert" in ret["comment"]


def test_state_returns_never_show_other_lines(write, record):
    path = write(NOVA)
    rets = [
        states.options(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record),
        states.options(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record),
        states.options(path, {"DEFAULT": {"bad key": "x"}}),
        states.reverted(path, record),
    ]
    text = json.dumps(rets)
    for secret in SECRETS:
        assert secret not in text
    assert rets[0]["result"] is True and rets[2]["result"] is False


# -- permissions (a child process that drops root: test/unit/conftest.py) ---------------------


def test_unwritable_directory_fails_with_the_os_error(nobodys_nova_conf, as_nobody):
    path = nobodys_nova_conf  # nobody may write the file, not the directory
    ok, ret = as_nobody(lambda: states.options(str(path), {"docker": {"host_url": SOCKET}}))
    assert ok and ret["result"] is False and "Permission denied" in ret["comment"]
    assert read(path) == NOVA
