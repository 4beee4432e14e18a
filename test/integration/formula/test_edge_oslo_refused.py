"""
Issue 12, item 11: a nova.conf (glance-api.conf) that oslo.config refuses is never edited:
the run fails before any change naming the line oslo.config refuses, in test mode too, and
``novadocker.check`` reports it. Whether oslo.config really refuses each file is settled by the
real oslo.config (the referee of test/fixtures/openstack.py); the full parity matrix of the
formula's reader and oslo.config is test/functional/utils/test_novadocker_ini_oslo.py.
"""

import pytest

from .edge_helpers import FILTER, GLANCE, NOVA, STATE_DIR, enable_role_without_gates
from fixtures.openstack import OsloConfigRefused, oslo_config_value
from testpaths import DATA

pytestmark = pytest.mark.slow

NOVA_TEXT = (DATA / "nova.conf").read_bytes()
GLANCE_TEXT = (DATA / "glance-api.conf").read_bytes()

CASES = [
    # (id, role, file, its bytes, the line number the failure names)
    ("nova-bom", "compute", NOVA, b"\xef\xbb\xbf" + NOVA_TEXT, 1),
    ("nova-key-before-section", "compute", NOVA, b"debug = true\n" + NOVA_TEXT, 1),
    (
        "nova-indented-key-after-header",
        "compute",
        NOVA,
        NOVA_TEXT.replace(b"[DEFAULT]\n", b"[DEFAULT]\n  compute_driver = x.Y\n", 1),
        None,
    ),
    ("glance-bom", "image", GLANCE, b"\xef\xbb\xbf" + GLANCE_TEXT, 1),
]

PRESENT = {
    "compute": "novadocker-compute-nova-conf-present",
    "image": "novadocker-image-glance-api-conf-present",
}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_file_oslo_refuses_is_never_edited(node, case):
    _id, role, conf, data, lineno = case
    if lineno is None:
        lineno = data.split(b"\n").index(b"  compute_driver = x.Y") + 1
    with pytest.raises(OsloConfigRefused):
        oslo_config_value(data, "DEFAULT", "debug")
    path = node.path(conf)
    path.write_bytes(data)
    enable_role_without_gates(node, role)
    for test_mode in (True, False):
        ret, states = node.apply(test=test_mode)
        assert ret.returncode != 0
        state = states[PRESENT[role]]
        assert state["result"] is False, state
        assert f"{path}: line {lineno}:" in state["comment"], state["comment"]
        assert "oslo.config" in state["comment"]
        assert path.read_bytes() == data
        assert not node.path(FILTER).exists()
        assert not node.path(STATE_DIR + "/nova.conf.json").exists()
        assert not node.path(STATE_DIR + "/glance-api.conf.json").exists()
        assert node.restarts() == []

    report = node.call("novadocker.check").data
    assert report["ok"] is False
    assert any(f"{path}: line {lineno}:" in p for p in report["problems"]), report["problems"]
