"""
The beacon before the first sync, on a real minion of the real master: with README's compute
pillar (the beacon enabled once the formula's grain is on the node) a fresh minion logs no
"Unable to process beacon novadocker_daemon" while the formula's modules are not synced yet,
and gets the beacon with its first ``saltutil.sync_all``. The same beacon put in pillar
unconditionally, as README used to, makes Salt log that line on every loop.
"""

import time

import pytest
from fixtures.readme import COMPUTE_PILLAR_MARK, readme_block

pytestmark = pytest.mark.slow

UNABLE = "Unable to process beacon novadocker_daemon"


def _beacons(fleet, mid):
    ret = fleet.salt(mid, "beacons.list", "return_yaml=False")
    assert ret.returncode == 0, ret
    return ret.data or {}


def _log_after(path, offset):
    with open(path, encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        return fh.read()


def test_readme_pillar_enables_the_beacon_only_once_its_module_is_synced(fleet):
    node = "beacon-1"
    with fleet.extra_minion(node, {}) as minion:
        log = minion.config["log_file"]
        # README's compute pillar as it is (Jinja), for this node.
        (fleet.pillar_dir / "nodes" / f"{node}.sls").write_text(readme_block(COMPUTE_PILLAR_MARK))
        ret = fleet.salt(node, "saltutil.refresh_pillar", "wait=True")
        assert ret.returncode == 0, ret
        time.sleep(4)  # loop_interval 1: several beacon loops
        assert "novadocker_daemon" not in _beacons(fleet, node)
        assert UNABLE not in _log_after(log, 0)

        # The first sync brings the grain and the beacon module, and refreshes the pillar.
        with open(log, "rb") as fh:
            mark = fh.seek(0, 2)
        ret = fleet.salt(node, "saltutil.sync_all")
        assert ret.returncode == 0, ret
        deadline = time.monotonic() + 30
        while "novadocker_daemon" not in _beacons(fleet, node):
            assert time.monotonic() < deadline, _beacons(fleet, node)
            time.sleep(1)
        time.sleep(4)
        assert UNABLE not in _log_after(log, mark)


def test_a_beacon_in_pillar_before_its_module_makes_salt_log_every_loop(fleet):
    """Salt's own behaviour, which README's pillar avoids."""
    node = "beacon-raw"  # short: 3006 puts the id in a unix socket path
    pillar = {"beacons": {"novadocker_daemon": [{"interval": 10}]}}
    with fleet.extra_minion(node, pillar) as minion:
        time.sleep(5)
        assert _log_after(minion.config["log_file"], 0).count(UNABLE) >= 2
