"""
``_utils/novadocker_archive.py``: the source archive and the wheelhouse, checked without
downloading (test mode) and before unpacking (the real run): hashes, zip inspection, a HEAD
request against a real HTTP server on 127.0.0.1, the wheels of a folder.
"""

import hashlib
import http.server
import threading
import zipfile

import novadocker_archive as archive
import pytest
from salt.exceptions import CommandExecutionError, SaltInvocationError


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_parse_hash_forms_and_errors():
    digest = hashlib.sha256(b"x").hexdigest()
    assert archive.parse_hash(f"sha256={digest}") == ("sha256", digest)
    assert archive.parse_hash(f"SHA256:{digest.upper()}") == ("sha256", digest)
    assert archive.parse_hash(digest) == ("sha256", digest)
    with pytest.raises(SaltInvocationError, match="a sha256 digest has 64 hex digits"):
        archive.parse_hash("sha256=abc")
    with pytest.raises(SaltInvocationError, match="unknown hash type"):
        archive.parse_hash("crc32=" + "a" * 8)


def test_inspect_finds_the_package_top_without_unpacking(tmp_path):
    good = _zip(tmp_path / "g.zip", {"nova-docker-x/setup.py": "", "nova-docker-x/a/b.py": ""})
    assert archive.inspect(good, "src") == "nova-docker-x/"
    flat = _zip(tmp_path / "f.zip", {"setup.cfg": "", "novadocker/__init__.py": ""})
    assert archive.inspect(flat, "src") == ""
    # Nothing was unpacked.
    assert sorted(tmp_path.iterdir()) == sorted([good, flat])


@pytest.mark.parametrize(
    "files,content,match",
    [
        ({"docs/index.rst": ""}, None, "is not a Python package: no setup.py"),
        ({"x/setup.py": "", "../../evil": ""}, None, "outside the unpack directory"),
        (None, b"<!DOCTYPE html><html></html>", "is an HTML page, not a zip archive"),
        (None, b"\x1f\x8b\x08\x00", "is a gzip file"),
    ],
)
def test_inspect_refuses_what_is_not_a_driver_archive(tmp_path, files, content, match):
    path = tmp_path / "a.zip"
    if files is not None:
        _zip(path, files)
    else:
        path.write_bytes(content)
    with pytest.raises(CommandExecutionError, match=match):
        archive.inspect(path, "salt://x/a.zip")


def test_truncated_zip_is_named_as_such(tmp_path):
    good = _zip(tmp_path / "g.zip", {"p/setup.py": "x" * 5000})
    data = good.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandExecutionError, match="truncated or damaged"):
        archive.inspect(cut, "src")


def test_unpack_returns_the_top_directory(tmp_path):
    good = _zip(tmp_path / "g.zip", {"nd-1/setup.py": "print()", "nd-1/pkg/__init__.py": ""})
    top = archive.unpack(good, tmp_path / "out", "src")
    assert (tmp_path / "out" / "nd-1" / "setup.py").read_text() == "print()"
    assert top.rstrip("/") == str(tmp_path / "out" / "nd-1")


def test_local_path_and_wheels(tmp_path):
    assert archive.local_path("/srv/w") == "/srv/w"
    assert archive.local_path("file:///srv/w%20x") == "/srv/w x"
    assert archive.local_path("salt://w") is None
    with pytest.raises(SaltInvocationError, match="novadocker:driver:wheelhouse"):
        archive.local_path("file://host/srv", "novadocker:driver:wheelhouse")
    (tmp_path / "b-1-py3-none-any.whl").write_text("")
    (tmp_path / "a-1-py3-none-any.whl").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert archive.wheels(tmp_path) == ["a-1-py3-none-any.whl", "b-1-py3-none-any.whl"]
    assert archive.wheels(tmp_path / "missing") == []


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802 - http.server's naming
        code = {"/there.zip": 200, "/no-head.zip": 405}.get(self.path, 404)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_http_head_tells_without_downloading(server, unreachable_url):
    assert archive.http_head(server + "/there.zip") is None
    # A server that does not answer HEAD: nothing can be told, the real run will.
    assert archive.http_head(server + "/no-head.zip") is None
    missing = archive.http_head(server + "/missing.zip")
    assert "the server answered HTTP 404" in missing and "check the URL" in missing
    refused = archive.http_head(unreachable_url)
    assert refused.startswith(f"Could not download {unreachable_url}")
    assert "Is the host reachable" in refused
