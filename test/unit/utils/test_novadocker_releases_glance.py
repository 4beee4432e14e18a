"""
``_utils/novadocker_releases.py``, Glance's side: the releases to date (gazpacho = 2026.1 =
glance 32, hibiscus = 2026.2 = glance 33), Glance's version numbers (dates up to kilo, one major
version a release from liberty, series numbers from antelope), a version newer than the
formula knows (the newest known facts, with a note), and a release it does not know at all
(its facts given in pillar).
"""

import novadocker_releases as releases
import pytest
from salt.exceptions import SaltInvocationError


@pytest.mark.parametrize(
    "version,name",
    [
        ("2013.1", "grizzly"),
        ("2014.1.3", "icehouse"),
        ("2015.1.0", "kilo"),
        ("11.0.0", "liberty"),
        ("12", "mitaka"),
        (19, "train"),
        ("26.0.0", "antelope"),
        ("2023.1", "antelope"),
        ("31.1.0", "flamingo"),
        ("2025.2", "flamingo"),
        ("32.0.0", "gazpacho"),
        ("2026.1", "gazpacho"),
        ("33.0.0", "hibiscus"),
        (33.0, "hibiscus"),
        ("2026.2", "hibiscus"),
    ],
)
def test_glance_versions_name_their_release(version, name):
    assert releases.glance_version(version) == (name, False)
    info = releases.glance_release(version)
    assert info["release"] == name and info["known"] is True and info["note"] is None


@pytest.mark.parametrize("version", ["34", "34.1.0", "2027.1", 40])
def test_a_newer_glance_gets_the_newest_known_facts_and_a_note(version):
    assert releases.glance_version(version) == ("hibiscus", True)
    info = releases.glance_release(version)
    assert info["release"] == str(version) and info["known"] is False
    assert info["section"] == "image_format"
    assert info["default_formats"] == releases.glance_release("hibiscus")["default_formats"]
    assert "newer than the releases the formula knows (up to hibiscus)" in info["note"]
    assert "image:default_container_formats" in info["note"]


@pytest.mark.parametrize("value", ["10", "2014", "2016.1", "2022.2", "ibis", "", True, None, []])
def test_what_is_no_glance_version(value):
    assert releases.glance_version(value) == (None, False)


def test_unknown_release_is_an_error_unless_its_facts_are_given():
    with pytest.raises(SaltInvocationError) as err:
        releases.glance_release("ibis")
    text = str(err.value)
    assert "gazpacho, hibiscus" in text
    assert "a Glance version number such as '33.0.0'" in text
    assert "image:container_formats_section and image:default_container_formats" in text
    with pytest.raises(SaltInvocationError):
        releases.glance_release("ibis", section="image_format")
    info = releases.glance_release("ibis", "image_format", ["bare", "docker", "oci"])
    assert info == {
        "release": "ibis",
        "known": False,
        "section": "image_format",
        "default_formats": ["bare", "docker", "oci"],
        "note": None,
    }


def test_given_facts_override_a_known_release():
    info = releases.glance_release("havana", "image_format", None)
    assert info["section"] == "image_format" and info["default_formats"][-1] == "ovf"
    info = releases.glance_release("34", None, ["bare"])
    assert info["default_formats"] == ["bare"] and info["note"] is None
    assert releases.glance_releases()[-2:] == ["gazpacho", "hibiscus"]
