"""
The ``novadocker_driver.installed`` / ``removed`` states through the real ``salt-call --local``.

The interpreter is a real venv (``nova_python``), the archives real pbr-packaged zips laid out
like git archives (``driver_archive``), served by a real HTTP server on 127.0.0.1
(``http_server``) that records every request.
"""

import json
import os
import shutil
import stat
import uuid

import pytest
from fixtures.driver import dist_info, driver_files_installed

NO_BUILD = ["--no-build-isolation", "--no-deps"]

pytestmark = pytest.mark.slow


def run_state(node, fun, name, test=False, **kwargs):
    """``state.single novadocker_driver.<fun>``; return the one state's return dict."""
    args = ["state.single", f"novadocker_driver.{fun}", f"name={name}"]
    for key, value in kwargs.items():
        if isinstance(value, (list, dict, bool)) or value is None:
            value = json.dumps(value)
        args.append(f"{key}={value}")
    if test:
        args.append("test=True")
    ret = node.call(*args, _timeout=600)
    assert isinstance(ret.data, dict) and len(ret.data) == 1, ret
    (state,) = ret.data.values()
    return state


def install(node, python, source, archive=None, version="1.0.0", **kwargs):
    kwargs.setdefault("pip_args", NO_BUILD)
    if archive is not None:
        kwargs.setdefault("source_hash", archive.source_hash)
    return run_state(node, "installed", python, source=source, version=version, **kwargs)


def stamp(python):
    (info,) = dist_info(python)
    return info.name, info.stat().st_mtime_ns


# -- install, no-op, upgrade --------------------------------------------------------------------


def test_install_from_http_then_noop(node, nova_python, driver_archive, http_server):
    archive = driver_archive("1.0.0")
    url = http_server.publish(archive)

    ret = install(node, nova_python, url, archive)
    assert ret["result"] is True, ret
    assert ret["changes"] == {"old": None, "new": "1.0.0"}
    assert http_server.paths() == ["/nova-docker-1.0.0.zip"]
    assert [p.name for p in dist_info(nova_python)] == ["nova_docker-1.0.0.dist-info"]
    assert node.call("novadocker_driver.importable", nova_python).data[0] is True

    before = stamp(nova_python)
    http_server.clear()
    again = install(node, nova_python, url, archive)
    assert again["result"] is True, again
    assert again["changes"] == {}
    assert "already installed" in again["comment"]
    assert http_server.requests == []  # nothing downloaded
    assert stamp(nova_python) == before  # pip did not run


def test_upgrade_reports_old_and_new(node, nova_python, driver_archive, http_server):
    old = driver_archive("1.0.0")
    ret = install(node, nova_python, old.url, old)
    assert ret["result"] is True and ret["changes"] == {"old": None, "new": "1.0.0"}, ret

    new = driver_archive("1.1.0")
    url = http_server.publish(new)
    ret = install(node, nova_python, url, new, version="1.1.0")
    assert ret["result"] is True, ret
    assert ret["changes"] == {"old": "1.0.0", "new": "1.1.0"}
    assert [p.name for p in dist_info(nova_python)] == ["nova_docker-1.1.0.dist-info"]
    assert node.call("novadocker_driver.version", nova_python).data == "1.1.0"


def test_test_mode_predicts_and_downloads_nothing(node, nova_python, driver_archive, http_server):
    archive = driver_archive("1.0.0")
    url = http_server.publish(archive)
    ret = install(node, nova_python, url, archive, test=True)
    assert ret["result"] is None, ret
    assert ret["changes"] == {"old": None, "new": "1.0.0"}
    assert http_server.requests == []
    assert not driver_files_installed(nova_python)

    install(node, nova_python, archive.url, archive)
    newer = driver_archive("1.1.0")
    url = http_server.publish(newer)
    ret = install(node, nova_python, url, newer, version="1.1.0", test=True)
    assert ret["result"] is None, ret
    assert ret["changes"] == {"old": "1.0.0", "new": "1.1.0"}
    assert http_server.requests == []
    assert [p.name for p in dist_info(nova_python)] == ["nova_docker-1.0.0.dist-info"]


def test_plain_path_source(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    ret = install(node, nova_python, str(archive.path), archive)
    assert ret["result"] is True and ret["changes"] == {"old": None, "new": "1.0.0"}, ret


def test_salt_source(node, nova_python, driver_archive):
    """salt:// through cp.cache_file: the archive goes into the node's file root (a temporary
    folder) for the length of the test."""
    folder = node.file_root / f"driver-test-{uuid.uuid4().hex}"
    try:
        archive = driver_archive("1.0.0", dest=folder)
        source = f"salt://{folder.name}/{archive.path.name}"
        ret = install(node, nova_python, source, archive)
        assert ret["result"] is True, ret
        assert ret["changes"] == {"old": None, "new": "1.0.0"}

        missing = install(node, nova_python, source + ".missing", archive, version="1.1.0")
        assert missing["result"] is False
        assert "Salt fileserver has no such file" in missing["comment"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- faults: each a clear failure, nothing installed ---------------------------------------------


def _fault(kind, driver_archive, http_server, unreachable_url, tmp_path):
    """``(source, source_hash, pip_args, python_override, expected comment fragments)``."""
    good = driver_archive("1.0.0")
    if kind == "404":
        url = http_server.url("nova-docker-missing.zip")
        return url, good.source_hash, NO_BUILD, None, [url, "HTTP 404"]
    if kind == "unreachable":
        return unreachable_url, good.source_hash, NO_BUILD, None, [unreachable_url, "refused"]
    if kind == "wrong_hash":
        other = driver_archive("1.0.0", filename="other.zip", requirements="pbr\n# changed\n")
        url = http_server.publish(good)
        return (
            url,
            other.source_hash,
            NO_BUILD,
            None,
            ["Hash mismatch", other.sha256, good.sha256, "nothing was installed"],
        )
    if kind == "not_a_zip":
        bad = driver_archive.not_a_zip()
        url = http_server.publish(bad)
        return url, bad.source_hash, NO_BUILD, None, ["HTML page, not a zip archive"]
    if kind == "truncated":
        bad = driver_archive.truncated()
        url = http_server.publish(bad)
        return url, bad.source_hash, NO_BUILD, None, ["truncated or damaged zip"]
    if kind == "no_package":
        bad = driver_archive.without_package()
        return (
            bad.url,
            bad.source_hash,
            NO_BUILD,
            None,
            ["is not a Python package", "no setup.py, setup.cfg or pyproject.toml"],
        )
    if kind == "setup_raises":
        bad = driver_archive.failing_setup()
        return (
            bad.url,
            bad.source_hash,
            NO_BUILD,
            None,
            ["pip could not install nova-docker 1.0.0", "setup.py of this test archive"],
        )
    if kind == "requirement_unsatisfiable":
        bad = driver_archive("1.0.0", requirements="pbr\nno-such-requirement-for-novadocker\n")
        return (
            bad.url,
            bad.source_hash,
            ["--no-build-isolation", "--no-index"],
            None,
            ["pip could not install", "no-such-requirement-for-novadocker"],
        )
    if kind == "missing_interpreter":
        python = str(tmp_path / "no-nova" / "bin" / "python3")
        return good.url, good.source_hash, NO_BUILD, python, [python, "does not exist"]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "404",
        "unreachable",
        "wrong_hash",
        "not_a_zip",
        "truncated",
        "no_package",
        "setup_raises",
        "requirement_unsatisfiable",
        "missing_interpreter",
    ],
)
def test_fault_is_clear_and_installs_nothing(
    node, nova_python, driver_archive, http_server, unreachable_url, tmp_path, kind
):
    source, source_hash, pip_args, python, fragments = _fault(
        kind, driver_archive, http_server, unreachable_url, tmp_path
    )
    ret = install(node, python or nova_python, source, source_hash=source_hash, pip_args=pip_args)
    assert ret["result"] is False, ret
    assert ret["changes"] == {}
    for fragment in fragments:
        assert fragment in ret["comment"], (fragment, ret["comment"])
    assert not driver_files_installed(nova_python)


# -- pillar gaps ----------------------------------------------------------------------------------


def test_empty_source_skipped_or_failed(node, nova_python):
    skipped = install(node, nova_python, "", source_hash="", skip_unready=True)
    assert skipped["result"] is True and skipped["changes"] == {}, skipped
    assert skipped["comment"].startswith("SKIPPED:")
    for key in ("novadocker:driver:source", "source_hash", "version"):
        assert key in skipped["comment"]

    failed = install(node, nova_python, "", source_hash="")
    assert failed["result"] is False
    assert "novadocker:driver:source" in failed["comment"]


def test_empty_source_is_fine_when_wanted_version_is_there(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    install(node, nova_python, archive.url, archive)
    ret = install(node, nova_python, "", source_hash="")
    assert ret["result"] is True and ret["changes"] == {}, ret


def test_empty_source_hash_fails_unless_unsafe(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    failed = install(node, nova_python, archive.url, source_hash="")
    assert failed["result"] is False
    assert "novadocker:driver:source_hash" in failed["comment"]
    assert "novadocker:driver:unsafe_skip_source_hash" in failed["comment"]
    assert not driver_files_installed(nova_python)

    unsafe = install(node, nova_python, archive.url, source_hash="", unsafe_skip_source_hash=True)
    assert unsafe["result"] is True, unsafe
    assert unsafe["changes"] == {"old": None, "new": "1.0.0"}
    assert "WARNING" in unsafe["comment"] and "unsafe_skip_source_hash" in unsafe["comment"]
    assert any("without checking its hash" in w for w in unsafe.get("warnings", [])), unsafe


def test_empty_version_fails(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    ret = install(node, nova_python, archive.url, archive, version="")
    assert ret["result"] is False
    assert "novadocker:driver:version" in ret["comment"]


# -- record and removed ---------------------------------------------------------------------------


def test_record_then_removed_uninstalls_what_the_formula_installed(
    node, nova_python, driver_archive, tmp_path
):
    record = tmp_path / "state" / "novadocker" / "driver.json"
    archive = driver_archive("1.0.0")
    ret = install(node, nova_python, archive.url, archive, record=str(record))
    assert ret["result"] is True, ret
    assert json.loads(record.read_text()) == {"python": nova_python, "previous_version": None}
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700

    newer = driver_archive("1.1.0")
    install(node, nova_python, newer.url, newer, version="1.1.0", record=str(record))
    assert json.loads(record.read_text())["previous_version"] is None  # kept as first written

    predicted = run_state(node, "removed", nova_python, record=str(record), test=True)
    assert predicted["result"] is None
    assert predicted["changes"]["old"] == "1.1.0" and predicted["changes"]["new"] is None
    assert record.exists() and driver_files_installed(nova_python)

    ret = run_state(node, "removed", nova_python, record=str(record))
    assert ret["result"] is True, ret
    assert ret["changes"]["old"] == "1.1.0" and ret["changes"]["new"] is None
    assert not driver_files_installed(nova_python)
    assert not record.exists()

    again = run_state(node, "removed", nova_python, record=str(record))
    assert again["result"] is True and again["changes"] == {}, again


def test_record_keeps_a_driver_that_was_there_before(node, nova_python, driver_archive, tmp_path):
    record = tmp_path / "state" / "driver.json"
    first = driver_archive("1.0.0")
    ret = node.call(
        "novadocker_driver.install",
        nova_python,
        first.url,
        f"source_hash={first.source_hash}",
        "version=1.0.0",
        f"pip_args={json.dumps(NO_BUILD)}",
        _timeout=300,
    )
    assert ret.data == {"old": None, "new": "1.0.0"}, ret

    newer = driver_archive("1.1.0")
    ret = install(node, nova_python, newer.url, newer, version="1.1.0", record=str(record))
    assert ret["changes"] == {"old": "1.0.0", "new": "1.1.0"}, ret
    assert json.loads(record.read_text()) == {"python": nova_python, "previous_version": "1.0.0"}

    ret = run_state(node, "removed", nova_python, record=str(record))
    assert ret["result"] is True, ret
    assert "was installed in" in ret["comment"] and "before the formula" in ret["comment"]
    assert "reinstall 1.0.0 by hand" in ret["comment"]
    assert "old" not in ret["changes"]
    assert [p.name for p in dist_info(nova_python)] == ["nova_docker-1.1.0.dist-info"]
    assert not record.exists()


def test_removed_without_record(node, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    install(node, nova_python, archive.url, archive)
    ret = run_state(node, "removed", nova_python)
    assert ret["result"] is True and ret["changes"] == {"old": "1.0.0", "new": None}, ret
    assert not driver_files_installed(nova_python)
    again = run_state(node, "removed", nova_python)
    assert again["result"] is True and again["changes"] == {}, again


def test_removed_missing_interpreter_is_nothing_to_do(node, tmp_path):
    python = str(tmp_path / "gone" / "bin" / "python3")
    ret = run_state(node, "removed", python)
    assert ret["result"] is True and ret["changes"] == {}, ret
    assert "does not exist" in ret["comment"]


def test_no_record_written_in_test_mode_or_noop(node, nova_python, driver_archive, tmp_path):
    record = tmp_path / "rec" / "driver.json"
    archive = driver_archive("1.0.0")
    install(node, nova_python, archive.url, archive, record=str(record), test=True)
    assert not record.exists() and not record.parent.exists()
    install(node, nova_python, archive.url, archive)
    install(node, nova_python, archive.url, archive, record=str(record))  # already there
    assert not os.path.exists(record)
