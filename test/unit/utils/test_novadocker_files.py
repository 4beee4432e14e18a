"""
The formula's file primitives (``_utils/novadocker_files.py``, imported directly), on real
files under tmp_path: the atomic write every config, record and marker goes through, the reader
that never opens a FIFO, the private JSON files.
"""

import os
import stat
import threading

import novadocker_files as files
import pytest


def test_atomic_write_keeps_mode_and_owner_and_gives_a_new_inode(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_bytes(b"old\n")
    os.chown(path, 1234, 4321)
    os.chmod(path, 0o640)
    before = os.stat(path)
    # setgid as well: the mode is applied after the chown, which would clear it.
    files.atomic_write(str(path), b"new\n", 0o2640, 1234, 4321)
    after = os.stat(path)
    assert path.read_bytes() == b"new\n"
    assert (stat.S_IMODE(after.st_mode), after.st_uid, after.st_gid) == (0o2640, 1234, 4321)
    assert after.st_ino != before.st_ino
    assert sorted(os.listdir(tmp_path)) == ["nova.conf"]


def test_the_temporary_file_is_hidden_and_carries_the_mark(tmp_path, monkeypatch):
    """The temporary file lives only between its creation and the rename: its name is seen by
    wrapping the real ``os.replace`` (which still does the rename)."""
    path = tmp_path / "docker.filters"
    path.write_bytes(b"old\n")
    renamed = []
    real_replace = os.replace

    def replace(src, dst):
        renamed.append((src, dst, sorted(os.listdir(tmp_path))))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    files.atomic_write(str(path), b"new\n", 0o644)
    ((src, dst, listing),) = renamed
    assert dst == str(path)
    assert os.path.dirname(src) == str(tmp_path)
    name = os.path.basename(src)
    assert files.temp_prefix(dst) == ".docker.filters.ndtmp."
    assert name.startswith(".docker.filters.ndtmp.") and len(name) > len(".docker.filters.ndtmp.")
    assert listing == sorted([name, "docker.filters"])
    assert sorted(os.listdir(tmp_path)) == ["docker.filters"]
    assert path.read_bytes() == b"new\n"


def test_the_temporary_file_is_removed_on_error(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_bytes(b"old\n")
    # Not bytes: writing the temporary file fails half-way through atomic_write.
    with pytest.raises(TypeError):
        files.atomic_write(str(path), "not bytes", 0o640)
    assert sorted(os.listdir(tmp_path)) == ["nova.conf"]
    assert path.read_bytes() == b"old\n"
    # A directory that does not exist: nothing is created anywhere.
    with pytest.raises(FileNotFoundError):
        files.atomic_write(str(tmp_path / "missing" / "x.json"), b"{}", 0o600)
    assert sorted(os.listdir(tmp_path)) == ["nova.conf"]


def test_remove_strays_removes_only_the_formulas_temporary_files(tmp_path):
    path = tmp_path / "nova.conf"
    for name in ("nova.conf", ".nova.conf.ndtmp.abc123", ".nova.conf.ndtmp.x", ".nova.conf.swp"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / ".glance-api.conf.ndtmp.zz").write_bytes(b"")
    removed = files.remove_strays(str(path))
    assert sorted(removed) == [".nova.conf.ndtmp.abc123", ".nova.conf.ndtmp.x"]
    assert sorted(os.listdir(tmp_path)) == [
        ".glance-api.conf.ndtmp.zz",
        ".nova.conf.swp",
        "nova.conf",
    ]
    assert files.remove_strays(str(path)) == []


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "nova.conf"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            outcome.append(files.read_regular(str(fifo)))
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    # Opening a FIFO for reading blocks until a writer comes: run it where a hang shows.
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "read_regular blocked on a FIFO"
    (error,) = outcome
    assert isinstance(error, files.NotRegularFile)
    assert str(fifo) + " is a FIFO (named pipe), not a regular file" in str(error)


def test_read_regular_refuses_a_directory_and_reports_a_missing_file(tmp_path):
    with pytest.raises(files.NotRegularFile, match="is a directory, not a regular file"):
        files.read_regular(str(tmp_path))
    with pytest.raises(FileNotFoundError):
        files.read_regular(str(tmp_path / "missing.conf"))


def test_read_regular_gives_the_real_path_of_a_symlink(tmp_path):
    target = tmp_path / "real.conf"
    target.write_bytes(b"[DEFAULT]\n")
    link = tmp_path / "link.conf"
    link.symlink_to(target)
    real, st, data = files.read_regular(str(link))
    assert (real, data) == (str(target), b"[DEFAULT]\n")
    assert st.st_ino == os.stat(target).st_ino


def test_private_json_is_0600_in_a_0700_directory(tmp_path):
    path = tmp_path / "state" / "driver.json"
    assert files.read_json(str(path)) is None
    files.write_private_json(str(path), {"python": "/usr/bin/python3", "previous_version": None})
    assert files.read_json(str(path)) == {"python": "/usr/bin/python3", "previous_version": None}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    path.write_text("{not json")
    with pytest.raises(ValueError):
        files.read_json(str(path))
