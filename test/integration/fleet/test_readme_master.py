"""
README's "From a master", followed literally by the test fleet (test/integration/conftest.py):
the master's ``file_roots`` and ``pillar_roots`` are README's master config, the formula is
served from README's folder of links to its shipped parts (FORMULA's ``files``), and so the
master serves the formula and the operator's states, nothing else of the clone (no ``.git``,
``test/``, ``scripts/``, virtualenv).
"""

import pathlib

import pytest
import salt.utils.yaml
from fixtures.readme import MASTER_CONF_MARK, readme_block

pytestmark = pytest.mark.slow

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_the_master_serves_the_formula_and_nothing_else_of_the_clone(fleet):
    shipped = salt.utils.yaml.safe_load((REPO / "FORMULA").read_text())["files"]
    base = fleet.base
    readme = salt.utils.yaml.safe_load(readme_block(MASTER_CONF_MARK))
    assert readme["file_roots"]["base"] == ["/srv/salt", "/srv/formulas/novadocker"]
    assert readme["pillar_roots"]["base"] == ["/srv/pillar"]
    # README's roots, after salt-factories' own (empty) state and pillar trees.
    roots = list(fleet.master.config["file_roots"]["base"])
    assert roots[-2:] == [str(base / "states"), str(base / "formulas" / "novadocker")], roots
    pillar_roots = list(fleet.master.config["pillar_roots"]["base"])
    assert pillar_roots[-1] == str(base / "pillar"), pillar_roots
    for extra in roots[:-2] + pillar_roots[:-1]:
        assert not any(pathlib.Path(extra).rglob("*")), extra

    # README's loop laid one link a shipped part, into the clone.
    folder = base / "formulas" / "novadocker"
    assert sorted(p.name for p in folder.iterdir()) == sorted(shipped)
    for part in shipped:
        assert (folder / part).is_symlink() and (folder / part).resolve() == REPO / part

    ret = fleet.salt_run("fileserver.file_list")
    assert ret.returncode == 0, ret
    served = ret.data
    tops = {path.split("/")[0] for path in served}
    assert tops <= set(shipped) | {"top.sls", "novadocker-dist"}, tops - set(shipped)
    assert {"novadocker", "_modules", "_states", "_utils", "_runners"} <= tops
    assert not [p for p in served if p.startswith((".", "test/", "scripts/"))]
    assert "novadocker/init.sls" in served and "_runners/novadocker.py" in served
