"""The release table (novadocker.release_info / glance_info): the facts from the driver's and
Glance's own source, through Salt's real loader."""

import pytest


@pytest.fixture(scope="module")
def mods(loader_mods):
    return loader_mods


@pytest.mark.parametrize(
    "release,pin",
    [
        ("icehouse", "1.13"),
        ("juno", "1.13"),
        ("kilo", "1.13"),
        ("liberty", "1.19"),
        ("mitaka", "1.19"),
        ("newton", "1.19"),
        ("ocata", "1.19"),
    ],
)
def test_api_pin_per_release(mods, release, pin):
    assert mods["novadocker.release_info"](release)["api_version"] == pin


def test_options_grow_by_release(mods):
    opts = {r["release"]: set(r["options"]) for r in mods["novadocker.releases"]()}
    assert opts["icehouse"] == {"vif_driver", "snapshots_directory"}
    assert opts["juno"] - opts["icehouse"] == {
        "host_url",
        "api_insecure",
        "ca_file",
        "cert_file",
        "key_file",
    }
    assert opts["kilo"] - opts["juno"] == {"root_directory", "inject_key"}
    assert opts["liberty"] - opts["kilo"] == {"shared_directory", "privileged"}
    assert opts["mitaka"] == opts["newton"] == opts["ocata"] == opts["liberty"]
    assert mods["novadocker.option_since"]("privileged") == "liberty"
    assert mods["novadocker.option_since"]("no_such_option") is None
    # icehouse hard-codes the socket path: no host_url to write.
    assert mods["novadocker.release_info"]("icehouse")["host_url"] is False


def test_unknown_release_is_a_clear_error(mods):
    from salt.exceptions import SaltInvocationError

    with pytest.raises(SaltInvocationError, match="accepted are icehouse, juno"):
        mods["novadocker.release_info"]("zed")


@pytest.mark.parametrize(
    "release,section,formats",
    [
        ("havana", "DEFAULT", "ami,ari,aki,bare,ovf"),
        ("icehouse", "image_format", "ami,ari,aki,bare,ovf,ova"),
        ("liberty", "image_format", "ami,ari,aki,bare,ovf,ova"),
        ("mitaka", "image_format", "ami,ari,aki,bare,ovf,ova,docker"),
        ("train", "image_format", "ami,ari,aki,bare,ovf,ova,docker,compressed"),
    ],
)
def test_glance_section_and_default_formats(mods, release, section, formats):
    info = mods["novadocker.glance_info"](release)
    assert info["section"] == section
    assert ",".join(info["default_formats"]) == formats
