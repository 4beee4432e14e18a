"""
The one Docker API client (``_utils/novadocker_docker.py``, imported directly) against real
HTTP servers on unix sockets made here: one that answers as a daemon does (``/version``, an
error status with the daemon's JSON message), one that accepts and never answers, one that
sends its headers and then hangs in the body. The client against a real dockerd is covered
through the daemon module (test/functional/modules/test_novadocker_daemon.py).
"""

import http.server
import json
import os
import shutil
import socket
import socketserver
import tempfile
import threading
import time

import novadocker_docker as docker
import pytest

VERSION = {"Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12"}
TOO_NEW = "client version 1.99 is too new. Maximum supported API version is 1.41"


class _Daemon(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path in ("/version", "/v1.19/version"):
            self._send(200, VERSION)
        elif self.path == "/v1.99/version":
            self._send(400, {"message": TOO_NEW})
        elif self.path == "/plain-error":
            body = b"page not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/hang-in-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"Version": ')
            self.wfile.flush()
            self.server.release.wait(30)
        else:
            self._send(404, {"message": "page not found"})

    def _send(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def socket_dir():
    # Short: a unix socket path is limited to 107 bytes (pytest's tmp_path can be longer).
    folder = tempfile.mkdtemp(prefix="nddock", dir="/tmp")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def daemon(socket_dir):
    """``unix://`` URL of an HTTP server answering as a Docker daemon does."""
    path = os.path.join(socket_dir, "docker.sock")
    server = _UnixServer(path, _Daemon)
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "unix://" + path
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def hung(socket_dir):
    """``unix://`` URL of a socket that accepts connections and never answers."""
    path = os.path.join(socket_dir, "hung.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    yield "unix://" + path
    server.close()


def test_version_and_probe_of_a_daemon(daemon):
    ep = docker.endpoint(daemon)
    assert (ep.scheme, ep.path, ep.tls) == ("unix", daemon[len("unix://") :], None)
    assert docker.version(ep, 5) == VERSION
    assert docker.version(ep, 5, pin="1.19") == VERSION
    assert docker.probe(daemon, 5) == {
        "reachable": True,
        "version": "20.10.24",
        "api_version": "1.41",
        "error": None,
    }
    assert docker.ask(daemon, "/version", 5) == {"ok": True, "data": VERSION}


def test_an_error_status_is_kind_http_with_the_daemons_message(daemon):
    with pytest.raises(docker.DockerError) as err:
        docker.version(docker.endpoint(daemon), 5, pin="1.99")
    assert (err.value.kind, err.value.status) == ("http", 400)
    assert str(err.value) == "400 " + TOO_NEW
    assert docker.ask(daemon, "/v1.99/version", 5) == {
        "ok": False,
        "kind": "http",
        "status": 400,
        "error": "400 " + TOO_NEW,
    }
    # Not JSON: the body's text is the message.
    with pytest.raises(docker.DockerError, match="^404 page not found$") as err:
        docker.get_json(docker.endpoint(daemon), "/plain-error", 5)
    assert err.value.kind == "http"


def test_a_hung_daemon_costs_only_the_budget(hung):
    started = time.monotonic()
    with pytest.raises(docker.DockerError) as err:
        docker.version(docker.endpoint(hung), 0.5)
    took = time.monotonic() - started
    assert err.value.kind == "timeout"
    assert str(err.value) == "no answer from {} within 0.5 s".format(hung)
    assert 0.4 <= took < 1.5, took
    started = time.monotonic()
    state = docker.probe(hung, 0.3)
    assert state["reachable"] is False and "within 0.3 s" in state["error"]
    assert time.monotonic() - started < 1.3


def test_a_daemon_hanging_in_the_body_costs_only_the_budget(daemon):
    started = time.monotonic()
    with pytest.raises(docker.DockerError) as err:
        docker.get_json(docker.endpoint(daemon), "/hang-in-body", 0.6)
    took = time.monotonic() - started
    assert err.value.kind == "timeout"
    assert 0.5 <= took < 1.6, took


def test_nothing_listening_is_unreachable_never_raised_by_probe(socket_dir):
    url = "unix://" + os.path.join(socket_dir, "missing.sock")
    with pytest.raises(docker.DockerError) as err:
        docker.version(docker.endpoint(url), 2)
    assert err.value.kind == "unreachable"
    assert docker.probe(url, 2) == {
        "reachable": False,
        "version": None,
        "api_version": None,
        "error": "No such file or directory",
    }
    ask = docker.ask(url, "/version", 2)
    assert (ask["ok"], ask["kind"], ask["status"]) == (False, "unreachable", None)


def test_endpoints_of_every_url_kind():
    tcp = docker.endpoint("tcp://127.0.0.1")
    assert (tcp.scheme, tcp.host, tcp.port, tcp.tls) == ("tcp", "127.0.0.1", 2375, None)
    assert docker.endpoint("http://dockerd:4243").port == 4243
    tls = docker.endpoint("https://dockerd")
    assert (tls.port, tls.tls) == (2376, docker.tls_settings(verify=True))
    relative = docker.endpoint("unix://var/run/docker.sock")
    assert relative.path == "/var/run/docker.sock"
    for bad, match in (
        ("/var/run/docker.sock", "is not a Docker URL"),
        ("ftp://dockerd", "only unix://, tcp://, http:// and https://"),
        ("tcp://", "names no host"),
        ("tcp://dockerd:port", "has a bad port"),
    ):
        with pytest.raises(docker.DockerError, match=match) as err:
            docker.endpoint(bad)
        assert err.value.kind == "protocol"
