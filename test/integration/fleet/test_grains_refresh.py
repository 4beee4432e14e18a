"""
Grains are right right after a state run, from the real master: a manual highstate that
switches a node, and a manual clean that puts it back, make ``salt -G 'novadocker:compute:True'``
find exactly the switched nodes with no ``saltutil.refresh_grains`` (the states that change what
the grain reports have the minion reload its grains and send them to the master).
"""

import time

import pytest

pytestmark = pytest.mark.slow

FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")
GRAIN = "novadocker:compute:True"


def _targeted(fleet, timeout=30):
    """``{minion: True}`` of ``salt -G novadocker:compute:True test.ping`` once it settles:
    asked again (never refreshed) until two answers in a row agree, within ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        ret = fleet.salt(GRAIN, "test.ping", tgt_type="grain", timeout=30)
        # No node matched: salt says so and exits non-zero.
        found = ret.data if isinstance(ret.data, dict) and ret.returncode == 0 else {}
        if found == last:
            return found
        last = found
        if time.monotonic() > deadline:
            return found
        time.sleep(1)


def _wait_for(fleet, expected, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        found = _targeted(fleet, timeout=5)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(1)


def test_grain_targeting_is_right_after_a_manual_highstate_and_a_manual_clean(fleet):
    fleet.fresh(*FLEET)
    pillars = {mid: fleet.plain_pillar(mid) for mid in FLEET}
    pillars["compute-1"] = fleet.docker_pillar("compute-1")
    fleet.set_pillars(pillars)
    ret = fleet.salt("*", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    ret = fleet.salt("*", "saltutil.refresh_grains")
    assert ret.returncode == 0, ret
    assert _wait_for(fleet, {}) == {}

    # A manual highstate switches compute-1: the grain follows, nobody refreshes it.
    ret = fleet.salt("*", "state.highstate", timeout=600)
    assert ret.returncode == 0, ret
    assert _wait_for(fleet, {"compute-1": True}) == {"compute-1": True}
    ret = fleet.salt("compute-1", "grains.get", "novadocker:driver_version")
    assert ret.data == "0.0.1.dev273"

    # A manual clean puts it back: the grain follows again.
    ret = fleet.salt("compute-1", "state.apply", "novadocker.clean", timeout=600)
    assert ret.returncode == 0, ret
    assert _wait_for(fleet, {}) == {}
    ret = fleet.salt("compute-1", "grains.get", "novadocker")
    assert ret.data["compute"] is False and ret.data["driver_version"] is None, ret.data
