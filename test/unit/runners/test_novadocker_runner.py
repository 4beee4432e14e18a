"""
The ``novadocker`` runner's own logic, loaded into this process with pytest-salt-factories'
``configure_loader_modules`` over a real master configuration (its pillar compiled for real
from a pillar tree in a temporary folder): the options from one place (the orchestrate pillar
``novadocker:orch``, then ``pillar=``, then the keyword arguments), the targets as one compound
expression, and the report's rows and table. Talking to minions is the fleet tests' business
(test/integration/fleet/).
"""

import importlib.util
import pathlib

import pytest
import salt.config
import salt.utils.yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
_SPEC = importlib.util.spec_from_file_location(
    "novadocker_runner_under_test", REPO / "_runners" / "novadocker.py"
)
runner = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(runner)

MASTER_ID = "unit_master"


@pytest.fixture
def pillar_dir(tmp_path):
    path = tmp_path / "pillar"
    path.mkdir()
    return path


@pytest.fixture
def configure_loader_modules(tmp_path, pillar_dir):
    opts = salt.config.master_config(None)
    opts.update(
        {
            "id": MASTER_ID,
            "root_dir": str(tmp_path),
            "cachedir": str(tmp_path / "cache"),
            "pki_dir": str(tmp_path / "pki"),
            "file_roots": {"base": [str(tmp_path / "states")]},
            "pillar_roots": {"base": [str(pillar_dir)]},
            "nodegroups": {"computes": "L@c1,c2"},
        }
    )
    return {runner: {"__opts__": opts, "__context__": {}}}


def _orch(pillar_dir, orch):
    (pillar_dir / "top.sls").write_text(f"base:\n  '{MASTER_ID}':\n    - orch\n")
    (pillar_dir / "orch.sls").write_text(salt.utils.yaml.safe_dump({"novadocker": {"orch": orch}}))


def test_options_come_from_the_orchestrate_pillar_then_the_command_line(pillar_dir):
    opts, problems = runner._options({})
    assert problems == [] and opts["batch_size"] == 1 and opts["ping_timeout"] == 5
    _orch(pillar_dir, {"batch_size": 2, "compute_target": "c*", "tgt_type": "glob"})
    opts, problems = runner._options({"__pub_fun": "novadocker.plan"})
    assert problems == []
    assert (opts["batch_size"], opts["compute_target"], opts["tgt_type"]) == (2, "c*", "glob")
    opts, _ = runner._options({"batch_size": 3})
    assert opts["batch_size"] == 3 and opts["compute_target"] == "c*"
    override = {"novadocker": {"orch": {"batch_size": "50%", "allow_missing": True}}}
    opts, _ = runner._options({"pillar": override})
    assert opts["batch_size"] == "50%" and opts["allow_missing"] is True
    assert opts["compute_target"] == "c*"


def test_bad_options_are_named_wherever_they_come_from(pillar_dir):
    _orch(pillar_dir, {"batchsize": 2, "ping_timeout": 0})
    _opts, problems = runner._options({"allow_missing": "yes", "tgt_type": "regex"})
    assert any("unknown option 'batchsize'" in p for p in problems), problems
    assert any("ping_timeout must be a number of seconds > 0" in p for p in problems)
    assert any("allow_missing must be true or false" in p for p in problems)
    assert any("tgt_type must be one of compound, nodegroup" in p for p in problems)
    _orch(pillar_dir, ["not", "a", "mapping"])
    _opts, problems = runner._options({"pillar": "batch_size=2"})
    assert "pillar must be a mapping, got 'batch_size=2'" in problems
    assert any("pillar novadocker:orch must be a mapping" in p for p in problems)


@pytest.mark.parametrize(
    "target,tgt_type,expected",
    [
        ("I@novadocker:image:enabled:True", "compound", "I@novadocker:image:enabled:True"),
        ("compute*", "glob", "compute*"),
        ("os:Debian", "grain", "G@os:Debian"),
        (["c1", "c2"], "list", "L@c1,c2"),
        ("c1,c2", "list", "L@c1,c2"),
        ("novadocker:compute:enabled:True", "pillar", "I@novadocker:compute:enabled:True"),
        ("^c[0-9]$", "pcre", "E@^c[0-9]$"),
        ("computes", "nodegroup", "L@c1,c2"),
        ("", "glob", None),
        (None, "compound", None),
    ],
)
def test_targets_become_one_compound_expression(target, tgt_type, expected):
    assert runner._compound(target, tgt_type) == expected


def test_union_of_both_phases():
    assert runner._union("G@a:b", None) == "G@a:b"
    assert runner._union("G@a:b", "L@c1,c2") == "( G@a:b ) or ( L@c1,c2 )"
    assert runner._union(None, None) is None


def _check(**parts):
    report = {"ok": True, "problems": [], "roles": [], "switched": False}
    report.update(parts)
    return report


def test_report_rows_and_table():
    nodes = {
        "c1": runner._row(
            _check(
                roles=["compute"],
                switched=True,
                compute_driver="novadocker.virt.docker.DockerDriver",
                driver={"version": "0.0.1.dev273"},
                daemon={"server_version": "20.10.24", "api_version": "1.41"},
                compute_restart={"service": "nova-compute", "owed": None},
            )
        ),
        "c2": runner._row(
            _check(
                ok=False,
                roles=["compute"],
                compute_driver="libvirt.LibvirtDriver",
                driver={"version": None},
                daemon={"server_version": None, "api_version": None},
                compute_restart={"service": "nova-compute", "owed": {"reasons": ["x"]}},
                problems=["daemon: not reachable", "compute_restart: owed"],
            )
        ),
        "g1": runner._row(_check(roles=["image", "compute"])),
        "old": runner._row("'novadocker.check' is not available."),
        "gone": dict(runner._row({"ok": None}), answered=False, problems=["did not answer"]),
    }
    assert nodes["c1"]["switched"] is True and nodes["c1"]["problems"] == []
    assert nodes["c2"]["restart_owed"] == ["nova-compute"]
    assert nodes["old"]["problems"] == [
        "novadocker.check failed: 'novadocker.check' is not available."
    ]
    lines = runner._table(nodes).splitlines()
    assert lines[0].split() == [
        "NODE", "ROLE", "SWITCHED", "DRIVER", "DOCKER", "API", "RESTART", "OWED", "PROBLEMS"
    ]  # fmt: skip
    rows = {line.split()[0]: line.split() for line in lines[1:6]}
    assert rows["c1"] == ["c1", "compute", "yes", "0.0.1.dev273", "20.10.24", "1.41", "-", "-"]
    assert rows["c2"] == ["c2", "compute", "no", "-", "-", "-", "nova-compute", "2"]
    assert rows["g1"][1] == "image+compute"
    assert rows["gone"] == ["gone", "did", "not", "answer"]
    assert rows["old"][1:3] == ["-", "?"]
    # Columns line up: every row's cells start where the header's do.
    start = lines[0].index("DRIVER")
    assert lines[1][start:].startswith("0.0.1.dev273")
    assert lines[lines.index("Problems:") + 1 :] == [
        "  c2: daemon: not reachable",
        "  c2: compute_restart: owed",
        "  old: novadocker.check failed: 'novadocker.check' is not available.",
    ]
