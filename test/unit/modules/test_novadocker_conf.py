"""
The ``novadocker_conf`` execution module (``_modules/novadocker_conf.py``) on real files: the
lossless INI editor put together with the files it reads and writes.

The module is imported from its file and wired by pytest-salt-factories'
``configure_loader_modules`` (test/unit/conftest.py): its ``__utils__`` are the formula's real
utils. Every call reads and writes real files under pytest's tmp_path. Expected results are
spelled out byte for byte from the sample files, so any stray change to a line the formula does
not own fails a test. How a text is read and edited (oslo.config's rules, where a key goes,
continuation lines, CRLF, a missing final newline, revert on a text) is the util's part:
test/unit/utils/test_novadocker_ini.py.
"""

import json
import logging
import os
import pathlib
import stat
import struct

import pytest
from confsamples import DRIVER, GLANCE, NOVA, SECRETS, SOCKET, read, replace_once
from salt.exceptions import CommandExecutionError, SaltInvocationError
from testpaths import formula_module

conf = formula_module("modules", "novadocker_conf")


@pytest.fixture
def configure_loader_modules(loader_modules):
    return loader_modules(conf)


def test_public_functions_have_cli_examples():
    for fn in ("get", "get_all", "plan", "apply", "revert"):
        doc = getattr(conf, fn).__doc__
        assert "CLI Example:" in doc and "salt '*' novadocker_conf." + fn in doc, fn


# -- reading ---------------------------------------------------------------------------------


def test_missing_file_and_bad_arguments(tmp_path, write):
    missing = str(tmp_path / "nope.conf")
    with pytest.raises(CommandExecutionError, match="nope.conf not found"):
        conf.get(missing, "DEFAULT", "debug")
    with pytest.raises(CommandExecutionError, match="not found"):
        conf.apply(missing, {"DEFAULT": {"debug": True}})
    assert not os.path.exists(missing)
    with pytest.raises(CommandExecutionError, match="not a regular file"):
        conf.get(str(tmp_path), "DEFAULT", "debug")
    path = write(NOVA)
    for options, match in (
        ({"DEFAULT": {"bad key=": "x"}}, "not a valid oslo.config key"),
        ({"DEFAULT": {"#debug": "x"}}, "not a valid oslo.config key"),
        ({"DEFAULT": {"debug": None}}, "a value is required"),
        ({"DEFAULT": {"debug": "a\nb"}}, "line break"),
        ({"DEFAULT": {"debug": {"nested": 1}}}, "must be a string"),
        ({"DEFAULT": {"formats": ["a,b", "c"]}}, "holds a comma"),
        ({"[x]": {"debug": "x"}}, "brackets"),
        ({"DEFAULT": "debug"}, "must be a mapping"),
        (["DEFAULT"], "must be a mapping"),
    ):
        with pytest.raises(SaltInvocationError, match=match):
            conf.apply(path, options)
    assert read(path) == NOVA


# -- plan and apply --------------------------------------------------------------------------


def test_plan_reports_and_writes_nothing(write):
    path = write(NOVA)
    before = os.stat(path)
    changes = conf.plan(
        path,
        {
            "DEFAULT": {"compute_driver": DRIVER, "my_ip": "192.0.2.21"},
            "docker": {"host_url": SOCKET, "privileged": True, "api_port": 2375},
            "image": {"formats": ["docker", "dockerref"]},
        },
    )
    assert changes == {
        "DEFAULT": {"compute_driver": {"old": "libvirt.LibvirtDriver", "new": DRIVER}},
        "docker": {
            "host_url": {"old": None, "new": SOCKET},
            "privileged": {"old": None, "new": "True"},
            "api_port": {"old": None, "new": "2375"},
        },
        "image": {"formats": {"old": None, "new": "docker,dockerref"}},
    }
    after = os.stat(path)
    assert read(path) == NOVA
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert conf.plan(path, {"vnc": {"enabled": True}, "DEFAULT": {"use_neutron": "True"}}) == {}


def test_apply_on_the_nova_sample_changes_only_the_owned_keys(write):
    path = write(NOVA)
    changes = conf.apply(
        path,
        {
            "DEFAULT": {"compute_driver": DRIVER},
            "docker": {"host_url": SOCKET, "privileged": False},
        },
    )
    assert changes == {
        "DEFAULT": {"compute_driver": {"old": "libvirt.LibvirtDriver", "new": DRIVER}},
        "docker": {
            "host_url": {"old": None, "new": SOCKET},
            "privileged": {"old": None, "new": "False"},
        },
    }
    # The existing "key=value" line keeps its own spacing; the absent section comes last,
    # after one blank line.
    expected = replace_once(
        NOVA,
        b"compute_driver=libvirt.LibvirtDriver\n",
        b"compute_driver=" + DRIVER.encode() + b"\n",
    )
    expected += b"\n[docker]\nhost_url = unix:///var/run/docker.sock\nprivileged = False\n"
    assert read(path) == expected
    assert conf.get(path, "DEFAULT", "compute_driver") == DRIVER
    assert len(conf.get_all(path, "pci", "passthrough_whitelist")) == 2


def test_glance_sample_preserved_byte_for_byte(write):
    path = write(GLANCE, "glance-api.conf")
    conf.apply(path, {"DEFAULT": {"bind_port": 9393}, "paste_deploy": {"flavor": "keystone"}})
    assert read(path) == replace_once(GLANCE, b"bind_port = 9292\n", b"bind_port = 9393\n")


def test_mode_owner_and_group_are_kept(write, record):
    path = write(NOVA)
    os.chown(path, 1234, 1234)
    os.chmod(path, 0o640)
    conf.apply(path, {"docker": {"host_url": SOCKET}}, record=record)
    st = os.stat(path)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o640, 1234, 1234)
    # The record: directory 0700, file 0600.
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(record)).st_mode) == 0o700
    conf.revert(path, record)
    st = os.stat(path)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o640, 1234, 1234)
    assert read(path) == NOVA
    # No temporary file is left behind.
    assert sorted(os.listdir(os.path.dirname(path))) == ["nova.conf"]


def _posix_acl(entries):
    """A ``system.posix_acl_access`` value: version 2, then (tag, perm, id) per entry."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


def test_acl_selinux_style_and_user_extended_attributes_are_kept(write, record):
    """The atomic write gives the new file the old one's extended attributes: a POSIX ACL (an
    extra reader, as operators grant to a monitoring user) and user.* attributes here; the
    SELinux label (security.selinux) is one more attribute of the same kind."""
    path = write(NOVA)
    os.chown(path, 0, 1234)
    os.chmod(path, 0o640)
    undef = 0xFFFFFFFF
    os.setxattr(
        path,
        "system.posix_acl_access",
        _posix_acl(
            [
                (0x01, 6, undef),
                (0x02, 4, 4321),
                (0x04, 4, undef),
                (0x10, 4, undef),
                (0x20, 0, undef),
            ]
        ),
    )
    os.setxattr(path, "user.novadocker.test", b"kept")
    before = {n: os.getxattr(path, n) for n in os.listxattr(path)}
    assert set(before) == {"system.posix_acl_access", "user.novadocker.test"}

    conf.apply(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record)
    assert {n: os.getxattr(path, n) for n in os.listxattr(path)} == before
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    conf.revert(path, record)
    assert {n: os.getxattr(path, n) for n in os.listxattr(path)} == before
    assert read(path) == NOVA


def test_a_hard_link_is_separated_and_logged(write, tmp_path, caplog):
    path = write(NOVA)
    other = tmp_path / "nova.conf.hardlink"
    os.link(path, other)
    with caplog.at_level(logging.WARNING):
        conf.apply(path, {"DEFAULT": {"compute_driver": DRIVER}})
    assert conf.get(path, "DEFAULT", "compute_driver") == DRIVER
    assert other.read_bytes() == NOVA
    assert "has 2 hard links" in caplog.text


def test_symlinked_config_is_written_through(write, tmp_path):
    target = write(NOVA)
    link = tmp_path / "link.conf"
    link.symlink_to(target)
    conf.apply(str(link), {"docker": {"host_url": SOCKET}})
    assert link.is_symlink()
    assert conf.get(target, "docker", "host_url") == SOCKET


def test_second_apply_changes_nothing_and_writes_nothing(write, record):
    path = write(NOVA)
    options = {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}
    assert conf.apply(path, options, record=record)
    first = read(path)
    st = os.stat(path)
    rec = read(record)
    assert conf.apply(path, options, record=record) == {}
    after = os.stat(path)
    assert read(path) == first
    # Not rewritten at all: os.replace would give a new inode.
    assert (after.st_ino, after.st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert read(record) == rec


# -- revert records --------------------------------------------------------------------------


def test_record_holds_only_the_owned_keys_and_is_never_overwritten(write, record):
    path = write(NOVA)
    conf.apply(path, {"DEFAULT": {"compute_driver": "first.Driver"}}, record=record)
    conf.apply(
        path,
        {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}},
        record=record,
    )
    text = pathlib.Path(record).read_text()
    rec = json.loads(text)
    assert rec == {
        "version": 1,
        "path": path,
        "keys": {
            "DEFAULT": {
                "compute_driver": {
                    "present": True,
                    "line": "compute_driver=libvirt.LibvirtDriver",
                    "value": "libvirt.LibvirtDriver",
                }
            },
            "docker": {"host_url": {"present": False}},
        },
        "sections": [{"name": "docker", "separator": "\n"}],
        "final_newline": None,
    }
    for secret in SECRETS:
        assert secret not in text


def test_revert_is_byte_identical_after_two_applies(write, record):
    path = write(NOVA)
    conf.apply(
        path,
        {
            "DEFAULT": {"compute_driver": "first.Driver", "new_opt": 1},
            "docker": {"host_url": "tcp://127.0.0.1:2375"},
            "vnc": {"enabled": False},
        },
        record=record,
    )
    conf.apply(
        path,
        {
            "DEFAULT": {"compute_driver": DRIVER, "new_opt": 2},
            "docker": {"host_url": SOCKET, "privileged": True},
            "database": {"max_retries": -1},
        },
        record=record,
    )
    assert read(path) != NOVA
    changes = conf.revert(path, record)
    assert changes == {
        "DEFAULT": {
            "compute_driver": {"old": DRIVER, "new": "libvirt.LibvirtDriver"},
            "new_opt": {"old": "2", "new": None},
        },
        "docker": {
            "host_url": {"old": SOCKET, "new": None},
            "privileged": {"old": "True", "new": None},
        },
        "vnc": {"enabled": {"old": "False", "new": "True"}},
        "database": {"max_retries": {"old": "-1", "new": None}},
    }
    assert read(path) == NOVA
    assert not os.path.exists(record)
    # Nothing left to revert.
    assert conf.revert(path, record) == {}
    assert read(path) == NOVA


def test_revert_without_record_and_foreign_record(write, record, tmp_path):
    path = write(NOVA)
    assert conf.revert(path, record) == {}
    assert read(path) == NOVA
    conf.apply(path, {"docker": {"host_url": SOCKET}}, record=record)
    other = write(GLANCE, "glance-api.conf")
    with pytest.raises(CommandExecutionError, match="belongs to"):
        conf.apply(other, {"docker": {"host_url": SOCKET}}, record=record)
    with pytest.raises(CommandExecutionError, match="belongs to"):
        conf.revert(other, record)
    assert read(other) == GLANCE
    bad = tmp_path / "bad.json"
    bad.write_text("not json " + SECRETS[0])
    with pytest.raises(CommandExecutionError, match="is not valid JSON") as exc:
        conf.revert(path, str(bad))
    assert SECRETS[0] not in str(exc.value)


def test_revert_test_mode_writes_nothing(write, record):
    path = write(NOVA)
    conf.apply(path, {"docker": {"host_url": SOCKET}}, record=record)
    applied = read(path)
    changes = conf.revert(path, record, test=True)
    assert changes == {"docker": {"host_url": {"old": SOCKET, "new": None}}}
    assert read(path) == applied
    assert os.path.exists(record)


# -- permissions (a child process that drops root: test/unit/conftest.py) ---------------------


def test_unwritable_directory_fails_with_the_os_error(shared_dir, nobodys_nova_conf, as_nobody):
    path = nobodys_nova_conf  # nobody may write the file, not the directory
    etc = path.parent
    recdir = shared_dir / "state"
    recdir.mkdir(mode=0o755)
    os.chown(recdir, 65534, 65534)
    rec = str(recdir / "nova.conf.json")
    ok, err = as_nobody(lambda: conf.apply(str(path), {"docker": {"host_url": SOCKET}}, record=rec))
    assert not ok
    assert err.startswith("CommandExecutionError: cannot write {}".format(path))
    assert "Permission denied" in err
    assert read(path) == NOVA
    assert os.listdir(etc) == ["nova.conf"]
    # The record does not claim a change that was never written.
    assert not os.path.exists(rec)


def test_unwritable_file_is_not_replaced(shared_dir, as_nobody):
    etc = shared_dir / "etc"
    etc.mkdir(mode=0o755)
    os.chown(etc, 65534, 65534)  # nobody may write the directory, not the file
    path = etc / "nova.conf"
    path.write_bytes(NOVA)
    os.chmod(path, 0o644)
    ok, err = as_nobody(lambda: conf.apply(str(path), {"docker": {"host_url": SOCKET}}))
    assert not ok and "Permission denied" in err
    assert read(path) == NOVA and os.stat(path).st_uid == 0
