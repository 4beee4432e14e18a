"""
Issue 12, item 11: the formula's INI reader refuses exactly the files oslo.config refuses.

The referee is the real oslo.config (``oslo_config_value`` of test/fixtures/openstack.py, a
fresh process of ``.venv-openstack``; nova's own loader, ``nova_effective_config``, for the
shapes an operator meets most): for every file shape, ``novadocker_ini.oslo_problem`` finds a
problem if, and only if, oslo.config refuses the file, and the line it names is the line at
fault.
"""

import pytest

import novadocker_ini
from fixtures.openstack import OsloConfigRefused, nova_effective_config, oslo_config_value
from testpaths import DATA

BOM = b"\xef\xbb\xbf"

#: (id, file bytes, the 1-based line the formula names, or None when oslo.config accepts it)
CASES = [
    ("nova-sample", (DATA / "nova.conf").read_bytes(), None),
    ("glance-sample", (DATA / "glance-api.conf").read_bytes(), None),
    ("empty", b"", None),
    ("comments-only", b"# a comment\n; another = one\n", None),
    ("plain", b"[DEFAULT]\ndebug = true\n", None),
    ("colon", b"[DEFAULT]\ndebug: true\n", None),
    ("empty-value", b"[DEFAULT]\ndebug =\n", None),
    ("continuation", b"[DEFAULT]\ndebug = a\n  b\n\tc\n", None),
    ("crlf", b"[DEFAULT]\r\ndebug = true\r\n", None),
    ("cr", b"[DEFAULT]\rdebug = true\r", None),
    ("blank-section-name", b"[ ]\ndebug = true\n", None),
    ("no-final-newline", b"[DEFAULT]\ndebug = true", None),
    ("utf8-value", "[DEFAULT]\ndebug = café\n".encode(), None),
    ("blank-lines-with-spaces", b"[DEFAULT]\n   \ndebug = true\n", None),
    ("bom", BOM + b"[DEFAULT]\ndebug = true\n", 1),
    ("bom-before-comment-with-equals", BOM + b"# a = b\n[DEFAULT]\n", 1),
    ("bom-alone", BOM, 1),
    ("key-before-section", b"debug = true\n[DEFAULT]\n", 1),
    ("key-before-section-after-comments", b"# header\n\ndebug = true\n[DEFAULT]\n", 3),
    ("no-separator", b"[DEFAULT]\ndebug\n", 2),
    ("empty-key", b"[DEFAULT]\n= true\n", 2),
    ("unterminated-section", b"[DEFAULT\ndebug = true\n", 1),
    ("empty-section", b"[]\ndebug = true\n", 1),
    ("indented-first-line", b"  debug = true\n[DEFAULT]\n", 1),
    ("indented-after-header", b"[DEFAULT]\n  debug = true\n", 2),
    ("indented-after-blank", b"[DEFAULT]\ndebug = a\n\n  b\n", 4),
    ("indented-after-comment", b"[DEFAULT]\ndebug = a\n# c\n  b\n", 4),
    ("latin-1-byte", b"[DEFAULT]\ndebug = caf\xe9\n", 2),
]


def referee(data):
    try:
        oslo_config_value(data, "DEFAULT", "debug")
    except OsloConfigRefused as exc:
        return exc.error
    return None


@pytest.mark.parametrize("data, line", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_reader_refuses_exactly_what_oslo_config_refuses(data, line):
    problem = novadocker_ini.oslo_problem(novadocker_ini.parse(data))
    refused = referee(data)
    if line is None:
        assert refused is None and problem is None, (refused, problem)
    else:
        assert refused is not None, "oslo.config accepts it"
        assert problem is not None, refused
        assert problem["line"] == line, (problem, refused)
        assert problem["reason"]


@pytest.mark.parametrize(
    "data",
    [
        BOM + (DATA / "nova.conf").read_bytes(),
        b"debug = true\n" + (DATA / "nova.conf").read_bytes(),
        (DATA / "nova.conf").read_bytes().replace(b"[DEFAULT]\n", b"[DEFAULT]\n  debug = 1\n", 1),
    ],
    ids=["bom", "key-before-section", "indented-after-header"],
)
def test_nova_cannot_start_with_what_the_reader_refuses(tmp_path, data):
    path = tmp_path / "nova.conf"
    path.write_bytes(data)
    assert "error" in nova_effective_config(["--config-file", str(path)])
    assert novadocker_ini.oslo_problem(novadocker_ini.parse(data)) is not None
