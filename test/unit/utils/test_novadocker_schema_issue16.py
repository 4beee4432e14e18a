"""
``_utils/novadocker_schema.py``, the keys issue 16 added: ``driver:wheelhouse``, Glance's version
numbers in ``image:release``, ``image:container_formats_section`` and
``image:default_container_formats`` (a release the formula does not know yet). Each bad value
names the key path, the value and what is accepted.
"""

import pathlib

import novadocker_schema
import novadocker_settings
import pytest
import salt.utils.yaml

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def defaults():
    text = (REPO / "novadocker" / "parameters" / "defaults.yaml").read_text()
    return salt.utils.yaml.safe_load(text)["values"]


@pytest.fixture
def validate(defaults):
    return lambda data: novadocker_schema.validate(data, defaults)


@pytest.mark.parametrize(
    "value", ["", "salt://novadocker-dist/wheels", "/srv/wheels", "file:///srv/wheels"]
)
def test_wheelhouse_accepted(validate, value):
    assert validate({"driver": {"wheelhouse": value}}) == []


@pytest.mark.parametrize(
    "value", ["salt://", "https://pypi.example/simple", "wheels", "/srv/../etc", "/a b", 3, None]
)
def test_wheelhouse_refused(validate, value):
    (problem,) = validate({"driver": {"wheelhouse": value}})
    assert problem.startswith("novadocker:driver:wheelhouse: expected ")
    assert repr(value) in problem or str(value) in problem


@pytest.mark.parametrize(
    "value", ["hibiscus", "gazpacho", "33", "33.0.0", 33, 2014.1, "2026.2", "34"]
)
def test_glance_release_names_and_versions(validate, value):
    assert validate({"image": {"release": value}}) == []


def test_unknown_glance_release_says_what_is_accepted(validate):
    (problem,) = validate({"image": {"release": "ibis"}})
    assert problem.startswith("novadocker:image:release: expected an OpenStack release: one of")
    assert "gazpacho, hibiscus" in problem
    assert "Glance's version number, such as '33' or '33.0.0'" in problem
    assert "image:container_formats_section and image:default_container_formats" in problem
    assert problem.endswith("got 'ibis'")
    # Half the facts are not enough.
    assert validate({"image": {"release": "ibis", "container_formats_section": "image_format"}})


def test_unknown_glance_release_with_its_facts_is_accepted(validate, defaults):
    pillar = {
        "image": {
            "enabled": True,
            "release": "ibis",
            "container_formats_section": "image_format",
            "default_container_formats": ["ami", "bare", "docker", "oci"],
        }
    }
    assert validate(pillar) == []
    glance = novadocker_settings.compute(defaults, pillar)["glance"]
    assert glance == {
        "release": "ibis",
        "known": False,
        "section": "image_format",
        "default_formats": ["ami", "bare", "docker", "oci"],
        "note": None,
    }
    newer = novadocker_settings.compute(defaults, {"image": {"release": "34.0.0"}})["glance"]
    assert newer["release"] == "34.0.0" and "newer than" in newer["note"]


@pytest.mark.parametrize(
    "key,value,fragment",
    [
        ("container_formats_section", "glance", "'' (the release's) or the section"),
        ("container_formats_section", ["image_format"], "image_format, DEFAULT"),
        ("default_container_formats", "bare", "[] (the release's) or a list"),
        ("default_container_formats:1", "Bare Metal", "a container format name"),
    ],
)
def test_glance_facts_refused(validate, key, value, fragment):
    name, _, idx = key.partition(":")
    data = {name: ["docker", value] if idx else value}
    (problem,) = validate({"image": data})
    assert problem.startswith(f"novadocker:image:{key}: expected ")
    assert fragment in problem
