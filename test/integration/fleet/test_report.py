"""
The fleet report from the real master (``salt-run novadocker.report``): one row a node the
rollout targets, with its role, whether it is switched, the driver version, the daemon's
versions, the restarts owed and its problems; a plain table by default, the data with
``--out=json``; a targeted node that does not answer is listed as such.
"""

import pathlib
import subprocess
import sys

import docker
import pytest

pytestmark = pytest.mark.slow

FLEET = ("compute-1", "compute-2", "compute-3", "compute-plain", "glance-1")
DEAD = "compute-gone"


def _salt_run(fleet, *args):
    """``salt-run`` as an operator types it (no ``--out``): its exit code and stdout."""
    proc = subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "salt-run"),
            f"--config-dir={fleet.master.config_dir}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc.returncode, proc.stdout


def test_report_one_row_a_node_as_a_table_and_as_json(fleet, dead_socket_url):
    fleet.fresh(*FLEET)
    # compute-2's daemon is not there: the gate holds it on libvirt.
    fleet.set_pillars(fleet.fleet_pillars(dead_socket_url))
    # compute-3's nova-compute does not come back from its restart: the restart stays owed.
    fail = fleet.service_log("compute-3").with_name("compute-3.log.fail")
    fail.write_text("nova-compute\n")
    try:
        ret = fleet.salt("*", "state.highstate", timeout=600)
    finally:
        fail.unlink()
    assert ret.returncode != 0  # compute-2 (gate) and compute-3 (restart) fail
    ret = fleet.salt_run("saltutil.sync_runners")
    assert ret.returncode == 0, ret
    api = docker.DockerClient(base_url=fleet.dockerd.url, version="1.24").version()

    with fleet.extra_minion(DEAD, {"novadocker": {"compute": {"enabled": True}}}) as minion:
        ret = fleet.salt(DEAD, "saltutil.refresh_pillar", "wait=True")
        assert ret.returncode == 0, ret
        minion.terminate()

        # The data (salt-factories runs salt-run --out=json).
        ret = fleet.salt_run("novadocker.report")
        data = ret.data
        assert data["ok"] is False
        assert data["not_responding"] == [DEAD]
        nodes = data["nodes"]
        # The rollout's targets: the nodes pillar enables, not the plain one.
        assert sorted(nodes) == ["compute-1", "compute-2", "compute-3", DEAD, "glance-1"]
        assert nodes["compute-1"] == {
            "answered": True,
            "role": ["compute"],
            "switched": True,
            # The fleet's nova is nova 34, which loads drivers only from nova.virt: the
            # formula's shim spelling (compute_driver = docker.DockerDriver).
            "compute_driver": "docker.DockerDriver",
            "driver": "0.0.1.dev273",
            "docker": api["Version"],
            "api": api["ApiVersion"],
            "restart_owed": [],
            "problems": [],
        }
        assert nodes["compute-2"]["switched"] is False
        assert nodes["compute-2"]["compute_driver"] == "libvirt.LibvirtDriver"
        assert nodes["compute-2"]["driver"] == "0.0.1.dev273"
        assert nodes["compute-2"]["docker"] is None
        assert any(str(fleet.dead_socket) in p for p in nodes["compute-2"]["problems"])
        assert nodes["compute-3"]["switched"] is True
        assert nodes["compute-3"]["restart_owed"] == ["nova-compute"]
        owed = nodes["compute-3"]["problems"]
        assert any("nova-compute has not been restarted" in p for p in owed), owed
        assert nodes["glance-1"]["role"] == ["image"] and nodes["glance-1"]["problems"] == []
        assert nodes[DEAD]["answered"] is False
        assert nodes[DEAD]["problems"] == ["did not answer"]

        # The table a person reads: salt-run with no --out (and --out=txt alike).
        for extra in ([], ["--out=txt"]):
            _code, out = _salt_run(fleet, "novadocker.report", *extra)
            lines = out.splitlines()
            assert lines[0].split() == [
                "NODE", "ROLE", "SWITCHED", "DRIVER", "DOCKER", "API", "RESTART", "OWED",
                "PROBLEMS",
            ], out  # fmt: skip
            rows = {line.split()[0]: line.split() for line in lines[1:6]}
            assert rows["compute-1"] == [
                "compute-1", "compute", "yes", "0.0.1.dev273", api["Version"], api["ApiVersion"],
                "-", "-",
            ], out  # fmt: skip
            assert rows["compute-2"][1:4] == ["compute", "no", "0.0.1.dev273"], out
            assert rows["compute-3"][1:3] == ["compute", "yes"], out
            assert rows["compute-3"][-2:] == ["nova-compute", "1"], out
            assert rows["glance-1"][1:3] == ["image", "no"], out
            assert rows[DEAD][1:] == ["did", "not", "answer"], out
            assert "Problems:" in lines
            problems = lines[lines.index("Problems:") + 1 :]
            assert any(p.strip().startswith("compute-2: daemon:") for p in problems), out
            assert any(p.strip().startswith("compute-3: compute_restart:") for p in problems), out
