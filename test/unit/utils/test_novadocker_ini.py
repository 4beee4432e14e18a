"""
The one INI reader and lossless editor (``_utils/novadocker_ini.py``), on texts.

The util is imported directly; every case parses the bytes of a sample (test/data), reads
values as oslo.config reads them (``value``, ``Doc.values``), edits with ``edit`` (filling a
revert record as ``novadocker_conf.apply`` keeps it) and puts the originals back with
``revert``. Expected results are spelled out byte for byte from the sample files, so any stray
change to a line the formula does not own fails a test. Files (modes, owners, extended
attributes, links, the record on disk) are the execution module's part:
test/unit/modules/test_novadocker_conf.py.
"""

import novadocker_ini as ini
from confsamples import DRIVER, EDGE, GLANCE, NOVA, SOCKET, replace_once

PATH = "/etc/nova/nova.conf"


def get(data, section, key):
    """What oslo.config reads for ``key`` in ``section`` of the text ``data``."""
    return ini.value(ini.parse(data), section, key)


def get_all(data, section, key):
    return ini.parse(data).values(section, key)


def edit(data, options, rec=None):
    """``(changes, new bytes)``: ``options`` set in the text ``data`` (``rec``, a revert record,
    filled as the edit goes)."""
    doc = ini.parse(data)
    changes = ini.edit(doc, ini.normalize_options(options), rec)
    return changes, doc.render().encode("utf-8", "surrogateescape")


def revert(data, rec):
    """``(changes, new bytes)``: the originals of the record ``rec`` put back into ``data``."""
    doc = ini.parse(data)
    changes = ini.revert(doc, rec)
    return changes, doc.render().encode("utf-8", "surrogateescape")


# -- reading ---------------------------------------------------------------------------------


def test_get_reads_what_oslo_reads_from_the_sample():
    assert get(NOVA, "DEFAULT", "compute_driver") == "libvirt.LibvirtDriver"
    assert get(NOVA, "DEFAULT", "log_dir") == "/var/log/nova"
    assert get(NOVA, "DEFAULT", "transport_url") == ("rabbit://openstack:S3cr%3Dt@controller:5672/")
    assert get(NOVA, "DEFAULT", "instances_path") == "$state_path/instances"
    assert get(NOVA, "vnc", "enabled") == "True"
    assert get(NOVA, "DEFAULT", "host_url") is None
    assert get(NOVA, "docker", "host_url") is None
    # The commented-out template is not a value.
    assert get_all(NOVA, "DEFAULT", "compute_driver") == ["libvirt.LibvirtDriver"]


def test_get_all_keeps_every_value_of_a_multi_valued_option():
    values = get_all(NOVA, "pci", "passthrough_whitelist")
    assert values == [
        '{ "vendor_id": "8086", "product_id": "10fb" }',
        '{ "vendor_id": "8086", "product_id": "1520", "physical_network": "physnet2" }',
    ]
    assert get(NOVA, "pci", "passthrough_whitelist") == values[-1]
    assert get_all(NOVA, "pci", "alias") == []


def test_get_follows_oslo_syntax_on_the_edge_file():
    # Colon syntax, the last of a repeated single-valued key, % kept as is.
    assert get(EDGE, "DEFAULT", "debug") == "false"
    assert get(EDGE, "DEFAULT", "compute_driver") == "second.Driver"
    assert get_all(EDGE, "DEFAULT", "compute_driver") == ["first.Driver", "second.Driver"]
    assert get(EDGE, "DEFAULT", "log_format") == "%(asctime)s %(levelname)s %(message)s"
    # Continuation lines (space or tab) are joined with line breaks; one pair of quotes goes.
    assert get(EDGE, "DEFAULT", "default_log_levels") == (
        "amqp=WARN,\nsqlalchemy=WARN,\noslo.messaging=INFO"
    )
    assert get(EDGE, "DEFAULT", "quoted") == "  padded  "
    # Section names other than DEFAULT are case-insensitive and merged, as oslo does.
    assert get(EDGE, "docker", "vif_driver") == (
        "novadocker.virt.docker.vifs.DockerGenericVIFDriver"
    )
    assert get(EDGE, "DOCKER", "snapshots_directory") == "/var/lib/nova/snap"
    assert get(EDGE, "default", "debug") is None


# -- editing ---------------------------------------------------------------------------------


def test_absent_key_goes_after_its_commented_template():
    data = replace_once(NOVA, b"compute_driver=libvirt.LibvirtDriver\n", b"")
    _, new = edit(data, {"DEFAULT": {"compute_driver": DRIVER}})
    assert new == replace_once(
        NOVA,
        b"#compute_driver = <None>\ncompute_driver=libvirt.LibvirtDriver\n",
        b"#compute_driver = <None>\ncompute_driver = " + DRIVER.encode() + b"\n",
    )

    _, new = edit(GLANCE, {"image_format": {"container_formats": ["ami", "bare", "docker"]}})
    assert new == replace_once(
        GLANCE,
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n",
        b"#container_formats = ami,ari,aki,bare,ovf,ova,docker\n"
        b"container_formats = ami,bare,docker\n",
    )


def test_absent_key_goes_after_the_last_line_of_its_section():
    _, new = edit(
        NOVA,
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
    assert new == expected


def test_repeated_owned_key_only_the_last_occurrence_changes():
    changes, new = edit(EDGE, {"DEFAULT": {"compute_driver": DRIVER}})
    assert changes == {"DEFAULT": {"compute_driver": {"old": "second.Driver", "new": DRIVER}}}
    assert new == replace_once(
        EDGE, b"compute_driver = second.Driver\n", b"compute_driver = " + DRIVER.encode() + b"\n"
    )
    assert get_all(new, "DEFAULT", "compute_driver") == ["first.Driver", DRIVER]


def test_edge_syntax_continuations_quotes_and_merged_sections():
    rec = ini.new_record(PATH)
    _, new = edit(
        EDGE,
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
        rec,
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
    assert new == expected
    assert get(new, "DEFAULT", "quoted") == " x "
    assert get(new, "DEFAULT", "default_log_levels") == "amqp=WARN"
    # The record keeps the continuation lines exactly, and revert puts them back.
    kept = rec["keys"]["DEFAULT"]["default_log_levels"]
    assert (
        kept["line"]
        == "default_log_levels = amqp=WARN,\n    sqlalchemy=WARN,\n\toslo.messaging=INFO"
    )
    assert revert(new, rec)[1] == EDGE


def test_values_with_percent_equals_and_quotes_round_trip():
    values = {
        "transport_url": "rabbit://u:p%3D@h:5672/?a=b",
        "quoted_value": '"already quoted"',
        "single": "'x'",
        "empty": "",
    }
    _, new = edit(NOVA, {"DEFAULT": values})
    for key, value in values.items():
        assert get(new, "DEFAULT", key) == value
    assert edit(new, {"DEFAULT": values})[0] == {}
    assert b"\nempty =\n" in new


def test_crlf_file_keeps_crlf():
    crlf = NOVA.replace(b"\n", b"\r\n")
    rec = ini.new_record(PATH)
    _, new = edit(
        crlf, {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}, rec
    )
    expected = replace_once(
        crlf,
        b"compute_driver=libvirt.LibvirtDriver\r\n",
        b"compute_driver=" + DRIVER.encode() + b"\r\n",
    )
    expected += b"\r\n[docker]\r\nhost_url = unix:///var/run/docker.sock\r\n"
    assert new == expected
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert revert(new, rec)[1] == crlf


def test_file_without_final_newline():
    bare = GLANCE.rstrip(b"\n")
    assert not bare.endswith(b"\n")
    # Replacing the last line keeps the missing final newline.
    _, new = edit(bare, {"paste_deploy": {"flavor": "keystone+cachemanagement"}})
    assert new == bare.replace(b"flavor = keystone", b"flavor = keystone+cachemanagement")
    # An absent section: the final newline is added first, then one blank line.
    rec = ini.new_record(PATH)
    _, new = edit(bare, {"glance_store": {"stores": "file"}, "docker": {"x": "1"}}, rec)
    expected = replace_once(bare, b"stores = file,http\n", b"stores = file\n")
    assert new == expected + b"\n\n[docker]\nx = 1\n"
    assert rec["final_newline"] == "\n"
    assert rec["sections"] == [{"name": "docker", "separator": "\n"}]
    assert revert(new, rec)[1] == bare


def test_key_added_to_the_last_section_without_final_newline_reverts():
    bare = GLANCE.rstrip(b"\n")
    rec = ini.new_record(PATH)
    _, new = edit(bare, {"paste_deploy": {"config_file": "/etc/glance/paste.ini"}}, rec)
    assert new == bare + b"\nconfig_file = /etc/glance/paste.ini\n"
    assert revert(new, rec)[1] == bare


def test_empty_file_gets_the_section():
    rec = ini.new_record(PATH)
    _, new = edit(b"", {"DEFAULT": {"compute_driver": DRIVER}}, rec)
    assert new == b"[DEFAULT]\ncompute_driver = " + DRIVER.encode() + b"\n"
    assert revert(new, rec)[1] == b""


# -- revert ----------------------------------------------------------------------------------


def test_revert_keeps_an_unrelated_operator_edit():
    rec = ini.new_record(PATH)
    _, new = edit(
        NOVA, {"DEFAULT": {"compute_driver": DRIVER}, "docker": {"host_url": SOCKET}}, rec
    )
    # The operator changes another line in between.
    edited = replace_once(new, b"my_ip = 192.0.2.21\n", b"my_ip = 192.0.2.99\n")
    _, new = edit(edited, {"DEFAULT": {"compute_driver": "again.Driver"}}, rec)
    assert revert(new, rec)[1] == replace_once(
        NOVA, b"my_ip = 192.0.2.21\n", b"my_ip = 192.0.2.99\n"
    )


def test_revert_keeps_a_created_section_the_operator_added_to():
    rec = ini.new_record(PATH)
    _, new = edit(NOVA, {"docker": {"host_url": SOCKET}}, rec)
    assert revert(new + b"# operator note\n", rec)[1] == NOVA + b"\n[docker]\n# operator note\n"
