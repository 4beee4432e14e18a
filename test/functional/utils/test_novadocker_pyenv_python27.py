"""
The load proof runs in nova's interpreter, and the mitaka era ran nova on Python 2.7.

``novadocker_pyenv.load_as_nova`` is run with a real CPython 2.7 (pyenv's, part of this
machine's image). nova itself cannot be installed for Python 2.7 here (nova 13's dependencies
need compilers and libraries for Python 2 that the registry no longer serves), so the nova it
inspects is a small package with the shape that matters, written by the test: a
``nova.virt.driver`` whose ``load_compute_driver`` uses ``import_object_ns`` (mitaka) or
``'nova.virt.%s'`` (newton on), a ``ComputeDriver``, and a nova-docker package subclassing it.
"""

import os
import pathlib

import pytest

import novadocker_pyenv

PYTHON27 = "/root/.pyenv/versions/2.7.18/bin/python2.7"

MITAKA_LOAD = """
def load_compute_driver(virtapi, compute_driver=None):
    return importutils.import_object_ns('nova.virt', compute_driver, virtapi)
"""
NEWTON_LOAD = """
def load_compute_driver(virtapi, compute_driver=None):
    return importutils.import_object('nova.virt.%s' % compute_driver, virtapi)
"""


def _tree(base, load_source):
    """A nova (13.1.4 or 14.0.0) and nova-docker for Python 2.7 under ``base``; the
    interpreter: a wrapper putting ``base`` on PYTHONPATH (what nova's venv does)."""
    files = {
        "nova/__init__.py": "",
        "nova/version.py": "def version_string():\n    return '{}'\n".format(
            "13.1.4" if "import_object_ns" in load_source else "14.0.0"
        ),
        "nova/virt/__init__.py": "",
        "nova/virt/driver.py": "class ComputeDriver(object):\n    pass\n" + load_source,
        "novadocker/__init__.py": "",
        "novadocker/virt/__init__.py": "",
        "novadocker/virt/docker/__init__.py": (
            "from novadocker.virt.docker import driver\nDockerDriver = driver.DockerDriver\n"
        ),
        "novadocker/virt/docker/driver.py": (
            "from nova.virt import driver\n\nclass DockerDriver(driver.ComputeDriver):\n    pass\n"
        ),
    }
    for rel, text in files.items():
        path = pathlib.Path(base, "lib", rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    python = pathlib.Path(base, "bin", "python")
    python.parent.mkdir(parents=True)
    python.write_text(
        '#!/bin/sh\nPYTHONPATH={} exec {} "$@"\n'.format(pathlib.Path(base, "lib"), PYTHON27)
    )
    python.chmod(0o755)
    return str(python)


@pytest.fixture(scope="module")
def python27():
    if not os.access(PYTHON27, os.X_OK):
        pytest.fail(
            "CPython 2.7 is expected at {} (pyenv, in this machine's image)".format(PYTHON27)
        )
    return PYTHON27


def test_mitaka_nova_on_python27_loads_the_driver_by_its_own_path(python27, tmp_path):
    python = _tree(tmp_path, MITAKA_LOAD)
    found = novadocker_pyenv.load_as_nova(python, "novadocker.virt.docker.DockerDriver")
    assert found["nova"] is True
    assert found["nova_version"] == "13.1.4"
    assert found["rule"] == "ns"
    assert found["loaded"] == "novadocker.virt.docker.DockerDriver"
    assert "error" not in found


def test_newton_nova_on_python27_needs_the_shim(python27, tmp_path):
    python = _tree(tmp_path, NEWTON_LOAD)
    found = novadocker_pyenv.load_as_nova(python, "novadocker.virt.docker.DockerDriver")
    assert found["rule"] == "nova.virt"
    assert "loaded" not in found
    assert found["error"].startswith("ImportError: No module named"), found
    shim = novadocker_pyenv.shim_file(found["nova_virt_dir"])
    os.makedirs(os.path.dirname(shim))
    pathlib.Path(shim).write_text(novadocker_pyenv.shim_source())
    found = novadocker_pyenv.load_as_nova(python, "docker.DockerDriver")
    assert found["loaded"] == "nova.virt.docker.DockerDriver", found


def test_python27_without_nova_is_not_novas_interpreter(python27):
    found = novadocker_pyenv.load_as_nova(python27, "docker.DockerDriver")
    assert found == {"nova": False, "error": "ImportError: No module named nova"}
