"""
novadocker_download against real HTTP servers on 127.0.0.1 (issue 12, items 2 and 9): the
whole download is bounded, credentials go to the URL's host only and are never shown, and a
failed download leaves nothing under the target's name.
"""

import functools
import http.server
import os
import re
import threading
import time

import pytest

import novadocker_download as download
from fixtures.http_edges import (  # noqa: F401 (fixtures)
    PASSWORD,
    USER,
    auth_http_server,
    trickle_http_server,
)


class _Handler(http.server.BaseHTTPRequestHandler):
    def __init__(self, *args, routes, seen, **kwargs):
        self.routes, self.seen = routes, seen
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802
        self.seen.append((self.path, self.headers.get("Authorization")))
        status, headers, body = self.routes.get(self.path.split("?")[0], (404, {}, b""))
        self.send_response(status)
        headers = dict({"Content-Length": str(len(body))}, **headers)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def server():
    """A server whose answers a test sets in ``routes`` ({path: (status, headers, body)})."""
    routes, seen = {}, []
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, routes=routes, seen=seen)
    )
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    srv.routes, srv.seen = routes, seen
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


def test_credentials_from_pillar_reach_the_server(auth_http_server, tmp_path):  # noqa: F811
    (auth_http_server.root / "x.zip").write_bytes(b"PK-data")
    dest = tmp_path / "x.zip"
    url = auth_http_server.url("x.zip")
    assert download.fetch(url, str(dest), 10, username=USER, password=PASSWORD) == 7
    assert dest.read_bytes() == b"PK-data" and dest.stat().st_mode & 0o777 == 0o600
    with pytest.raises(Exception) as info:
        download.fetch(
            url, str(tmp_path / "y.zip"), 10, username=USER, password="wrong-" + PASSWORD
        )
    assert "HTTP 401" in str(info.value) and "sent user deploy" in str(info.value)
    assert PASSWORD not in str(info.value)
    assert not (tmp_path / "y.zip").exists()


def test_credentials_never_follow_a_redirect_to_another_host(server, tmp_path):
    # 127.0.0.1 and localhost are one server but two hosts for the client.
    other = server.url.replace("127.0.0.1", "localhost")
    server.routes["/x.zip"] = (302, {"Location": other + "/real.zip"}, b"")
    server.routes["/real.zip"] = (200, {}, b"PK-data")
    url = server.url.replace("//", "//deploy:S3cret@") + "/x.zip"
    download.fetch(url, str(tmp_path / "x.zip"), 10)
    assert server.seen[0][1] is not None  # the first host gets them
    assert server.seen[1] == ("/real.zip", None)


def test_errors_hide_userinfo_and_query_tokens(server, tmp_path, unreachable_url):
    url = server.url.replace("//", "//deploy:S3cret@") + "/missing.zip?private_token=T0ken"
    with pytest.raises(Exception) as info:
        download.fetch(url, str(tmp_path / "x.zip"), 10)
    message = str(info.value)
    assert "HTTP 404" in message and "S3cret" not in message and "T0ken" not in message
    assert "http://***@127.0.0.1:" in message and "private_token=***" in message
    refused = unreachable_url.replace("//", "//deploy:S3cret@")
    with pytest.raises(Exception) as info:
        download.fetch(refused, str(tmp_path / "x.zip"), 10)
    assert "S3cret" not in str(info.value) and "Connection refused" in str(info.value)


def test_a_short_body_is_refused_and_leaves_nothing(server, tmp_path):
    server.routes["/x.zip"] = (200, {"Content-Length": "100"}, b"PK-only-part")
    dest = tmp_path / "x.zip"
    dest.write_bytes(b"the previous copy")
    with pytest.raises(Exception) as info:
        download.fetch(server.url + "/x.zip", str(dest), 10)
    assert "12 of 100 bytes" in str(info.value)
    assert dest.read_bytes() == b"the previous copy"
    assert os.listdir(tmp_path) == ["x.zip"]


def test_a_trickle_is_cut_at_the_deadline(trickle_http_server, tmp_path):  # noqa: F811
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        download.fetch(trickle_http_server.url("x.zip"), str(tmp_path / "x.zip"), 3)
    assert 2.5 < time.monotonic() - started < 10
    assert "not complete after 3 s" in str(info.value)
    assert "novadocker:driver:download_timeout" in str(info.value)
    assert os.listdir(tmp_path) == []


def test_cache_names_hold_no_part_of_the_url():
    url = "https://u:S3cret@h/nova-docker.zip?private_token=T0ken"
    assert download.cache_name(url, "ab" * 32) == "nova-docker-" + "ab" * 32 + ".zip"
    assert re.fullmatch(r"nova-docker-unverified-[0-9a-f]{16}\.zip", download.cache_name(url))


def test_prepare_removes_what_a_killed_download_left(tmp_path):
    directory = tmp_path / "downloads"
    directory.mkdir()
    (directory / ".nova-docker-x.zip.ndtmp.abc123").write_bytes(b"partial")
    (directory / "nova-docker-x.zip").write_bytes(b"complete")
    removed = download.prepare(str(directory))
    assert [os.path.basename(p) for p in removed] == [".nova-docker-x.zip.ndtmp.abc123"]
    assert os.listdir(directory) == ["nova-docker-x.zip"]
