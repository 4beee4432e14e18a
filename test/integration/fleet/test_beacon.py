"""
Health events end to end: the ``novadocker_daemon`` beacon of a docker compute node watches a
real dockerd, the master sees ``down`` when the daemon is stopped and ``up`` when it is back
(each once: only transitions fire), and README's example reactor stops and starts that node's
nova-compute. A version change is shown with a stand-in daemon answering ``/version``.
"""

import http.server
import json
import os
import shutil
import socketserver
import tempfile
import threading
import time

import docker
import pytest

pytestmark = pytest.mark.slow

NODE = "compute-watch"
MASTER_ID = "nd-master"
DOWN = f"salt/beacon/{NODE}/novadocker_daemon/down"
UP = f"salt/beacon/{NODE}/novadocker_daemon/up"
FAKE_VERSION = f"salt/beacon/{NODE}/novadocker_daemon_fake/version"


class FakeDaemon:
    """An HTTP server on a unix socket answering ``GET /version`` like dockerd, with the
    ``Version``/``ApiVersion`` of :py:attr:`info` (change it to change the daemon)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ndfake", dir="/tmp")
        self.socket = os.path.join(self.dir, "docker.sock")
        self.url = "unix://" + self.socket
        self.info = {"Version": "24.0.7", "ApiVersion": "1.43", "MinAPIVersion": "1.12"}
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body = json.dumps(fake.info).encode()
                self.send_response(200 if self.path == "/version" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002
                pass

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

            def get_request(self):
                conn, _ = super().get_request()
                return conn, ("local", 0)

        self.server = Server(self.socket, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _switched_nova_conf(path, host_url):
    """Make the sandbox nova.conf a docker compute node's (as the formula leaves it)."""
    text = path.read_text()
    text = text.replace(
        "compute_driver=libvirt.LibvirtDriver", "compute_driver=novadocker.virt.docker.DockerDriver"
    )
    path.write_text(text + f"\n[docker]\nhost_url = {host_url}\n")


def _events(event_listener, tag, after):
    return list(event_listener.get_events([(MASTER_ID, tag)], after_time=after))


def _wait_for_calls(fleet, mid, expected, timeout=30):
    deadline = time.monotonic() + timeout
    while fleet.service_calls(mid) != expected:
        assert time.monotonic() < deadline, (fleet.service_calls(mid), expected)
        time.sleep(0.25)


def test_beacon_fires_on_transitions_and_the_reactor_acts(fleet, dockerd_private, event_listener):
    fake = FakeDaemon()
    try:
        fleet.fresh(NODE)
        _switched_nova_conf(fleet.path(NODE, "/etc/nova/nova.conf"), dockerd_private.url)
        versions = docker.DockerClient(base_url=dockerd_private.url, version="1.24").version()
        beacons = {
            # What README's pillar enables: the daemon is found in the node's nova.conf.
            "novadocker_daemon": [{"interval": 1}, {"timeout": 1}],
            # A second watch, of a stand-in daemon whose version the test changes.
            "novadocker_daemon_fake": [
                {"beacon_module": "novadocker_daemon"},
                {"interval": 1},
                {"host_url": fake.url},
            ],
        }
        with fleet.extra_minion(NODE, fleet.plain_pillar(NODE), beacons=beacons):
            start = time.time()
            # The beacon is the formula's: the minion gets it like any custom module.
            ret = fleet.salt(NODE, "saltutil.sync_all")
            assert ret.returncode == 0, ret
            assert "beacons.novadocker_daemon" in ret.data["beacons"], ret.data
            # The formula's first run (no role enabled: nothing changes) leaves its parameters
            # in the minion cache, where the beacon reads them (never the file server).
            ret = fleet.salt(NODE, "state.apply", "novadocker")
            assert ret.returncode == 0, ret
            ret = fleet.salt(NODE, "beacons.list", "return_yaml=False")
            assert set(ret.data) >= {"novadocker_daemon", "novadocker_daemon_fake"}, ret.data

            # The daemon is up: polls go on, and nothing fires.
            time.sleep(4)
            assert _events(event_listener, f"salt/beacon/{NODE}/*", start) == []

            # Stopped: one "down" on the master's bus, the reactor stops nova-compute.
            stopped = time.time()
            dockerd_private.stop()
            found = event_listener.wait_for_events(
                [(MASTER_ID, DOWN)], timeout=30, after_time=stopped
            )
            assert found.found_all_events, found
            (event,) = found.matches
            assert event.data["status"] == "down"
            assert event.data["id"] == NODE
            assert event.data["host_url"] == dockerd_private.url
            assert event.data["version"] == versions["Version"]
            assert event.data["api_version"] == versions["ApiVersion"]
            assert event.data["service"] == "nova-compute"
            assert event.data["error"]
            _wait_for_calls(fleet, NODE, [("stop", "nova-compute")])
            # More polls of the down daemon, across a reload of the beacons (a pillar refresh
            # makes new beacon modules: the last state survives in the minion's cachedir):
            # no second "down", no second stop.
            ret = fleet.salt(NODE, "saltutil.refresh_pillar", "wait=True")
            assert ret.data is True
            time.sleep(4)
            assert len(_events(event_listener, DOWN, stopped)) == 1
            assert fleet.service_calls(NODE) == [("stop", "nova-compute")]

            # Started again: one "up", the reactor starts nova-compute.
            restarted = time.time()
            dockerd_private.start()
            found = event_listener.wait_for_events(
                [(MASTER_ID, UP)], timeout=30, after_time=restarted
            )
            assert found.found_all_events, found
            (event,) = found.matches
            assert event.data["status"] == "up"
            assert event.data["version"] == versions["Version"]
            assert event.data["down_since"]
            _wait_for_calls(fleet, NODE, [("stop", "nova-compute"), ("start", "nova-compute")])
            time.sleep(3)
            assert len(_events(event_listener, UP, restarted)) == 1

            # A daemon upgrade: "version", with the old and new versions; the reactor leaves it.
            changed = time.time()
            fake.info = {"Version": "25.0.3", "ApiVersion": "1.44", "MinAPIVersion": "1.12"}
            found = event_listener.wait_for_events(
                [(MASTER_ID, FAKE_VERSION)], timeout=30, after_time=changed
            )
            assert found.found_all_events, found
            (event,) = found.matches
            assert event.data["status"] == "changed"
            assert (event.data["previous_version"], event.data["previous_api_version"]) == (
                "24.0.7",
                "1.43",
            )
            assert (event.data["version"], event.data["api_version"]) == ("25.0.3", "1.44")
            assert event.data["host_url"] == fake.url
            time.sleep(2)
            assert fleet.service_calls(NODE) == [
                ("stop", "nova-compute"),
                ("start", "nova-compute"),
            ]

    finally:
        fake.stop()
