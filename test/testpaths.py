"""Paths the suite shares, and the formula's module files (importable from any test: pytest.ini
puts test/ on sys.path; a plain module, because every conftest.py of the suite is imported by
pytest and ``from conftest import`` would not say which)."""

import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent
DATA = REPO / "test" / "data"
TEST_SALT = REPO / "test" / "salt"
#: What a node's file_roots holds: the formula as FORMULA ships it, without the repo's
#: virtualenvs (Salt walks every file under file_roots on each call: ~1 s per call with .venv).
SHIPPED = ("novadocker", "_modules", "_states", "_grains", "_beacons", "_runners", "_utils")


def formula_root(dest):
    """Lay ``dest`` as a file root holding symlinks to the shipped parts of the repository."""
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        if (REPO / name).exists() and not (dest / name).exists():
            (dest / name).symlink_to(REPO / name)
    return dest


#: The formula's module types, each in its ``_<kind>`` folder.
MODULE_KINDS = ("modules", "states", "grains", "beacons", "runners")
_LOADED = {}


def formula_module(kind, name):
    """The formula's module ``_<kind>/<name>.py`` imported straight from its file, as the unit
    tier loads module types (not through Salt's loader: the test gives it its dunders with
    pytest-salt-factories' ``configure_loader_modules``, see test/unit/conftest.py).

    Its module name is ``novadocker_unit.<kind>.<name>`` (an execution and a state module may
    share a file name); it is imported once per test session and not put in ``sys.modules``.
    """
    import importlib.util

    if kind not in MODULE_KINDS:
        raise ValueError("kind must be one of {}, not {!r}".format(", ".join(MODULE_KINDS), kind))
    key = (kind, name)
    if key not in _LOADED:
        path = REPO / "_{}".format(kind) / "{}.py".format(name)
        spec = importlib.util.spec_from_file_location(
            "novadocker_unit.{}.{}".format(kind, name), path
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _LOADED[key] = module
    return _LOADED[key]
