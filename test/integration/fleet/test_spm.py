"""
The formula as an spm package: ``spm build`` of the repository, ``spm local install`` into a
temporary spm root, then ``salt-call --local state.apply novadocker`` with file_roots pointing
at spm's formula_path only, on a sandbox node.

spm is the one of the Salt install the tests run under (the venv's bin/, next to
sys.executable), with a config file that keeps every spm path (formula_path, pillar_path,
reactor_path, spm_db, spm_build_dir, spm_cache_dir, its log, repos config and share dir) in this
test's temporary folder.
"""

import json
import pathlib
import subprocess
import sys
import tarfile

import pytest
import salt.utils.yaml
from testnode import lay_sandbox
from testpaths import DATA, REPO

pytestmark = pytest.mark.slow

SPM = pathlib.Path(sys.executable).parent / "spm"
GLANCE = "etc/glance/glance-api.conf"
NOVA = "etc/nova/nova.conf"


def _formula():
    return salt.utils.yaml.safe_load((REPO / "FORMULA").read_text())


def _shipped_files():
    """Repository files the package must carry, as paths relative to the repository."""
    out = set()
    for entry in _formula()["files"]:
        path = REPO / entry
        if path.is_file():
            out.add(entry)
            continue
        for item in path.rglob("*"):
            if item.is_file() and "__pycache__" not in item.parts:
                out.add(str(item.relative_to(REPO)))
    return out


@pytest.fixture(scope="module")
def spm_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("spm")
    conf = base / "conf"
    conf.mkdir()
    paths = {
        "formula_path": base / "srv" / "spm" / "salt",
        "pillar_path": base / "srv" / "spm" / "pillar",
        "reactor_path": base / "srv" / "spm" / "reactor",
        "spm_db": base / "cache" / "spm" / "packages.db",
        "spm_build_dir": base / "build",
        "spm_cache_dir": base / "cache" / "spm",
        "spm_logfile": base / "log" / "spm",
        "spm_repos_config": base / "conf" / "spm.repos",
        "spm_share_dir": base / "share" / "spm",
    }
    (base / "log").mkdir()
    (conf / "spm").write_text(json.dumps({k: str(v) for k, v in paths.items()}))
    paths["conf"] = conf
    return paths


def spm(spm_root, *args, cwd=REPO):
    proc = subprocess.run(
        [str(SPM), "-c", str(spm_root["conf"]), "-y", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc.stdout


@pytest.fixture(scope="module")
def package(spm_root):
    """Build the repository with ``spm build`` (from its root: FORMULA's files are relative)."""
    out = spm(spm_root, "build", str(REPO))
    formula = _formula()
    pkg = spm_root["spm_build_dir"] / "{}-{}-{}.spm".format(
        formula["name"], formula["version"], formula["release"]
    )
    assert "Built package {}".format(pkg) in out
    assert pkg.is_file()
    return pkg


@pytest.fixture(scope="module")
def installed(spm_root, package):
    out = spm(spm_root, "local", "install", str(package))
    assert "installing novadocker" in out
    return spm_root


def test_package_holds_the_formula_and_nothing_else(package):
    with tarfile.open(str(package), "r:bz2") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()}
    wanted = {"novadocker/" + rel for rel in _shipped_files()}
    assert wanted - names == set(), "missing from the package"
    extra = {n for n in names - wanted if "__pycache__" not in n}
    assert extra == set(), "not meant for the package"
    for must in (
        "novadocker/FORMULA",
        "novadocker/pillar.example",
        "novadocker/novadocker/init.sls",
        "novadocker/novadocker/map.jinja",
        "novadocker/novadocker/parameters/defaults.yaml",
        "novadocker/_modules/novadocker.py",
        "novadocker/_states/novadocker.py",
    ):
        assert must in names
    assert not any(n.startswith(("novadocker/.venv", "novadocker/test/")) for n in names)


def test_spm_local_install_lays_out_a_file_root(installed):
    formula_path = installed["formula_path"]
    # The SLS tree under <formula_path>/novadocker (spm folds novadocker/novadocker/),
    # _modules and _states beside it, where saltutil.sync_all finds them.
    for rel in _shipped_files():
        if rel == "FORMULA":
            continue
        if rel == "pillar.example":
            dest = installed["pillar_path"] / "novadocker.sls.orig"
        else:
            dest = formula_path / rel
        assert dest.is_file(), dest
        assert dest.read_bytes() == (REPO / rel).read_bytes(), rel
    info = spm(installed, "info", "novadocker")
    assert "Version: {}".format(_formula()["version"]) in info
    listed = spm(installed, "files", "novadocker")
    assert str(formula_path / "novadocker" / "init.sls") in listed


def test_formula_applies_from_where_spm_put_it(installed, salt_factories, tmp_path):
    formula_path = installed["formula_path"]
    root = tmp_path / "node"
    lay_sandbox(root)
    pillar_dir = tmp_path / "pillar"
    pillar_dir.mkdir()
    (pillar_dir / "top.sls").write_text("base:\n  '*':\n    - node\n")
    # Like the demo's pillar: the image role on, no service to restart in a sandbox.
    pillar = {"novadocker": {"root": str(root), "image": {"enabled": True, "service": False}}}
    (pillar_dir / "node.sls").write_text(json.dumps(pillar))
    factory = salt_factories.salt_minion_daemon(
        "spm-node",
        overrides={
            "file_client": "local",
            "file_roots": {"base": [str(formula_path)]},
            "pillar_roots": {"base": [str(pillar_dir)]},
        },
    )
    cli = factory.salt_call_cli(timeout=300)

    # The file server is spm's formula_path alone: the repository is not on it.
    files = cli.run("--local", "cp.list_master")
    assert files.returncode == 0, files
    assert "novadocker/init.sls" in files.data
    assert not any(f.startswith(("test/", "_modules/__pycache__")) for f in files.data)
    synced = cli.run("--local", "saltutil.sync_all")
    assert synced.returncode == 0, synced
    assert "modules.novadocker" in synced.data["modules"]
    assert "states.novadocker" in synced.data["states"]

    ret = cli.run("--local", "state.apply", "novadocker", _timeout=300)
    assert ret.returncode == 0, ret
    states = {v["__id__"]: v for v in ret.data.values()}
    failed = {k: v["comment"] for k, v in states.items() if v["result"] is not True}
    assert failed == {}
    change = states["novadocker-image-container-formats"]["changes"]
    assert "dockerref" in change["image_format"]["container_formats"]["new"]
    assert "container_formats = ami,ari,aki,bare,ovf,ova,docker,dockerref\n" in (
        (root / GLANCE).read_text()
    )
    # The compute role is off: its clean is a no-op on a node the formula never touched.
    assert (root / NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert all(
        not v["changes"] for k, v in states.items() if k != "novadocker-image-container-formats"
    )
