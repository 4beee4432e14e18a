"""
The ``novadocker_glance`` states (``_states/novadocker_glance.py``): the container formats
glance-api accepts.

The state modules and the execution modules they call (``novadocker_glance``,
``novadocker_conf``: their ``__salt__``) are imported from their files and wired by
pytest-salt-factories' ``configure_loader_modules`` (test/unit/conftest.py), every one with the
formula's real utils. glance-api.conf is a real file under tmp_path.
"""

import pytest
from confsamples import GLANCE, MITAKA, read
from testpaths import formula_module

glance_states = formula_module("states", "novadocker_glance")
states = formula_module("states", "novadocker_conf")
glance = formula_module("modules", "novadocker_glance")
conf = formula_module("modules", "novadocker_conf")


@pytest.fixture
def configure_loader_modules(loader_modules):
    return loader_modules(glance_states, states, salt=(glance, conf))


def test_state_container_formats_and_reverted(write, record):
    path = write(GLANCE, "glance-api.conf")
    ret = glance_states.container_formats(
        path, ["docker", "dockerref"], default_formats=MITAKA, record=record
    )
    assert ret["result"] is True
    assert ret["changes"] == {
        "image_format": {"container_formats": {"old": MITAKA, "new": MITAKA + ["dockerref"]}}
    }
    assert conf.get(path, "image_format", "container_formats") == ",".join(MITAKA + ["dockerref"])
    again = glance_states.container_formats(path, ["docker", "dockerref"], default_formats=MITAKA)
    assert again["result"] is True and again["changes"] == {}
    ret = states.reverted(path, record)
    assert ret["result"] is True
    assert ret["changes"] == {
        "image_format": {
            "container_formats": {"old": ",".join(MITAKA + ["dockerref"]), "new": None}
        }
    }
    assert read(path) == GLANCE
    ret = states.reverted(path, record)
    assert ret["result"] is True and ret["changes"] == {}
    assert "nothing to revert" in ret["comment"]
