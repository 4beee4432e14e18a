"""
The Glance release facts against the real Glance of .venv-openstack (glance 33): its version
names hibiscus, the release its own database migrations call current (``CURRENT_RELEASE =
'2026_2'``), and its own default ``container_formats`` and section are what the formula
writes from.
"""

import json
import pathlib
import subprocess

import novadocker_releases as releases

REPO = pathlib.Path(__file__).resolve().parents[3]
PYTHON = REPO / ".venv-openstack" / "bin" / "python"

_PROBE = """
import json
import importlib.metadata as m
from glance.common import config
from glance.db import migration
opt = next(o for o in config.image_format_opts if o.name == "container_formats")
print(json.dumps({
    "version": m.version("glance"),
    "current": migration.CURRENT_RELEASE,
    "defaults": list(opt.default),
    "deprecated": [d.group for d in opt.deprecated_opts],
}))
"""


def test_the_real_glance_is_the_release_the_formula_names():
    proc = subprocess.run(
        [str(PYTHON), "-c", _PROBE], capture_output=True, text=True, check=True, cwd="/"
    )
    glance = json.loads(proc.stdout)
    info = releases.glance_release(glance["version"])
    assert info["known"] is True
    # glance's own name for its release (2026_2) is the series the formula maps it to.
    year, half = glance["current"].split("_")
    assert releases.glance_version(f"{year}.{half}") == (info["release"], False)
    assert info["release"] == "hibiscus"
    # The default list and the section are Glance's own.
    assert info["default_formats"] == glance["defaults"]
    assert info["section"] == "image_format" and glance["deprecated"] == ["DEFAULT"]
