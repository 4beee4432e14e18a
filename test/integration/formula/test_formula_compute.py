"""
The compute role end to end, with every part real: salt-call --local state.apply novadocker on
a sandbox node, the driver archive (a pbr package built in the test) served over HTTP on
127.0.0.1 and pip-installed into a real virtualenv standing in for nova's, a real dockerd on a
private socket, a real system user joining the socket's group.
"""

import json
import os
import pathlib

import pytest

from testpaths import DATA
from fixtures.driver import dist_info, driver_files_installed

NOVA = "/etc/nova/nova.conf"
GLANCE = "/etc/glance/glance-api.conf"
FILTER = "/etc/nova/rootwrap.d/docker.filters"
SHIPPED_FILTER = """\
# nova-rootwrap command filters for setting up network in the docker driver
# This file should be owned by (and only-writeable by) the root user

[Filters]
# nova/virt/docker/driver.py: 'ln', '-sf', '/var/run/netns/.*'
ln: CommandFilter, /bin/ln, root
"""

pytestmark = pytest.mark.slow


@pytest.fixture
def compute(compute_node):
    return compute_node


def expected_nova_conf(host_url):
    original = (DATA / "nova.conf").read_text()
    old = "compute_driver=libvirt.LibvirtDriver\n"
    assert original.count(old) == 1
    # nova 34 loads drivers only from nova.virt: the formula's shim, and its spelling.
    switched = original.replace(old, "compute_driver=docker.DockerDriver\n")
    return switched + "\n[docker]\nhost_url = {}\n".format(host_url)


def failed(states):
    return {k: v["comment"] for k, v in states.items() if v["result"] is False}


def test_compute_node_end_to_end(compute):
    node = compute.node
    compute.pillar()
    ret, states = node.apply(extra=("--log-file-level=debug",))
    assert ret.returncode == 0, failed(states)

    # nova.conf: only compute_driver and the [docker] section changed; owner and mode stay.
    nova = node.path(NOVA)
    assert nova.read_text() == expected_nova_conf(compute.dockerd.url)
    st = nova.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, compute.nova_gid, 0o640)
    # The rootwrap filter exactly as the driver ships it, root 0644.
    filt = node.path(FILTER)
    assert filt.read_text() == SHIPPED_FILTER
    st = filt.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, 0, 0o644)
    # The driver is installed, at the pbr version pillar stamped, into nova's venv.
    assert [d.name for d in dist_info(compute.python)] == ["nova_docker-1.0.0.dist-info"]
    assert states["novadocker-compute-driver"]["changes"] == {"old": None, "new": "1.0.0"}
    # The nova user reaches the socket through its group, the socket mode is untouched.
    assert compute.user.in_socket_group()
    assert oct(os.stat(compute.dockerd.socket).st_mode & 0o777) == "0o660"
    # nova-compute restarted once, after the switch; glance-api left alone.
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]
    # Nothing secret in the output, the minion's log (at debug level for this run) or the
    # formula's records.
    records = "".join(p.read_text() for p in node.path("/var/lib/novadocker").iterdir())
    assert "libvirt.LibvirtDriver" in records  # the original value of a key it owns
    log = node.log_file.read_text()
    assert "[DEBUG   ]" in log and "Running state [{}]".format(node.path(NOVA)) in log
    for secret in ("S3cr%3Dt", "N0vaDBpass", "N0vaKSpass", "rabbit://", "mysql+pymysql"):
        assert secret not in ret.stdout
        assert secret not in records
        assert secret not in log
    # The glance side is not this role's business.
    assert node.path(GLANCE).read_bytes() == (DATA / "glance-api.conf").read_bytes()

    # The execution module's view agrees.
    assert node.call("novadocker.driver_version").data == "1.0.0"
    drv = node.call("novadocker.check_driver").data
    assert drv["ok"] is True and drv["version"] == "1.0.0", drv
    nova = node.call("novadocker.check_nova").data
    assert nova["ok"] is True and nova["loaded"] == "nova.virt.docker.DockerDriver", nova
    daemon = node.call("novadocker.validate_daemon").data
    assert daemon["ok"] is True and daemon["socket"]["user_access"] is True, daemon
    # novadocker.check agrees.
    report = node.call("novadocker.check").data
    assert report["ok"] is True, report["problems"]
    assert report["roles"] == ["compute"]
    assert report["driver"]["version"] == "1.0.0"
    assert report["daemon"]["pin_supported"] is True

    # ... and sees what breaks the rootwrap filter: writable by others, the rule gone.
    os.chmod(filt, 0o666)
    filt.write_text(SHIPPED_FILTER.replace("ln: CommandFilter", "# ln: CommandFilter"))
    report = node.call("novadocker.check").data
    assert report["ok"] is False
    assert report["rootwrap"]["problems"] == [
        f"{filt} must be owned by and only writable by root (uid 0, mode 0666)",
        f"{filt} lacks the driver's rule [Filters] ln: CommandFilter, /bin/ln, root",
    ]


def test_reports_compare_with_the_parameters_of_the_last_run(compute):
    """check, check_driver, validate_daemon and driver_version take the formula's parameters
    from the copy the last state run left in the minion cache (no file client to start), and
    from the file server when there is no copy."""
    node = compute.node
    compute.pillar()
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    cachedir = pathlib.Path(node.call("config.get", "cachedir").data)
    family = node.call("grains.get", "os_family").data
    kept = cachedir / "novadocker" / f"defaults.novadocker.base.{family}.json"
    assert json.loads(kept.read_text()) == node.call("novadocker.defaults").data
    assert kept.stat().st_mode & 0o777 == 0o600

    # A copy that wants another driver class: the report compares with it, not the files.
    data = json.loads(kept.read_text())
    data["compute"]["compute_driver"] = "other.virt.Driver"
    kept.write_text(json.dumps(data))
    report = node.call("novadocker.check").data
    assert report["ok"] is False
    assert report["nova_conf"]["ok"] is False
    assert any("other.virt.Driver" in p for p in report["nova_conf"]["problems"]), report

    # No copy: the file server is read (and the copy laid again).
    kept.unlink()
    report = node.call("novadocker.check").data
    assert report["ok"] is True, report["problems"]
    assert json.loads(kept.read_text()) == node.call("novadocker.defaults").data


def test_second_apply_downloads_nothing_changes_nothing_restarts_nothing(compute):
    node = compute.node
    compute.pillar()
    node.apply()
    before = node.path(NOVA).read_bytes()
    compute.http.clear()
    node.service_log.unlink()
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert {k: v["changes"] for k, v in states.items() if v["changes"]} == {}
    assert compute.http.paths() == []
    assert node.restarts() == []
    assert node.path(NOVA).read_bytes() == before


def test_upgrade_reports_old_and_new_versions_and_restarts(compute):
    node = compute.node
    compute.pillar()
    node.apply()
    node.service_log.unlink()
    compute.pillar(driver={"version": "1.1.0"})
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert states["novadocker-compute-driver"]["changes"] == {"old": "1.0.0", "new": "1.1.0"}
    assert not states["novadocker-compute-nova-conf"]["changes"]
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]


def test_an_upgrade_followed_by_a_failure_still_gets_its_restart(compute):
    """The driver is upgraded, then the daemon gate fails: nova-compute is not restarted in
    that run (nothing is switched), but the restart is owed, check says so, and the next
    successful run pays it, once."""
    node = compute.node
    compute.pillar()
    node.apply()
    node.service_log.unlink()
    marker = node.path("/var/lib/novadocker/compute-restart-owed.json")
    assert not marker.exists()

    gone = "unix://{}/no-dockerd.sock".format(node.root)
    compute.pillar(driver={"version": "1.1.0"}, compute={"docker": {"host_url": gone}})
    ret, states = node.apply()
    assert ret.returncode != 0
    assert states["novadocker-compute-driver"]["changes"] == {"old": "1.0.0", "new": "1.1.0"}
    assert states["novadocker-compute-daemon"]["result"] is False
    assert states["novadocker-compute-service-restart"]["result"] is False  # requisite failed
    assert node.restarts() == []
    owed = node.call("novadocker.restart_owed").data
    assert owed["reasons"] == ["nova-docker 1.0.0 -> 1.1.0"], owed
    assert marker.stat().st_mode & 0o777 == 0o600

    # An operator who restarts nova-compute themselves (service: false) is owed nothing.
    compute.pillar(driver={"version": "1.1.0"}, compute={"service": False})
    assert "compute_restart" not in node.call("novadocker.check").data

    compute.pillar(driver={"version": "1.1.0"})
    report = node.call("novadocker.check").data
    assert report["ok"] is False
    assert report["compute_restart"]["problems"] == [
        "nova-compute has not been restarted since {} (nova-docker 1.0.0 -> 1.1.0): apply "
        "novadocker or restart it".format(owed["since"])
    ]
    # test=True predicts the restart owed, and pays nothing.
    ret, states = node.apply(test=True)
    restart = states["novadocker-compute-service-restart"]
    assert restart["result"] is None, restart
    assert "nova-docker 1.0.0 -> 1.1.0" in restart["comment"]
    assert node.restarts() == [] and marker.exists()

    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert not states["novadocker-compute-driver"]["changes"]
    assert not states["novadocker-compute-nova-conf"]["changes"]
    restart = states["novadocker-compute-service-restart"]
    assert restart["changes"] == {
        "old": "restart owed: nova-docker 1.0.0 -> 1.1.0",
        "new": "nova-compute restarted",
    }
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]
    assert not marker.exists()
    assert node.call("novadocker.check").data["ok"] is True
    # Paid: the next run restarts nothing.
    node.service_log.unlink()
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert node.restarts() == []


def test_a_failed_restart_stays_owed_and_is_retried(compute):
    node = compute.node
    compute.pillar()
    ret, states = node.apply_failing_restart("nova-compute")
    restart = states["novadocker-compute-service-restart"]
    assert restart["result"] is False
    assert "Job for nova-compute.service failed (test)" in restart["comment"]
    assert "the next run retries it" in restart["comment"]
    assert node.restarts() == []
    owed = node.call("novadocker.restart_owed").data["reasons"]
    assert any(r.startswith("nova-docker none -> 1.0.0") for r in owed), owed
    assert any("[DEFAULT] compute_driver" in r for r in owed), owed

    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert {k for k, v in states.items() if v["changes"]} == {"novadocker-compute-service-restart"}
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]
    assert node.call("novadocker.restart_owed").data is None


def test_dry_run_writes_nothing_and_predicts_the_changes(compute):
    node = compute.node
    compute.pillar()
    ret, states = node.apply(test=True)
    assert ret.returncode == 0, failed(states)
    assert states["novadocker-compute-driver"]["result"] is None
    assert states["novadocker-compute-driver"]["changes"] == {"old": None, "new": "1.0.0"}
    conf = states["novadocker-compute-nova-conf"]
    assert conf["result"] is None
    assert conf["changes"][str(node.path(NOVA))]["DEFAULT"]["compute_driver"] == {
        "old": "libvirt.LibvirtDriver",
        "new": "docker.DockerDriver",
    }
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert not node.path(FILTER).exists()
    assert not driver_files_installed(compute.python)
    assert not compute.user.in_socket_group()
    assert not node.path("/var/lib/novadocker").exists()
    assert compute.http.paths() == []
    assert node.restarts() == []


def test_clean_puts_the_node_back_byte_for_byte(compute):
    node = compute.node
    compute.pillar()
    node.apply()
    node.service_log.unlink()
    ret, states = node.apply("novadocker.clean")
    assert ret.returncode == 0, failed(states)
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert oct(node.path(NOVA).stat().st_mode & 0o7777) == "0o640"
    assert not node.path(FILTER).exists()
    assert not driver_files_installed(compute.python)
    assert not compute.user.in_socket_group()
    assert [r[:2] for r in node.restarts()] == [["restart", "nova-compute"]]
    # A second clean has nothing left to do.
    node.service_log.unlink()
    ret, states = node.apply("novadocker.clean")
    assert {k: v["changes"] for k, v in states.items() if v["changes"]} == {}
    assert node.restarts() == []


def test_toggle_off_reverts_the_node_like_clean(compute):
    node = compute.node
    compute.pillar()
    node.apply()
    compute.pillar(compute={"enabled": False})
    ret, states = node.apply()
    assert ret.returncode == 0, failed(states)
    assert node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert not node.path(FILTER).exists()
    assert not driver_files_installed(compute.python)


def test_clean_keeps_what_the_operator_had_before(compute):
    """A filter the operator had already, and an operator edit made after the formula ran,
    both survive the clean."""
    node = compute.node
    node.path(FILTER).write_text(SHIPPED_FILTER)
    compute.pillar()
    node.apply()
    nova = node.path(NOVA)
    nova.write_text(nova.read_text().replace("log_dir=/var/log/nova", "log_dir=/srv/log/nova"))
    node.apply("novadocker.clean")
    assert node.path(FILTER).read_text() == SHIPPED_FILTER
    assert nova.read_text() == (DATA / "nova.conf").read_text().replace(
        "log_dir=/var/log/nova", "log_dir=/srv/log/nova"
    )
