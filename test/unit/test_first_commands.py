"""
README's two first commands are what a fresh Debian machine (root, nothing installed, no
``make``) runs: ``sh scripts/demo.sh`` and ``sh scripts/test.sh``. Each bootstraps what it needs
itself, no script needs ``make``, ``.ci/run`` runs README's test command, and the Makefile's
targets are the same scripts (``make demo`` still leaves the sandbox under .sandbox/ and the
virtualenv at .venv).
"""

import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"


def _commands(path):
    """The command lines of a shell script (comments and blank lines dropped)."""
    lines = []
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if text:
            lines.append(text)
    return lines


def test_readme_starts_with_the_two_commands():
    text = (REPO / "README.md").read_text()
    first = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in first] == [
        "sh scripts/demo.sh",
        "sh scripts/test.sh",
    ]
    assert "nothing else installed" in text.split("```", 3)[2]


def test_no_script_needs_make_and_each_bootstraps_itself():
    for path in [*SCRIPTS.glob("*.sh"), REPO / ".ci" / "run"]:
        for line in _commands(path):
            assert not re.search(r"(^|[;&|(]\s*)make\b", line), (path.name, line)
    assert "sh scripts/bootstrap.sh" in _commands(SCRIPTS / "demo.sh")
    test_sh = _commands(SCRIPTS / "test.sh")
    assert "sh scripts/bootstrap.sh test" in test_sh
    assert "sh scripts/lint.sh" in test_sh
    assert "sh scripts/bootstrap.sh" in _commands(SCRIPTS / "lint.sh")
    # The bootstrap installs python3, python3-venv and docker.io with apt when they are missing.
    bootstrap = (SCRIPTS / "bootstrap.sh").read_text()
    for package in ("python3 python3-venv", "python3-venv", "docker.io"):
        assert f"apt_install {package}" in bootstrap, package
    assert 'VENV="${VENV:-.venv}"' in bootstrap


def test_ci_runs_readme_test_command_and_make_targets_are_the_scripts():
    assert _commands(REPO / ".ci" / "run")[-2:] == ["sh scripts/test.sh", "sh scripts/test.sh 3006"]
    makefile = (REPO / "Makefile").read_text()
    for target, command in (
        ("demo", "sh scripts/demo.sh"),
        ("test", "sh scripts/test.sh"),
        ("lint", "sh scripts/lint.sh"),
        ("test-3006", "sh scripts/test.sh 3006"),
    ):
        body = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert body and command in body.group(1), target
    assert "$(VENV)/bin/python scripts/bench.py --markdown BENCHMARKS.md" in makefile
    demo = (SCRIPTS / "demo.sh").read_text()
    assert 'SANDBOX="$REPO/.sandbox"' in demo and 'VENV="${VENV:-.venv}"' in demo
