"""
Issue 12, item 9: a download that trickles ends. ``driver:download_timeout`` bounds the whole
download (default 300 s); the run fails saying so and changes nothing (no driver, no record,
no restart owed, nova.conf as it was, no partial file in the minion cache). The server is a
real HTTP server on 127.0.0.1 sending one byte per second.
"""

import time

import pytest

from .edge_helpers import NOVA, STATE_DIR, TEMP_MARK, cachedir
from fixtures.driver import driver_files_installed
from fixtures.http_edges import trickle_http_server  # noqa: F401 (fixture)
from testpaths import DATA

pytestmark = pytest.mark.slow


def test_a_trickling_download_fails_in_time_and_changes_nothing(
    compute_node,
    trickle_http_server,  # noqa: F811 (fixture)
):
    c = compute_node
    c.pillar(driver={"source": trickle_http_server.url("nova-docker.zip"), "download_timeout": 4})
    started = time.monotonic()
    # Without a bound the run would last TrickleHTTPServer.size seconds: give it 120.
    ret = c.node.cli.run("--local", "state.apply", "novadocker", _timeout=120)
    elapsed = time.monotonic() - started
    states = {v["__id__"]: v for v in ret.data.values()}
    assert ret.returncode != 0
    state = states["novadocker-compute-driver"]
    assert state["result"] is False
    assert "download_timeout" in state["comment"] and "4 s" in state["comment"], state["comment"]
    assert "novadocker:driver:download_timeout" in state["comment"]
    assert trickle_http_server.started, "the download never started"
    assert elapsed < 60, elapsed

    assert not driver_files_installed(c.python)
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    state_dir = c.node.path(STATE_DIR)
    assert not (state_dir / "driver.json").exists()
    assert not (state_dir / "compute-restart-owed.json").exists()
    assert [p for p in cachedir(c.node).rglob("*") if TEMP_MARK in p.name] == []
    assert [p for p in cachedir(c.node).rglob("*.part")] == []
    assert c.node.restarts() == []


def test_a_download_timeout_is_validated(node):
    """(Every bad value is in test/unit/utils/test_novadocker_schema_edges.py.)"""
    node.set_pillar({"novadocker": {"root": str(node.root), "driver": {"download_timeout": 0}}})
    ret, states = node.apply(test=True)
    comment = states["novadocker-pillar-valid"]["comment"]
    assert "novadocker:driver:download_timeout" in comment and "got 0" in comment, comment
