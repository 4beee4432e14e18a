"""
Issue 12, item 7: the formula records only what it did, after it did it; a TOFS override that
does not resolve fails the pillar validation, before anything is written (in test mode too).

The operator's story of the issue: the rootwrap step failed (TOFS override not found), the
operator installed docker.filters by hand, turned the role off: clean must keep the
operator's file.
"""

import pytest

from .edge_helpers import FILTER, NOVA, STATE_DIR, failed, own_failures
from fixtures.driver import driver_files_installed
from testpaths import DATA

pytestmark = pytest.mark.slow

OPERATORS_FILTER = "# the operator's own filter\n[Filters]\nln: CommandFilter, /bin/ln, root\n"
TOFS = {"source_files": {"novadocker-compute-rootwrap-filter": ["no-such-docker.filters"]}}


def test_a_tofs_override_that_does_not_resolve_fails_before_any_write(compute_node):
    c = compute_node
    c.pillar(tofs=TOFS)
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        assert ret.returncode != 0
        valid = states["novadocker-pillar-valid"]
        assert valid["result"] is False, failed(states)
        assert "no-such-docker.filters" in valid["comment"]
        assert "novadocker:tofs" in valid["comment"]
        assert own_failures(states) == {"novadocker-pillar-valid"}
        assert not c.node.path(STATE_DIR + "/rootwrap.json").exists()
        assert not c.node.path(STATE_DIR + "/driver.json").exists()
        assert not driver_files_installed(c.python)
        assert not c.node.path(FILTER).exists()
        assert c.http.paths() == []

    # The operator puts the filter there by hand and turns the role off: clean keeps it.
    c.node.path(FILTER).write_text(OPERATORS_FILTER)
    c.pillar(tofs=TOFS, compute={"enabled": False})
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    assert c.node.path(FILTER).read_text() == OPERATORS_FILTER
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()


def test_the_rootwrap_record_says_created_only_once_the_filter_exists(compute_node):
    """A filter the formula created is recorded (and removed by clean); a filter the operator
    had is not recorded (and kept by clean)."""
    c = compute_node
    c.pillar()
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    record = c.node.path(STATE_DIR + "/rootwrap.json")
    assert '"created": true' in record.read_text()
    ret, states = c.node.apply("novadocker.clean")
    assert ret.returncode == 0, failed(states)
    assert not c.node.path(FILTER).exists() and not record.exists()

    c.node.path(FILTER).write_text(OPERATORS_FILTER)
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    assert not record.exists()
    ret, states = c.node.apply("novadocker.clean")
    assert c.node.path(FILTER).exists()
