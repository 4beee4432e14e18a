"""The release tables (``_utils/novadocker_releases.py``, imported directly): the facts from the
driver's and Glance's own source. ``novadocker.release_info`` / ``releases`` / ``option_since``
/ ``glance_info`` hand these functions' answers on unchanged."""

import novadocker_releases as releases
import pytest
from salt.exceptions import SaltInvocationError


def release_table():
    """What ``novadocker.releases`` returns: every release's facts, oldest first."""
    return [releases.driver_release(r) for r in releases.driver_releases()]


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
def test_api_pin_per_release(release, pin):
    assert releases.driver_release(release)["api_version"] == pin


def test_options_grow_by_release():
    opts = {r["release"]: set(r["options"]) for r in release_table()}
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
    assert releases.option_since("privileged") == "liberty"
    assert releases.option_since("no_such_option") is None
    # icehouse hard-codes the socket path: no host_url to write.
    assert releases.driver_release("icehouse")["host_url"] is False


def test_unknown_release_is_a_clear_error():
    with pytest.raises(SaltInvocationError, match="accepted are icehouse, juno"):
        releases.driver_release("zed")


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
def test_glance_section_and_default_formats(release, section, formats):
    info = releases.glance_release(release)
    assert info["section"] == section
    assert ",".join(info["default_formats"]) == formats
