"""
The ``novadocker_driver`` execution module: version, importable, check, install, remove.

In-process calls go through Salt's loader (``mods``); the install paths through the real
``salt-call --local`` are in test/integration/formula/test_execution_modules.py. Interpreters
are real venvs (``nova_python``), archives real pbr-packaged zips laid out like a git archive
(``driver_archive``).
"""

import os
import pathlib
import subprocess
import zipfile

import pytest
from fixtures.driver import driver_files_installed, site_packages
from salt.exceptions import CommandExecutionError, SaltInvocationError
from testpaths import REPO

NO_BUILD = ["--no-build-isolation", "--no-deps"]


@pytest.fixture(scope="session")
def mods(loader_mods):
    """The minion's execution modules, loaded in this process (test/conftest.py)."""
    return loader_mods


def _fake_interpreter(path):
    """An executable file standing where an interpreter would (never run by these tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho 'this stand-in must not be run' >&2\nexit 99\n")
    path.chmod(0o755)
    return str(path)


def _install(python, archive, version, pip_args=NO_BUILD):
    proc = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-input", *pip_args, str(archive)],
        env={**os.environ, "PBR_VERSION": version},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- version ----------------------------------------------------------------------------------


def test_version_none_when_not_installed(mods, nova_python, monkeypatch, no_process):
    # A plain venv (no system site-packages, no .pth adding a path): its site-packages is all
    # it sees, so no metadata there is proof enough, without starting its interpreter.
    with monkeypatch.context() as patched:
        no_process(patched)
        assert mods["novadocker_driver.version"](nova_python) is None
    # A .pth file adding a directory makes the disk inconclusive: the interpreter is asked,
    # and finds the driver there.
    extra = pathlib.Path(nova_python).parent.parent / "extra-path"
    (extra / "nova_docker-7.7.dist-info").mkdir(parents=True)
    (extra / "nova_docker-7.7.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: nova-docker\nVersion: 7.7\n"
    )
    (site_packages(nova_python) / "zz-extra.pth").write_text(f"{extra}\n")
    assert mods["novadocker_driver.version"](nova_python) == "7.7"


@pytest.mark.parametrize(
    "cfg",
    ["home = /usr/bin\ninclude-system-site-packages = true\n", "home = /usr/bin\n"],
    ids=["system-site-packages", "key-missing"],
)
def test_version_asks_a_venv_that_sees_system_site_packages(mods, tmp_path, cfg):
    prefix = tmp_path / "venv"
    python = _fake_interpreter(prefix / "bin" / "python3.11")
    (prefix / "pyvenv.cfg").write_text(cfg)
    (prefix / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    with pytest.raises(CommandExecutionError, match=r"Could not ask .* \(exit code 99\)"):
        mods["novadocker_driver.version"](python)


def test_version_missing_interpreter(mods, tmp_path):
    with pytest.raises(CommandExecutionError, match="does not exist"):
        mods["novadocker_driver.version"](str(tmp_path / "nova" / "bin" / "python"))


def test_version_not_executable(mods, tmp_path):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("")
    with pytest.raises(CommandExecutionError, match="does not exist or is not an executable"):
        mods["novadocker_driver.version"](str(python))


def test_version_of_installed_driver_starts_no_process(
    mods, nova_python, driver_archive, tmp_path, no_process
):
    archive = driver_archive("1.0.0")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive.path) as zf:
        zf.extractall(unpacked)
    _install(nova_python, unpacked / "nova-docker-1.0.0", "1.0.0")
    no_process()
    assert mods["novadocker_driver.version"](nova_python) == "1.0.0"


@pytest.mark.parametrize("layout", ["dist-info", "egg-info-dir", "egg-info-file"])
def test_version_from_metadata_on_disk_venv(mods, tmp_path, no_process, layout):
    prefix = tmp_path / "venv"
    python = _fake_interpreter(prefix / "bin" / "python3")
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.9.2\n")
    site = prefix / "lib" / "python3.9" / "site-packages"
    site.mkdir(parents=True)
    # Another interpreter's leftovers must not count.
    other = prefix / "lib" / "python3.7" / "site-packages" / "nova_docker-0.1.dist-info"
    other.mkdir(parents=True)
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: nova-docker\nVersion: 0.1\n")
    headers = "Metadata-Version: 1.1\nName: nova-docker\nVersion: 2.0.0.dev4\n\nBody: x\n"
    if layout == "dist-info":
        (site / "nova_docker-2.0.0.dev4.dist-info").mkdir()
        (site / "nova_docker-2.0.0.dev4.dist-info" / "METADATA").write_text(headers)
    elif layout == "egg-info-dir":
        (site / "nova_docker-2.0.0.dev4-py3.9.egg-info").mkdir()
        (site / "nova_docker-2.0.0.dev4-py3.9.egg-info" / "PKG-INFO").write_text(headers)
    else:
        (site / "nova_docker-2.0.0.dev4-py3.9.egg-info").write_text(headers)
    # A different distribution with a similar name is not nova-docker.
    (site / "nova_dockerish-9.dist-info").mkdir()
    (site / "nova_dockerish-9.dist-info" / "METADATA").write_text(
        "Name: nova-dockerish\nVersion: 9\n"
    )
    no_process()
    assert mods["novadocker_driver.version"](python) == "2.0.0.dev4"


def test_version_from_metadata_on_disk_system_prefix(mods, tmp_path, no_process):
    """A non-venv prefix (``<prefix>/bin/python3.11`` and ``<prefix>/lib/python3.11/...``)."""
    prefix = tmp_path / "opt" / "python"
    python = _fake_interpreter(prefix / "bin" / "python3.11")
    site = prefix / "lib" / "python3.11" / "site-packages" / "nova_docker-1.2.3.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: nova-docker\nVersion: 1.2.3\n")
    no_process()
    assert mods["novadocker_driver.version"](python) == "1.2.3"


def test_version_asks_interpreter_when_metadata_not_on_disk(mods, tmp_path):
    """Nothing on disk: the interpreter is asked (and its failure is reported clearly)."""
    python = _fake_interpreter(tmp_path / "prefix" / "bin" / "python3")
    with pytest.raises(CommandExecutionError, match=r"Could not ask .* \(exit code 99\)"):
        mods["novadocker_driver.version"](python)


# -- importable -------------------------------------------------------------------------------


def test_importable_false_with_error(mods, nova_python):
    ok, message = mods["novadocker_driver.importable"](nova_python)
    assert ok is False
    assert "No module named 'novadocker'" in message


def test_importable_not_fooled_by_cwd(mods, nova_python, monkeypatch):
    """The formula's repository has a ``novadocker/`` directory: running from it must not
    make ``import novadocker`` succeed."""
    monkeypatch.chdir(REPO)
    assert (REPO / "novadocker").is_dir()
    ok, _message = mods["novadocker_driver.importable"](nova_python)
    assert ok is False


# -- install / check / remove -----------------------------------------------------------------


def test_install_check_remove_in_process(mods, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    check = mods["novadocker_driver.check"]
    before = check(nova_python, version="1.0.0")
    assert before["installed"] is False and before["ok"] is False
    assert "nova-docker is not installed in " + nova_python in before["problems"][0]
    assert "set novadocker:driver:source" in before["problems"][0]
    assert "stable/mitaka" in before["problems"][0]

    ret = mods["novadocker_driver.install"](
        nova_python,
        archive.url,
        source_hash=archive.source_hash,
        version="1.0.0",
        pip_args=NO_BUILD,
    )
    assert ret == {"old": None, "new": "1.0.0"}
    assert mods["novadocker_driver.importable"](nova_python)[0] is True

    after = check(nova_python, version="1.0.0")
    assert after == {
        "python": nova_python,
        "installed": True,
        "version": "1.0.0",
        "wanted": "1.0.0",
        "ok": True,
        "problems": [],
    }
    wants_more = check(nova_python, version="2.0")
    assert wants_more["ok"] is False
    assert wants_more["problems"] == [
        "nova-docker 1.0.0 is installed, pillar novadocker:driver:version wants 2.0: "
        "apply novadocker.compute to upgrade"
    ]

    assert mods["novadocker_driver.remove"](nova_python) == {"old": "1.0.0", "new": None}
    assert not driver_files_installed(nova_python)
    assert mods["novadocker_driver.remove"](nova_python) == {"old": None, "new": None}


def test_check_missing_interpreter(mods, tmp_path):
    python = str(tmp_path / "missing" / "bin" / "python")
    ret = mods["novadocker_driver.check"](python, version="1.0.0")
    assert ret["ok"] is False and ret["installed"] is False and "importable" not in ret
    assert "does not exist" in ret["problems"][0]
    assert "novadocker:driver:python" in ret["problems"][0]


def test_check_says_installed_and_version_without_a_process(
    mods, nova_python, driver_archive, monkeypatch, no_process
):
    """check() reads the metadata only: whether nova loads the driver is the load gate's
    business (novadocker_nova.load, tested against a real nova)."""
    mods["novadocker_driver.install"](
        nova_python,
        str(driver_archive("1.0.0").path),
        skip_hash=True,
        version="1.0.0",
        pip_args=NO_BUILD,
    )
    with monkeypatch.context() as patched:
        no_process(patched)
        ret = mods["novadocker_driver.check"](nova_python, version="1.0.0")
    assert ret["installed"] is True and ret["ok"] is True, ret


def test_install_requires_version(mods, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    with pytest.raises(SaltInvocationError, match="novadocker:driver:version"):
        mods["novadocker_driver.install"](nova_python, archive.url, archive.source_hash)


@pytest.mark.parametrize(
    "source_hash, match",
    [
        ("", "novadocker:driver:source_hash is empty"),
        ("sha256=xyz", "must be of the form sha256="),
        ("sha256=abcd", "a sha256 digest has 64 hex digits"),
    ],
)
def test_install_bad_hash_argument(mods, nova_python, driver_archive, source_hash, match):
    archive = driver_archive("1.0.0")
    with pytest.raises(SaltInvocationError, match=match):
        mods["novadocker_driver.install"](
            nova_python, archive.url, source_hash, version="1.0.0", pip_args=NO_BUILD
        )
    assert not driver_files_installed(nova_python)


def test_install_rejects_entry_escaping_unpack_dir(mods, nova_python, driver_archive):
    archive = driver_archive.escaping()
    with pytest.raises(CommandExecutionError, match="outside the unpack directory"):
        mods["novadocker_driver.install"](
            nova_python, archive.url, archive.source_hash, version="1.0.0", pip_args=NO_BUILD
        )
    assert not driver_files_installed(nova_python)


def test_install_cleans_up_temporary_dirs(mods, nova_python, driver_archive):
    archive = driver_archive("1.0.0")
    workbase = pathlib.Path(mods["config.get"]("cachedir")) / "novadocker_driver"
    mods["novadocker_driver.install"](
        nova_python, archive.url, archive.source_hash, version="1.0.0", pip_args=NO_BUILD
    )
    with pytest.raises(CommandExecutionError):
        mods["novadocker_driver.install"](
            nova_python,
            driver_archive.failing_setup().url,
            skip_hash=True,
            version="1.1.0",
            pip_args=NO_BUILD,
        )
    assert list(workbase.iterdir()) == []


def test_install_wrong_version_read_back(mods, nova_python, driver_archive):
    """pip succeeds but what it installed is not nova-docker: said so."""
    archive = driver_archive("1.0.0", name="not-nova-docker")
    with pytest.raises(CommandExecutionError, match="is now at None, not 1.0.0"):
        mods["novadocker_driver.install"](
            nova_python, archive.url, archive.source_hash, version="1.0.0", pip_args=NO_BUILD
        )
