"""
Issue 12, item 3: ``driver:pip_args`` takes pip's install options only, from a documented
list; ``-r``/``-c``/``-e`` (and their long forms) and any second requirement are refused by the
pillar validation, before anything runs, naming the key, the bad value and the accepted
options. Before, ``-r <file>`` made pip quote the file's lines in the run's output.
"""

import pytest

from .edge_helpers import NOVA, STATE_DIR, failed
from fixtures.driver import driver_files_installed
from testpaths import DATA

pytestmark = pytest.mark.slow

HASH_LINE = "root:$6$Qz8P4x$notarealhashbutsecretlookingLq0ExAmPlE:19000:0:99999:7:::"


@pytest.mark.parametrize(
    "args, bad",
    [
        (["-r", "{secret}"], "-r"),
        (["--requirement={secret}"], "--requirement={secret}"),
        (["--no-deps", "-c", "{secret}"], "-c"),
        (["--constraint", "{secret}"], "--constraint"),
        (["-e", "{secret}"], "-e"),
        (["--editable={secret}"], "--editable={secret}"),
        (["--no-deps", "other-package==1.0"], "other-package==1.0"),
        (["--index-url"], "--index-url"),
    ],
    ids=["r", "requirement", "c", "constraint", "e", "editable", "second-requirement", "no-value"],
)
def test_pip_args_outside_the_list_are_refused_before_anything_runs(
    compute_node, tmp_path, args, bad
):
    c = compute_node
    secret = tmp_path / "secret-requirements.txt"
    secret.write_text(HASH_LINE + "\n")
    args = [a.replace("{secret}", str(secret)) for a in args]
    bad = bad.replace("{secret}", str(secret))
    c.pillar(driver={"pip_args": args})
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        assert ret.returncode != 0
        assert list(states) == ["novadocker-pillar-valid"], failed(states)
        comment = states["novadocker-pillar-valid"]["comment"]
        assert "novadocker:driver:pip_args" in comment
        assert repr(bad) in comment, comment
        if bad != "--index-url":  # (that one is told it needs its value)
            for accepted in ("--index-url", "--find-links", "--no-index", "--no-deps", "--proxy"):
                assert accepted in comment
        assert HASH_LINE not in ret.stdout and "notarealhash" not in ret.stdout
        assert "notarealhash" not in c.node.log_file.read_text(errors="replace")
    assert c.http.paths() == []
    assert not driver_files_installed(c.python)
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()
    assert not c.node.path(STATE_DIR).exists()


def test_listed_pip_options_install(compute_node):
    c = compute_node
    c.pillar(
        driver={
            "pip_args": [
                "--no-build-isolation",
                "--no-deps",
                "--no-index",
                "--timeout=30",
                "--retries",
                "1",
                "--disable-pip-version-check",
                "--quiet",
            ]
        }
    )
    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    assert driver_files_installed(c.python)
