"""Paths the suite shares (importable from any test: pytest.ini puts test/ on sys.path; a
plain module, because ``from conftest import`` resolves to whichever conftest.py pytest
imported last)."""

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
