"""
Bad pillar end to end: the run fails with the key path, the bad value and what is accepted,
and nothing on the node changes (in test mode too). The schema's unit tests cover the full
list of rules; here each case goes through salt-call --local state.apply novadocker.
"""

import pytest

from testpaths import DATA

pytestmark = pytest.mark.slow

CASES = [
    pytest.param(
        {"compute": {"enabled": "yes"}},
        ["novadocker:compute:enabled", "'yes'"],
        id="bool-as-string",
    ),
    pytest.param(
        {"compute": {"enabled": True, "compute_drvier": "x.Y"}},
        ["novadocker:compute:compute_drvier", "compute_driver"],
        id="typo-did-you-mean",
    ),
    pytest.param(
        {"driver": {"release": "zed"}},
        ["novadocker:driver:release", "'zed'", "mitaka"],
        id="unknown-release",
    ),
    pytest.param(
        {"compute": {"enabled": True, "nova_conf": "etc/nova/nova.conf"}},
        ["novadocker:compute:nova_conf", "etc/nova/nova.conf"],
        id="relative-path",
    ),
    pytest.param(
        {
            "compute": {"enabled": True, "docker": {"privileged": True}},
            "driver": {"release": "kilo"},
        },
        ["novadocker:compute:docker:privileged", "liberty"],
        id="option-from-a-later-release",
    ),
    pytest.param(
        {"image": {"enabled": True, "container_formats": ["docker", "vhd"]}},
        ["novadocker:image:container_formats", "'vhd'"],
        id="unknown-container-format",
    ),
    pytest.param(
        {"compute": {"enabled": True}, "driver": {"source": "ftp://x/nd.zip"}},
        ["novadocker:driver:source", "https"],
        id="bad-url-scheme",
    ),
    pytest.param("compute", ["novadocker", "mapping"], id="not-a-mapping"),
]


@pytest.mark.parametrize("test_mode", [False, True], ids=["apply", "test-mode"])
@pytest.mark.parametrize("bad,fragments", CASES)
def test_bad_pillar_fails_clearly_and_changes_nothing(node, bad, fragments, test_mode):
    if isinstance(bad, dict):
        bad = dict(bad, root=str(node.root))
        for role in ("compute", "image"):
            if isinstance(bad.get(role), dict):
                bad[role].setdefault("service", False)
    node.set_pillar({"novadocker": bad})
    ret, states = node.apply(test=test_mode)
    assert ret.returncode != 0
    valid = states["novadocker-pillar-valid"]
    assert valid["result"] is False
    for fragment in fragments:
        assert fragment in valid["comment"], valid["comment"]
    # Only the validation state renders: nothing else ran, nothing changed.
    assert list(states) == ["novadocker-pillar-valid"]
    assert node.path("/etc/nova/nova.conf").read_bytes() == (DATA / "nova.conf").read_bytes()
    assert (
        node.path("/etc/glance/glance-api.conf").read_bytes()
        == (DATA / "glance-api.conf").read_bytes()
    )
    assert not node.path("/etc/nova/rootwrap.d/docker.filters").exists()
    assert not node.path("/var/lib/novadocker").exists()
    assert node.restarts() == []


def test_all_problems_are_reported_at_once(node):
    node.set_pillar(
        {
            "novadocker": {
                "root": str(node.root),
                "compute": {"enabled": "yes", "nova_conf": "relative"},
                "driver": {"release": "nope"},
                "image": {"container_formats": ["vhd"]},
            }
        }
    )
    ret, states = node.apply()
    comment = states["novadocker-pillar-valid"]["comment"]
    for key in (
        "novadocker:compute:enabled",
        "novadocker:compute:nova_conf",
        "novadocker:driver:release",
        "novadocker:image:container_formats",
    ):
        assert key in comment, comment
