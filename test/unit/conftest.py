"""
Helpers of the unit tier: pure, in this process, no service and no Salt process.

* A util (``_utils/novadocker_<util>.py``) is imported directly: ``import novadocker_ini``
  (pytest.ini puts ``_utils`` on ``sys.path``).
* A module type (``_modules``, ``_states``, ``_grains``, ``_beacons``, ``_runners``) is imported
  from its file (``testpaths.formula_module``) and given its dunders by pytest-salt-factories'
  ``configure_loader_modules`` fixture, which each test module defines itself with
  :py:func:`loader_modules`: ``__utils__`` holds the REAL util functions
  (:py:func:`formula_utils`), ``__salt__`` the real functions of the formula's execution modules
  it calls (wired the same way), ``__opts__`` minion options with a temporary cachedir
  (:py:func:`minion_opts`; set ``["test"]`` for test mode).
"""

import importlib
import inspect
import json
import os
import pathlib
import shutil
import sys
import tempfile

import pytest
from confsamples import NOVA
from testpaths import REPO


def formula_utils():
    """``{"novadocker_ini.read": novadocker_ini.read, ...}``: every function of every
    ``_utils/*.py``, imported directly, named as Salt's loader packs them into ``__utils__``
    (``<util>.<function>``; functions defined in the util, not starting with ``_``)."""
    functions = {}
    for path in sorted((REPO / "_utils").glob("*.py")):
        util = importlib.import_module(path.stem)
        for name, func in vars(util).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(func)
                and func.__module__ == util.__name__
            ):
                functions["{}.{}".format(path.stem, name)] = func
    return functions


def execution_functions(*modules):
    """``{"<virtualname>.<function>": function}`` for the public functions of the execution
    modules ``modules`` (``__salt__`` as Salt's loader packs it)."""
    functions = {}
    for module in modules:
        name = getattr(module, "__virtualname__", module.__name__.rsplit(".", 1)[-1])
        for attr, func in vars(module).items():
            if (
                not attr.startswith("_")
                and inspect.isfunction(func)
                and func.__module__ == module.__name__
            ):
                functions["{}.{}".format(name, attr)] = func
    return functions


@pytest.fixture(scope="session")
def utils_dunder():
    """The ``__utils__`` every unit-tested module gets: :py:func:`formula_utils`."""
    return formula_utils()


@pytest.fixture
def minion_opts(tmp_path):
    """The ``__opts__`` of a unit-tested module: a temporary cachedir, ``test`` False (set it
    to True for test mode)."""
    cachedir = tmp_path / "minion-cache"
    cachedir.mkdir()
    return {"id": "novadocker-unit", "cachedir": str(cachedir), "test": False, "saltenv": None}


@pytest.fixture
def loader_modules(utils_dunder, minion_opts):
    """``loader_modules(*modules, salt=(...))``: the mapping a test module's
    ``configure_loader_modules`` returns for ``modules`` and for the execution modules
    ``salt`` they call, all wired alike: ``__utils__`` the real utils, ``__salt__`` the real
    functions of ``salt``, ``__opts__`` :py:func:`minion_opts`, one ``__context__``; the other
    dunders (``__pillar__``, ``__grains__`` ...) are empty, or given as keyword arguments."""

    def loader_modules(*modules, salt=(), **dunders):
        common = {
            "__opts__": minion_opts,
            "__utils__": utils_dunder,
            "__salt__": execution_functions(*salt),
            "__context__": {},
        }
        common.update(dunders)
        return {module: dict(common) for module in (*modules, *salt)}

    return loader_modules


# -- files a child process that dropped root works on ---------------------------------------


@pytest.fixture
def shared_dir():
    """A directory nobody can reach (pytest's tmp_path is 0700 root)."""
    if os.geteuid() != 0 or sys.platform != "linux":
        pytest.skip("needs root to drop privileges")
    path = tempfile.mkdtemp(prefix="novadocker-conf-")
    os.chmod(path, 0o755)
    yield pathlib.Path(path)
    shutil.rmtree(path)


@pytest.fixture
def nobodys_nova_conf(shared_dir):
    """``<shared_dir>/etc/nova.conf`` (the nova sample), owned by nobody: nobody may write the
    file, not its directory (0755 root)."""
    etc = shared_dir / "etc"
    etc.mkdir(mode=0o755)
    path = etc / "nova.conf"
    path.write_bytes(NOVA)
    os.chown(path, 65534, 65534)
    return path


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
def as_nobody():
    """``as_nobody(func)``: ``func()`` run in a forked child as user nobody; ``(ok, its result
    or the error text)``."""
    return _as_nobody


# -- config files under tmp_path ------------------------------------------------------------


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
    """Where a revert record of nova.conf goes (under tmp_path)."""
    return str(tmp_path / "state" / "revert" / "nova.conf.json")
