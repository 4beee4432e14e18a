"""novadocker_settings: every managed path is absolute whatever ``root`` is (issue 12,
item 4), and the places a killed run may leave a temporary file are known."""

import pathlib

import pytest
import salt.utils.yaml

import novadocker_settings as settings

DEFAULTS = pathlib.Path(__file__).resolve().parents[3] / "novadocker/parameters/defaults.yaml"


@pytest.mark.parametrize(
    "root, path, expected",
    [
        ("", "/etc/nova/nova.conf", "/etc/nova/nova.conf"),
        ("/", "/etc/nova/nova.conf", "/etc/nova/nova.conf"),
        ("//", "/etc/nova/nova.conf", "/etc/nova/nova.conf"),
        ("///", "/var/lib/novadocker", "/var/lib/novadocker"),
        ("/srv/node", "/etc/nova/nova.conf", "/srv/node/etc/nova/nova.conf"),
        ("/srv/node/", "/etc/nova/nova.conf", "/srv/node/etc/nova/nova.conf"),
        ("//srv//node//", "//etc/nova/nova.conf", "/srv/node/etc/nova/nova.conf"),
    ],
)
def test_prefixed_is_always_absolute(root, path, expected):
    assert settings.prefixed(root, path) == expected


@pytest.mark.parametrize("root", ["", "/", "//", "/srv/node/"])
def test_every_derived_path_is_absolute(root):
    base = salt.utils.yaml.safe_load(DEFAULTS.read_text())["values"]
    conf = settings.compute(base, {"root": root})
    assert conf["valid"], conf["errors"]
    paths = list(conf["paths"].values()) + list(conf["records"].values())
    paths += conf["stray_paths"]
    for path in paths:
        assert path.startswith("/") and "//" not in path, path
    assert set(conf["records"].values()) <= set(conf["stray_paths"])
    assert conf["paths"]["nova_conf"] in conf["stray_paths"]


def test_a_relative_root_is_refused():
    base = salt.utils.yaml.safe_load(DEFAULTS.read_text())["values"]
    conf = settings.compute(base, {"root": "srv/node"})
    assert not conf["valid"]
    assert conf["errors"][0].startswith("novadocker:root: expected '' or an absolute path")
    # The settings fall back to the defaults: still absolute.
    assert conf["paths"]["nova_conf"] == "/etc/nova/nova.conf"


def test_the_password_is_not_in_the_settings():
    base = salt.utils.yaml.safe_load(DEFAULTS.read_text())["values"]
    raw = {
        "driver": {
            "source": "https://h/x.zip",
            "source_username": "u",
            "source_password": "Very-Secret",
        }
    }
    conf = settings.compute(base, raw)
    assert conf["valid"], conf["errors"]
    assert "Very-Secret" not in repr(conf)
    assert raw["driver"]["source_password"] == "Very-Secret"  # the pillar is left alone
