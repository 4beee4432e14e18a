"""
Unit tests of the lossless INI editor (_modules/novadocker_conf.py) and of its states.

The module files are loaded straight from the repository with importlib; every call reads and
writes real files under pytest's tmp_path. Expected results are spelled out byte for byte from
the sample files, so any stray change to a line the formula does not own fails a test.
"""

import json
import logging
import os
import pathlib
import shutil
import stat
import struct
import sys
import tempfile

import pytest
from salt.exceptions import CommandExecutionError, SaltInvocationError

REPO = pathlib.Path(__file__).resolve().parents[3]
DATA = REPO / "test" / "data"
NOVA = (DATA / "nova.conf").read_bytes()
GLANCE = (DATA / "glance-api.conf").read_bytes()
EDGE = (DATA / "conf" / "edge.conf").read_bytes()
SECRETS = ("S3cr%3Dt", "N0vaDBpass", "N0vaKSpass")
DRIVER = "novadocker.virt.docker.DockerDriver"
SOCKET = "unix:///var/run/docker.sock"


conf = states = glance = glance_states = None


@pytest.fixture(autouse=True)
def _loaded(formula_loader):
    """The modules under test, through Salt's real loader (see test/conftest.py)."""
    global conf, states, glance, glance_states, OPTS
    conf = formula_loader.ns("novadocker_conf")
    glance = formula_loader.ns("novadocker_glance")
    states = formula_loader.ns("novadocker_conf", "states")
    glance_states = formula_loader.ns("novadocker_glance", "states")
    OPTS = formula_loader.test_opts
    OPTS["test"] = False
    yield
    OPTS["test"] = False


@pytest.fixture
def write(tmp_path):
    """Write bytes to a file under tmp_path (mode 0640) and return its path as str."""

    def _write(data, name="nova.conf"):
        path = tmp_path / "etc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o640)
        return str(path)

    return _write


@pytest.fixture
def record(tmp_path):
    return str(tmp_path / "state" / "revert" / "nova.conf.json")


def read(path):
    return pathlib.Path(path).read_bytes()


def replace_once(data, old, new):
    assert data.count(old) == 1, old
    return data.replace(old, new)


def test_public_functions_have_cli_examples():
    for fn in ("get", "get_all", "plan", "apply", "revert"):
        doc = getattr(conf, fn).__doc__
        assert "CLI Example:" in doc and "salt '*' novadocker_conf." + fn in doc, fn
    doc = glance.container_formats.__doc__
    assert "CLI Example:" in doc and "salt '*' novadocker_glance.container_formats" in doc


# -- reading ---------------------------------------------------------------------------------


def test_get_reads_what_oslo_reads_from_the_sample(write):
    path = write(NOVA)
    assert conf.get(path, "DEFAULT", "compute_driver") == "libvirt.LibvirtDriver"
    assert conf.get(path, "DEFAULT", "log_dir") == "/var/log/nova"
    assert conf.get(path, "DEFAULT", "transport_url") == (
        "rabbit://openstack:S3cr%3Dt@controller:5672/"
    )
    assert conf.get(path, "DEFAULT", "instances_path") == "$state_path/instances"
    assert conf.get(path, "vnc", "enabled") == "True"
    assert conf.get(path, "DEFAULT", "host_url") is None
    assert conf.get(path, "docker", "host_url") is None
    # The commented-out template is not a value.
    assert conf.get_all(path, "DEFAULT", "compute_driver") == ["libvirt.LibvirtDriver"]


def test_get_all_keeps_every_value_of_a_multi_valued_option(write):
    path = write(NOVA)
    values = conf.get_all(path, "pci", "passthrough_whitelist")
    assert values == [
        '{ "vendor_id": "8086", "product_id": "10fb" }',
        '{ "vendor_id": "8086", "product_id": "1520", "physical_network": "physnet2" }',
    ]
    assert conf.get(path, "pci", "passthrough_whitelist") == values[-1]
    assert conf.get_all(path, "pci", "alias") == []


def test_get_follows_oslo_syntax_on_the_edge_file(write):
    path = write(EDGE)
    # Colon syntax, the last of a repeated single-valued key, % kept as is.
    assert conf.get(path, "DEFAULT", "debug") == "false"
    assert conf.get(path, "DEFAULT", "compute_driver") == "second.Driver"
    assert conf.get_all(path, "DEFAULT", "compute_driver") == ["first.Driver", "second.Driver"]
    assert conf.get(path, "DEFAULT", "log_format") == "%(asctime)s %(levelname)s %(message)s"
    # Continuation lines (space or tab) are joined with line breaks; one pair of quotes goes.
    assert conf.get(path, "DEFAULT", "default_log_levels") == (
        "amqp=WARN,\nsqlalchemy=WARN,\noslo.messaging=INFO"
    )
    assert conf.get(path, "DEFAULT", "quoted") == "  padded  "
    # Section names other than DEFAULT are case-insensitive and merged, as oslo does.
    assert conf.get(path, "docker", "vif_driver") == (
        "novadocker.virt.docker.vifs.DockerGenericVIFDriver"
    )
    assert conf.get(path, "DOCKER", "snapshots_directory") == "/var/lib/nova/snap"
    assert conf.get(path, "default", "debug") is None


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


def test_absent_key_goes_after_its_commented_template(write):
    path = write(replace_once(NOVA, b"compute_driver=libvirt.LibvirtDriver\n", b""))
    conf.apply(path, {"DEFAULT": {"compute_driver": DRIVER}})
    assert read(path) == replace_once(
        NOVA,
        b"#compute_driver = <None>\ncompute_driver=libvirt.LibvirtDriver\n",
        b"#compute_driver = <None>\ncompute_driver = " + DRIVER.encode() + b"\n",
    )

    glance = write(GLANCE, "glance-api.conf")
    conf.apply(glance, {"image_format": {"container_formats": ["ami", "bare", "docker"]}})
    assert read(glance) == replace_once(
        GLANCE,
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n",
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n"
        b"container_formats = ami,bare,docker\n",
    )


def test_absent_key_goes_after_the_last_line_of_its_section(write):
    path = write(NOVA)
    conf.apply(
        path,
        {
            # The ";" comment before [glance] belongs to [glance], not to [database].
            "database": {"max_retries": 10},
            "glance": {"num_retries": 3},
            # Last section: appended after its last line.
            "vnc": {"novncproxy_host": "0.0.0.0"},
        },
    )
    expected = replace_once(
        NOVA,
        b"nova:N0vaDBpass@controller/nova\n\n; Semicolon",
        b"nova:N0vaDBpass@controller/nova\nmax_retries = 10\n\n; Semicolon",
    )
    expected = replace_once(
        expected,
        b"api_servers = http://controller:9292\n",
        b"api_servers = http://controller:9292\nnum_retries = 3\n",
    )
    expected += b"novncproxy_host = 0.0.0.0\n"
    assert read(path) == expected


def test_glance_sample_preserved_byte_for_byte(write):
    path = write(GLANCE, "glance-api.conf")
    conf.apply(path, {"DEFAULT": {"bind_port": 9393}, "paste_deploy": {"flavor": "keystone"}})
    assert read(path) == replace_once(GLANCE, b"bind_port = 9292\n", b"bind_port = 9393\n")


def test_repeated_owned_key_only_the_last_occurrence_changes(write):
    path = write(EDGE, "edge.conf")
    changes = conf.apply(path, {"DEFAULT": {"compute_driver": DRIVER}})
    assert changes == {"DEFAULT": {"compute_driver": {"old": "second.Driver", "new": DRIVER}}}
    assert read(path) == replace_once(
        EDGE, b"compute_driver = second.Driver\n", b"compute_driver = " + DRIVER.encode() + b"\n"
    )
    assert conf.get_all(path, "DEFAULT", "compute_driver") == ["first.Driver", DRIVER]


def test_edge_syntax_continuations_quotes_and_merged_sections(write, record):
    path = write(EDGE, "edge.conf")
    conf.apply(
        path,
        {
            "DEFAULT": {
                "debug": True,
                "default_log_levels": "amqp=WARN",
                # Surrounding blanks need quotes for oslo to read them back.
                "quoted": " x ",
            },
            # [Docker] and [docker] are one section for oslo: vif_driver is rewritten where it
            # is, host_url goes after the last non-blank line of the last [docker].
            "docker": {"vif_driver": "other.VIF", "host_url": SOCKET},
        },
        record=record,
    )
    expected = replace_once(EDGE, b"debug: false\n", b"debug: True\n")
    expected = replace_once(
        expected,
        b"default_log_levels = amqp=WARN,\n    sqlalchemy=WARN,\n\toslo.messaging=INFO\n",
        b"default_log_levels = amqp=WARN\n",
    )
    expected = replace_once(expected, b'quoted = "  padded  "   \n', b'quoted = " x "\n')
    expected = replace_once(
        expected,
        b"vif_driver=novadocker.virt.docker.vifs.DockerGenericVIFDriver\n",
        b"vif_driver=other.VIF\n",
    )
    expected = replace_once(
        expected,
        b"# trailing comment of [docker]\n",
        b"# trailing comment of [docker]\nhost_url = unix:///var/run/docker.sock\n",
    )
    assert read(path) == expected
    assert conf.get(path, "DEFAULT", "quoted") == " x "
    assert conf.get(path, "DEFAULT", "default_log_levels") == "amqp=WARN"
    # The record keeps the continuation lines exactly, and revert puts them back.
    kept = json.loads(pathlib.Path(record).read_text())["keys"]["DEFAULT"]["default_log_levels"]
    assert (
        kept["line"]
        == "default_log_levels = amqp=WARN,\n    sqlalchemy=WARN,\n\toslo.messaging=INFO"
    )
    conf.revert(path, record)
    assert read(path) == EDGE


def test_values_with_percent_equals_and_quotes_round_trip(write):
    path = write(NOVA)
    values = {
        "transport_url": "rabbit://u:p%3D@h:5672/?a=b",
        "quoted_value": '"already quoted"',
        "single": "'x'",
        "empty": "",
    }
    conf.apply(path, {"DEFAULT": values})
    for key, value in values.items():
        assert conf.get(path, "DEFAULT", key) == value
    assert conf.plan(path, {"DEFAULT": values}) == {}
    assert b"\nempty =\n" in read(path)


def test_crlf_file_keeps_crlf(write, record):
    crlf = NOVA.replace(b"\n", b"\r\n")
    path = write(crlf)
    conf.apply(
        path,
        {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}},
        record=record,
    )
    expected = replace_once(
        crlf,
        b"compute_driver=libvirt.LibvirtDriver\r\n",
        b"compute_driver=" + DRIVER.encode() + b"\r\n",
    )
    expected += b"\r\n[docker]\r\nhost_url = unix:///var/run/docker.sock\r\n"
    assert read(path) == expected
    assert b"\n" not in read(path).replace(b"\r\n", b"")
    conf.revert(path, record)
    assert read(path) == crlf


def test_file_without_final_newline(write, record):
    bare = GLANCE.rstrip(b"\n")
    assert not bare.endswith(b"\n")
    path = write(bare, "glance-api.conf")
    # Replacing the last line keeps the missing final newline.
    conf.apply(path, {"paste_deploy": {"flavor": "keystone+cachemanagement"}})
    assert read(path) == bare.replace(b"flavor = keystone", b"flavor = keystone+cachemanagement")
    path = write(bare, "glance-api.conf")
    # An absent section: the final newline is added first, then one blank line.
    conf.apply(path, {"glance_store": {"stores": "file"}, "docker": {"x": "1"}}, record=record)
    expected = replace_once(bare, b"stores = file,http\n", b"stores = file\n")
    assert read(path) == expected + b"\n\n[docker]\nx = 1\n"
    rec = json.loads(pathlib.Path(record).read_text())
    assert rec["final_newline"] == "\n"
    assert rec["sections"] == [{"name": "docker", "separator": "\n"}]
    conf.revert(path, record)
    assert read(path) == bare


def test_key_added_to_the_last_section_without_final_newline_reverts(write, record):
    bare = GLANCE.rstrip(b"\n")
    path = write(bare, "glance-api.conf")
    conf.apply(path, {"paste_deploy": {"config_file": "/etc/glance/paste.ini"}}, record=record)
    assert read(path) == bare + b"\nconfig_file = /etc/glance/paste.ini\n"
    conf.revert(path, record)
    assert read(path) == bare


def test_empty_file_gets_the_section(write, record):
    path = write(b"")
    conf.apply(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record)
    assert read(path) == b"[DEFAULT]\ncompute_driver = " + DRIVER.encode() + b"\n"
    conf.revert(path, record)
    assert read(path) == b""


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


def test_revert_keeps_an_unrelated_operator_edit(write, record):
    path = write(NOVA)
    conf.apply(
        path,
        {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}},
        record=record,
    )
    # The operator changes another line in between.
    edited = replace_once(read(path), b"my_ip = 192.0.2.21\n", b"my_ip = 192.0.2.99\n")
    pathlib.Path(path).write_bytes(edited)
    conf.apply(path, {"DEFAULT": {"compute_driver": "again.Driver"}}, record=record)
    conf.revert(path, record)
    assert read(path) == replace_once(NOVA, b"my_ip = 192.0.2.21\n", b"my_ip = 192.0.2.99\n")


def test_revert_keeps_a_created_section_the_operator_added_to(write, record):
    path = write(NOVA)
    conf.apply(path, {"docker": {"host_url": SOCKET}}, record=record)
    pathlib.Path(path).write_bytes(read(path) + b"# operator note\n")
    conf.revert(path, record)
    assert read(path) == NOVA + b"\n[docker]\n# operator note\n"


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


# -- container_formats -----------------------------------------------------------------------

MITAKA = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker"]


def test_container_formats_from_image_format(write):
    path = write(
        replace_once(
            GLANCE,
            b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n",
            b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n"
            b"container_formats = bare, ovf\n",
        ),
        "glance-api.conf",
    )
    before = read(path)
    info = glance.container_formats(path, ["docker", "dockerref"], default_formats=MITAKA)
    assert info == {
        "section": "image_format",
        "old": ["bare", "ovf"],
        "new": ["bare", "ovf", "docker", "dockerref"],
        "source": "image_format",
    }
    assert read(path) == before


def test_container_formats_from_the_deprecated_default_alias(write):
    path = write(
        replace_once(GLANCE, b"bind_port = 9292\n", b"bind_port = 9292\ncontainer_formats=bare\n"),
        "glance-api.conf",
    )
    info = glance.container_formats(path, "docker,dockerref", default_formats=MITAKA)
    assert info == {
        "section": "image_format",
        "old": ["bare"],
        "new": ["bare", "docker", "dockerref"],
        "source": "DEFAULT",
    }
    # Glance before icehouse reads [DEFAULT] only.
    info = glance.container_formats(path, ["docker"], section="DEFAULT", default_formats=MITAKA)
    assert (info["source"], info["new"]) == ("DEFAULT", ["bare", "docker"])


def test_container_formats_from_the_release_default(write):
    path = write(GLANCE, "glance-api.conf")
    info = glance.container_formats(path, ["docker", "dockerref"], default_formats=MITAKA)
    assert info == {
        "section": "image_format",
        "old": MITAKA,
        "new": MITAKA + ["dockerref"],
        "source": "default",
    }
    info = glance.container_formats(path, ["docker"])
    assert (info["old"], info["new"], info["source"]) == ([], ["docker"], "default")


def test_container_formats_already_present(write):
    path = write(GLANCE, "glance-api.conf")
    info = glance.container_formats(path, ["docker", "bare"], default_formats=MITAKA)
    assert info["new"] == info["old"] == MITAKA


# -- states ----------------------------------------------------------------------------------


@pytest.fixture
def test_mode():
    OPTS["test"] = True
    yield
    OPTS["test"] = False


def test_state_options_test_mode_then_apply_then_idempotent(write, record, test_mode):
    path = write(NOVA)
    options = {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}
    ret = states.options(path, options, record=record)
    assert ret["result"] is None
    assert ret["changes"]["docker"] == {"host_url": {"old": None, "new": SOCKET}}
    assert read(path) == NOVA and not os.path.exists(record)
    OPTS["test"] = False
    ret = states.options(path, options, record=record)
    assert ret["result"] is True and ret["changes"]["DEFAULT"]["compute_driver"]["new"] == DRIVER
    ret = states.options(path, options, record=record)
    assert ret == {
        "name": path,
        "result": True,
        "changes": {},
        "comment": "{}: [DEFAULT] compute_driver, [docker] host_url already set".format(path),
    }


def test_state_missing_file_message(tmp_path):
    missing = str(tmp_path / "nova.conf")
    ret = states.options(
        missing,
        {"DEFAULT": {"compute_driver": DRIVER}},
        missing_message="nova.conf not found at {path}: is nova-compute installed?",
    )
    assert ret["result"] is False
    assert ret["comment"] == "nova.conf not found at {}: is nova-compute installed?".format(missing)
    assert states.options(missing, {"a": {"b": "c"}})["comment"] == missing + " not found"
    assert not os.path.exists(missing)
    ret = states.reverted(missing, str(tmp_path / "rec.json"))
    assert ret["result"] is True and "nothing to revert" in ret["comment"]


def test_state_container_formats_and_reverted(write, record):
    path = write(GLANCE, "glance-api.conf")
    ret = glance_states.container_formats(
        path, ["docker", "dockerref"], default_formats=MITAKA, record=record
    )
    assert ret["result"] is True
    assert ret["changes"] == {
        "image_format": {"container_formats": {"old": MITAKA, "new": MITAKA + ["dockerref"]}}
    }
    assert conf.get(path, "image_format", "container_formats") == ",".join(MITAKA + ["dockerref"])
    again = glance_states.container_formats(path, ["docker", "dockerref"], default_formats=MITAKA)
    assert again["result"] is True and again["changes"] == {}
    ret = states.reverted(path, record)
    assert ret["result"] is True
    assert ret["changes"] == {
        "image_format": {
            "container_formats": {"old": ",".join(MITAKA + ["dockerref"]), "new": None}
        }
    }
    assert read(path) == GLANCE
    ret = states.reverted(path, record)
    assert ret["result"] is True and ret["changes"] == {}
    assert "nothing to revert" in ret["comment"]


def test_state_returns_never_show_other_lines(write, record):
    path = write(NOVA)
    rets = [
        states.options(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record),
        states.options(path, {"DEFAULT": {"compute_driver": DRIVER}}, record=record),
        states.options(path, {"DEFAULT": {"bad key": "x"}}),
        states.reverted(path, record),
    ]
    text = json.dumps(rets)
    for secret in SECRETS:
        assert secret not in text
    assert rets[0]["result"] is True and rets[2]["result"] is False


# -- permissions (a child process that drops root) --------------------------------------------


def _as_nobody(func):
    """Run ``func()`` in a forked child as nobody; return ``(ok, result or error text)``."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(rfd)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out = {"ok": True, "value": func()}
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            out = {"ok": False, "value": "{}: {}".format(type(exc).__name__, exc)}
        os.write(wfd, json.dumps(out).encode())
        os._exit(0)
    os.close(wfd)
    chunks = []
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(rfd)
    os.waitpid(pid, 0)
    out = json.loads(b"".join(chunks))
    return out["ok"], out["value"]


@pytest.fixture
def shared_dir():
    """A directory nobody can reach (pytest's tmp_path is 0700 root)."""
    if os.geteuid() != 0 or sys.platform != "linux":
        pytest.skip("needs root to drop privileges")
    path = tempfile.mkdtemp(prefix="novadocker-conf-")
    os.chmod(path, 0o755)
    yield pathlib.Path(path)
    shutil.rmtree(path)


def test_unwritable_directory_fails_with_the_os_error(shared_dir):
    etc = shared_dir / "etc"
    etc.mkdir(mode=0o755)
    path = etc / "nova.conf"
    path.write_bytes(NOVA)
    os.chown(path, 65534, 65534)  # nobody may write the file, not the directory
    recdir = shared_dir / "state"
    recdir.mkdir(mode=0o755)
    os.chown(recdir, 65534, 65534)
    rec = str(recdir / "nova.conf.json")
    ok, err = _as_nobody(
        lambda: conf.apply(str(path), {"docker": {"host_url": SOCKET}}, record=rec)
    )
    assert not ok
    assert err.startswith("CommandExecutionError: cannot write {}".format(path))
    assert "Permission denied" in err
    assert read(path) == NOVA
    assert os.listdir(etc) == ["nova.conf"]
    # The record does not claim a change that was never written.
    assert not os.path.exists(rec)
    ok, ret = _as_nobody(lambda: states.options(str(path), {"docker": {"host_url": SOCKET}}))
    assert ok and ret["result"] is False and "Permission denied" in ret["comment"]
    assert read(path) == NOVA


def test_unwritable_file_is_not_replaced(shared_dir):
    etc = shared_dir / "etc"
    etc.mkdir(mode=0o755)
    os.chown(etc, 65534, 65534)  # nobody may write the directory, not the file
    path = etc / "nova.conf"
    path.write_bytes(NOVA)
    os.chmod(path, 0o644)
    ok, err = _as_nobody(lambda: conf.apply(str(path), {"docker": {"host_url": SOCKET}}))
    assert not ok and "Permission denied" in err
    assert read(path) == NOVA and os.stat(path).st_uid == 0
