"""
The ``novadocker_glance`` execution module (``_modules/novadocker_glance.py``): the
``container_formats`` list Glance should get, worked out from glance-api.conf without writing
anything.

The module is imported from its file and wired by pytest-salt-factories'
``configure_loader_modules`` (test/unit/conftest.py): its ``__utils__`` are the formula's real
utils; glance-api.conf is a real file under tmp_path.
"""

import pytest
from confsamples import GLANCE, MITAKA, read, replace_once
from testpaths import formula_module

glance = formula_module("modules", "novadocker_glance")


@pytest.fixture
def configure_loader_modules(loader_modules):
    return loader_modules(glance)


def test_public_functions_have_cli_examples():
    doc = glance.container_formats.__doc__
    assert "CLI Example:" in doc and "salt '*' novadocker_glance.container_formats" in doc


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
