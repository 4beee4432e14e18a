"""
The ``novadocker_daemon`` execution module against a real dockerd (test/fixtures/dockerd.py),
loaded by Salt's real loader; users and groups are real (/etc/passwd, /etc/group).

Whether the nova user can really use the socket is cross-checked by connecting as that user
(``setpriv --init-groups``), independently of the module's own computation.
"""

import json
import os
import pathlib
import socket as socketlib
import pwd
import subprocess
import sys

import pytest
from salt.exceptions import SaltInvocationError


@pytest.fixture(scope="module")
def mod(formula_loader):
    """The real ``novadocker_daemon`` module, through Salt's loader (test/conftest.py)."""
    return formula_loader.ns("novadocker_daemon")


@pytest.fixture
def fresh_user(nova_user):
    """The session's nova user, out of the socket group before and after the test."""
    nova_user.reset()
    yield nova_user
    nova_user.reset()


def raw_version(socket_path):
    """GET /version straight from the socket, without the Docker SDK."""
    with socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM) as sock:
        sock.connect(socket_path)
        sock.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


_PROBE = """
import errno, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as exc:
    print(errno.errorcode.get(exc.errno, exc.errno))
    sys.exit(1)
s.sendall(b"GET /_ping HTTP/1.0\\r\\nHost: docker\\r\\n\\r\\n")
print(s.recv(4096).split(b"\\r\\n", 1)[0].decode())
"""


def ping_as(user, socket_path):
    """Connect to the daemon as ``user`` with its real groups (initgroups from /etc/group).

    Returns ``(exit code, first output line)``: ``(0, "HTTP/1.0 200 OK")`` or, refused,
    ``(1, "EACCES")``.
    """
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    proc = subprocess.run(
        ["setpriv", "--reuid", user, "--regid", str(pwd.getpwnam(user).pw_gid)]
        + ["--init-groups", python, "-I", "-c", _PROBE, socket_path],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return proc.returncode, (proc.stdout.strip() or proc.stderr.strip())


def group_line(group):
    for line in pathlib.Path("/etc/group").read_text().splitlines():
        if line.split(":", 1)[0] == group:
            return line
    return None


# -- a healthy daemon -------------------------------------------------------------------------
def test_healthy_daemon_is_ok(mod, dockerd, nova_user):
    truth = raw_version(dockerd.socket)
    report = mod.validate(dockerd.url, api_version="1.19")
    assert report["problems"] == []
    assert report["ok"] is True
    assert report["reachable"] is True
    assert report["host_url"] == dockerd.url
    assert report["server_version"] == truth["Version"]
    assert report["api_version"] == truth["ApiVersion"] == "1.41"
    assert report["min_api_version"] == truth["MinAPIVersion"] == "1.12"
    assert report["pinned_api_version"] == "1.19"
    assert report["pin_supported"] is True
    assert report["storage_driver"] == "vfs"
    sock = report["socket"]
    assert sock["path"] == dockerd.socket
    assert sock["exists"] is True and sock["is_socket"] is True
    assert (sock["owner"], sock["group"], sock["mode"]) == ("root", nova_user.socket_group, "0660")
    assert sock["world_writable"] is False
    assert sock["user"] is None and sock["user_access"] is None


def test_kilo_pin_1_13_is_supported(mod, dockerd):
    report = mod.validate(dockerd.url, api_version="1.13")
    assert report["ok"] is True, report["problems"]
    assert report["pinned_api_version"] == "1.13"
    assert report["pin_supported"] is True


def test_float_pin_from_a_command_line_is_read_back(mod, dockerd):
    # salt-call parses api_version=1.19 as a float
    assert mod.validate(dockerd.url, api_version=1.19)["pinned_api_version"] == "1.19"


def test_malformed_pin_is_an_argument_error(mod, dockerd):
    with pytest.raises(SaltInvocationError, match="MAJOR.MINOR"):
        mod.validate(dockerd.url, api_version="latest")


def test_no_pin_checks_the_daemon_only(mod, dockerd):
    report = mod.validate(dockerd.url, api_version="")
    assert report["ok"] is True
    assert report["pinned_api_version"] is None and report["pin_supported"] is None


@pytest.fixture
def requests_seen(monkeypatch):
    """Paths of the HTTP requests the formula's Docker client really sends (recorded, then sent
    as is)."""
    import http.client

    seen = []
    request = http.client.HTTPConnection.request

    def recording_request(self, method, url, *args, **kwargs):
        seen.append(url)
        return request(self, method, url, *args, **kwargs)

    monkeypatch.setattr(http.client.HTTPConnection, "request", recording_request)
    return seen


def test_healthy_pinned_daemon_costs_one_request(mod, dockerd, requests_seen):
    # The state gate's call: the pinned /version both proves the pin and carries the range.
    report = mod.validate(dockerd.url, api_version="1.19", info=False)
    assert report["ok"] is True, report["problems"]
    assert (report["min_api_version"], report["api_version"]) == ("1.12", "1.41")
    assert report["storage_driver"] is None
    assert requests_seen == ["/v1.19/version"]


def test_refused_pin_asks_the_range_once_more(mod, dockerd, requests_seen):
    report = mod.validate(dockerd.url, api_version="1.99", info=False)
    assert report["pin_supported"] is False
    assert requests_seen == ["/v1.99/version", "/version"]


# -- the API pin outside the daemon's range ----------------------------------------------------
def test_pin_above_the_daemon_range_fails(mod, dockerd):
    report = mod.validate(dockerd.url, api_version="1.99")
    assert report["reachable"] is True
    assert report["pin_supported"] is False
    assert report["ok"] is False
    (problem,) = report["problems"]
    assert problem.startswith(
        f"the driver pins Docker API 1.99, the daemon at {dockerd.url} speaks 1.12 to 1.41: "
    )
    # the daemon's own answer to /v1.99/version
    assert "400" in problem and "client version 1.99 is too new" in problem
    assert "upgrade Docker" in problem


def test_pin_below_the_daemon_range_fails_with_the_daemon_answer(mod, dockerd):
    report = mod.validate(dockerd.url, api_version="1.5")
    assert report["pin_supported"] is False
    assert report["ok"] is False
    (problem,) = report["problems"]
    assert "pins Docker API 1.5" in problem and dockerd.url in problem
    assert "400" in problem and "client version 1.5 is too old" in problem


# -- a stopped daemon --------------------------------------------------------------------------
def test_stopped_daemon_is_reported_never_raised(mod, dockerd_private):
    dockerd_private.stop()
    assert not dockerd_private.ping()
    report = mod.validate(dockerd_private.url, api_version="1.19")
    assert report["reachable"] is False
    assert report["ok"] is False
    assert report["pin_supported"] is None
    assert report["server_version"] is None and report["storage_driver"] is None
    assert len(report["problems"]) == 1
    assert report["problems"][0].startswith(
        f"Docker daemon is not reachable at unix://{dockerd_private.socket}: "
    )
    assert report["problems"][0].endswith("is dockerd running?")

    dockerd_private.start()
    report = mod.validate(dockerd_private.url, api_version="1.19")
    assert report["ok"] is True, report["problems"]


def test_nothing_listening_on_tcp(mod):
    report = mod.validate("tcp://127.0.0.1:1", api_version="1.19", timeout=2)
    assert report["reachable"] is False and report["ok"] is False
    assert report["socket"] is None
    assert "not reachable at tcp://127.0.0.1:1" in report["problems"][0]


# -- the nova user and the socket --------------------------------------------------------------
def test_user_outside_the_socket_group_cannot_use_it(mod, dockerd, fresh_user):
    user, group = fresh_user.user, fresh_user.socket_group
    assert mod.user_in_group(user, group) is False
    report = mod.validate(dockerd.url, api_version="1.19", user=user)
    assert report["ok"] is False
    assert report["socket"]["user_access"] is False
    assert report["socket"]["user_access_via"] is None
    assert report["problems"] == [
        f"user {user} cannot read and write {dockerd.socket} (root:{group} 0660): "
        f"add it to group {group}"
    ]
    # the truth: connecting as that user is refused
    assert ping_as(user, dockerd.socket) == (1, "EACCES")


def test_group_membership_gives_access_and_is_undone(mod, dockerd, fresh_user):
    user, group = fresh_user.user, fresh_user.socket_group
    res = mod.add_user_to_group(user, group)
    assert res["changed"] is True
    assert group not in res["groups"]["old"] and group in res["groups"]["new"]
    assert user in group_line(group).split(":")[3].split(",")
    assert mod.user_in_group(user, group) is True
    assert group in mod.user_groups(user)

    info = mod.socket_info(dockerd.socket, user=user)
    assert (info["user_access"], info["user_access_via"]) == (True, "group")
    assert info["problems"] == []
    assert mod.validate(dockerd.url, user=user)["ok"] is True
    assert ping_as(user, dockerd.socket) == (0, "HTTP/1.0 200 OK")

    assert mod.add_user_to_group(user, group)["changed"] is False

    res = mod.remove_user_from_group(user, group)
    assert res["changed"] is True and group not in res["groups"]["new"]
    assert user not in group_line(group).split(":")[3].split(",")
    assert mod.user_in_group(user, group) is False
    assert mod.remove_user_from_group(user, group)["changed"] is False


def test_unsearchable_socket_directory_blocks_the_user(mod, dockerd, fresh_user):
    user, group = fresh_user.user, fresh_user.socket_group
    mod.add_user_to_group(user, group)
    directory = os.path.dirname(dockerd.socket)
    os.chmod(directory, 0o700)
    try:
        info = mod.socket_info(dockerd.socket, user=user)
        assert info["user_access"] is False and info["blocked_by"] == directory
        assert info["problems"] == [
            f"user {user} cannot reach {dockerd.socket}: it cannot search directory {directory}"
        ]
        assert ping_as(user, dockerd.socket) == (1, "EACCES")
    finally:
        os.chmod(directory, 0o711)


def test_missing_user_is_a_problem(mod, dockerd):
    report = mod.validate(dockerd.url, user="ndtnosuchuser")
    assert report["ok"] is False
    assert report["socket"]["user_exists"] is False
    assert report["problems"][0].startswith(
        "user ndtnosuchuser does not exist: is nova-compute installed?"
    )
    assert mod.user_in_group("ndtnosuchuser", "root") is False
    assert mod.user_groups("ndtnosuchuser") is None


def test_world_writable_socket_is_always_a_problem(mod, dockerd, fresh_user):
    user = fresh_user.user
    os.chmod(dockerd.socket, 0o666)
    try:
        report = mod.validate(dockerd.url, api_version="1.19", user=user)
        sock = report["socket"]
        assert sock["mode"] == "0666" and sock["world_writable"] is True
        # the user gets in, through "other": that is exactly the problem
        assert (sock["user_access"], sock["user_access_via"]) == (True, "other")
        assert ping_as(user, dockerd.socket) == (0, "HTTP/1.0 200 OK")
        assert report["ok"] is False
        (problem,) = report["problems"]
        assert problem.startswith(f"Docker socket {dockerd.socket} is world-writable (root:")
        assert "every local user is root on this host" in problem
    finally:
        os.chmod(dockerd.socket, 0o660)
    assert mod.validate(dockerd.url)["ok"] is True


def test_socket_info_of_a_missing_path(mod, tmp_path):
    info = mod.socket_info(str(tmp_path / "docker.sock"))
    assert info["exists"] is False and info["mode"] is None
    assert "does not exist" in info["problems"][0]
