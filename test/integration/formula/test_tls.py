"""
Docker over TCP with TLS, exactly as the driver speaks it, end to end: ``salt-call --local
state.apply novadocker`` on a sandbox compute node (test/conftest.py ``compute_node``: the
driver archive over HTTP on 127.0.0.1, a real venv, the real nova user) against a real dockerd
started with ``--tlsverify --tlscacert --tlscert --tlskey -H tcp://127.0.0.1:<port>`` and
certificates made in the test (test/fixtures/dockerd_tls.py), laid out readable by the nova user
(test/fixtures/nova_tls.py).

The driver's client verifies the daemon only with ``api_insecure = True`` (the flag is
inverted); a node is switched only when what the gate proved is what nova-compute will see.
The only non-loopback address used is TEST-NET-1 (192.0.2.10), as a string the formula refuses
before any connection.
"""

import os
import stat

import pytest

from testpaths import DATA

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_requests_ca_env")]

NOVA = "/etc/nova/nova.conf"
DAEMON = "novadocker-compute-daemon"
SOCKET = "novadocker-compute-socket-access"
CONFIG = "novadocker-compute-nova-conf"


@pytest.fixture
def tls_node(compute_node, dockerd_tls, nova_tls):
    """The compute node with pillar helpers for the TLS daemon: ``tls_pillar(**docker_over,
    compute=..., **top)``."""
    c = compute_node

    def tls_pillar(compute=None, **over):
        docker_opts = nova_tls.options(dockerd_tls.url, **over)
        c.pillar(compute=dict({"docker": docker_opts}, **(compute or {})))
        return docker_opts

    c.tls_pillar = tls_pillar
    c.tls = nova_tls
    c.daemon = dockerd_tls
    return c


def failed(states):
    return {k: v["comment"] for k, v in states.items() if v["result"] is False}


def groups(c):
    return c.node.call("novadocker_daemon.user_groups", c.user.user).data


def assert_not_switched(c, ret, states):
    assert ret.returncode != 0
    assert states[DAEMON]["result"] is False, states[DAEMON]
    assert states[CONFIG]["result"] is False  # its requisite failed: not run
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert c.node.restarts() == []
    assert not c.user.in_socket_group()


def node_grain(formula_loader, c):
    """The grain as salt-call computes it on the node (from the node view its last state run
    kept)."""
    return c.node.call("grains.item", "novadocker").data["novadocker"]


def test_switched_over_verified_tls(tls_node, formula_loader):
    c = tls_node
    sdk = c.tls.sdk(c.daemon.url)
    versions = sdk.version()
    options = c.tls_pillar()
    before = groups(c)

    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    # The gate reached the daemon over TLS, verifying it against the CA.
    gate = states[DAEMON]["comment"]
    assert gate.startswith(
        f"Docker daemon at {c.daemon.url} is ready: server {versions['Version']}"
    )
    assert (
        f"over TLS (daemon verified against {c.tls.ca_file}, client certificate "
        f"{c.tls.cert_file})" in gate
    )
    # nova.conf switched with the TLS options, exactly those keys.
    text = c.node.path(NOVA).read_text()
    assert "compute_driver=docker.DockerDriver\n" in text
    section = text.split("\n[docker]\n", 1)[1]
    assert sorted(line.split(" = ", 1)[0] for line in section.splitlines() if line) == sorted(
        options
    )
    assert "api_insecure = True\n" in section
    # No group changed: a TCP daemon needs no socket group.
    assert groups(c) == before and not c.user.in_socket_group()
    assert states[SOCKET]["result"] is True and states[SOCKET]["changes"] == {}
    assert states[SOCKET]["comment"] == (
        f"the driver reaches the Docker daemon over TCP ({c.daemon.url}), not through a unix "
        f"socket: user {c.user.user} needs no group membership, nothing to do"
    )
    assert not c.node.path("/var/lib/novadocker/socket_access.json").exists()
    assert [r[:2] for r in c.node.restarts()] == [["restart", "nova-compute"]]

    # validate_daemon reports the daemon's versions, over TLS.
    report = c.node.call("novadocker.validate_daemon").data
    assert report["ok"] is True, report["problems"]
    assert report["server_version"] == versions["Version"]
    assert report["api_version"] == versions["ApiVersion"]
    assert report["tls"]["enabled"] is True and report["tls"]["verify"] is True
    # The grain (Salt's grains loader in this process, with the node's pillar: salt-call
    # computes grains before it compiles the pillar that names the sandbox root).
    grain = node_grain(formula_loader, c)
    assert grain["compute"] is True
    assert grain["docker_api_version"] == versions["ApiVersion"]
    assert grain["docker_version"] == versions["Version"]
    # check: all well, with the client certificate's expiry.
    check = c.node.call("novadocker.check").data
    assert check["ok"] is True, check["problems"]
    assert check["warnings"] == []
    assert check["daemon"]["tls"]["certificate"]["path"] == c.tls.cert_file
    assert check["daemon"]["tls"]["certificate"]["days_left"] > 300

    # A second run changes nothing, and clean undoes no group (there was none).
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    assert {k: v["changes"] for k, v in states.items() if v["changes"]} == {}
    ret, states = c.node.apply("novadocker.clean")
    assert ret.returncode == 0, failed(states)
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert states["novadocker-compute-clean-socket-access"]["changes"] == {}
    assert groups(c) == before


def test_dry_run_over_tls_predicts_and_writes_nothing(tls_node):
    c = tls_node
    c.tls_pillar()
    ret, states = c.node.apply(test=True)
    assert ret.returncode == 0, failed(states)
    assert states[DAEMON]["result"] is True
    assert "over TLS (daemon verified against" in states[DAEMON]["comment"]
    assert states[SOCKET]["result"] is True and states[SOCKET]["changes"] == {}
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert not c.user.in_socket_group()


def test_a_ca_that_did_not_sign_the_daemon(tls_node):
    c = tls_node
    c.tls_pillar(ca_file=c.tls.rogue_ca_file)
    ret, states = c.node.apply()
    assert_not_switched(c, ret, states)
    comment = states[DAEMON]["comment"]
    assert (
        f"certificate verification of the daemon at {c.daemon.url} failed: unable to get local "
        f"issuer certificate (against ca_file {c.tls.rogue_ca_file})" in comment
    )


@pytest.mark.parametrize("insecure", [False, None], ids=["false", "absent"])
def test_ca_file_without_api_insecure(tls_node, insecure):
    c = tls_node
    c.tls_pillar(api_insecure=insecure)
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        # test=True predicts the failure (result None), the real run fails.
        assert states[DAEMON]["result"] is (None if test_mode else False)
        comment = states[DAEMON]["comment"]
        assert "ca_file is set but api_insecure is not True" in comment
        assert "The flag is inverted" in comment
        assert "Set pillar compute:docker:api_insecure: true" in comment
        assert "compute:unsafe_unverified_tls: true" in comment
    assert_not_switched(c, ret, states)


def test_unverified_tls_accepted_by_pillar_switches_warns_and_check_lists_it(tls_node):
    c = tls_node
    c.tls_pillar(api_insecure=False, compute={"unsafe_unverified_tls": True})
    for _run in range(2):  # a warning on every run
        ret, states = c.node.apply()
        assert ret.returncode == 0, failed(states)
        gate = states[DAEMON]
        (warning,) = gate["warnings"]
        assert "ca_file is set but api_insecure is not True" in warning
        assert "\nWARNING: [docker] ca_file is set but api_insecure" in gate["comment"]
        assert "over TLS (daemon NOT verified, client certificate" in gate["comment"]
    text = c.node.path(NOVA).read_text()
    assert "compute_driver=docker.DockerDriver\n" in text
    assert "api_insecure = False\n" in text
    check = c.node.call("novadocker.check").data
    assert check["ok"] is False and check["daemon"]["ok"] is False
    (problem,) = check["problems"]
    assert problem.startswith("daemon: [docker] ca_file is set but api_insecure is not True")
    assert check["daemon"]["unsafe"] == [warning]


def test_a_client_certificate_the_daemon_refuses(tls_node):
    c = tls_node
    c.tls_pillar(cert_file=c.tls.rogue_cert_file, key_file=c.tls.rogue_key_file)
    ret, states = c.node.apply()
    assert_not_switched(c, ret, states)
    assert (
        f"the daemon at {c.daemon.url} refused the client certificate {c.tls.rogue_cert_file}"
        in states[DAEMON]["comment"]
    )


def test_a_key_readable_by_others_is_refused(tls_node):
    c = tls_node
    key = c.tls.copy(c.tls.key_file, "salt-call-key-0644.pem", 0o644)
    c.tls_pillar(key_file=key)
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        assert states[DAEMON]["result"] is (None if test_mode else False)
        assert (
            f"[docker] key_file {key} (client key) is readable by every local user"
            in states[DAEMON]["comment"]
        )
    assert_not_switched(c, ret, states)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o644  # checked, never changed


def test_plain_tcp_to_another_host_is_refused(compute_node):
    """tcp://192.0.2.10:2375 (TEST-NET-1, never reachable): refused before any connection."""
    c = compute_node
    url = "tcp://192.0.2.10:2375"
    c.pillar(compute={"docker": {"host_url": url}})
    ret, states = c.node.apply()
    assert_not_switched(c, ret, states)
    comment = states[DAEMON]["comment"]
    assert f"[docker] host_url {url} is plain TCP without TLS to 192.0.2.10, not this host" in (
        comment
    )
    assert "compute:unsafe_plain_tcp: true" in comment
    assert "not reachable" not in comment  # never asked
