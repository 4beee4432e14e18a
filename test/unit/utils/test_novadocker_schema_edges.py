"""novadocker_schema: the keys and rules issue 12 added. pip_args takes a documented list of
pip install options (item 3); timeouts (items 8, 9); credentials apart from the URL (item 2),
never shown."""

import pathlib

import pytest
import salt.utils.yaml

import novadocker_schema as schema

DEFAULTS = pathlib.Path(__file__).resolve().parents[3] / "novadocker/parameters/defaults.yaml"


def validate(data):
    return schema.validate(data, salt.utils.yaml.safe_load(DEFAULTS.read_text())["values"])


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--no-deps", "--no-build-isolation"],
        ["--index-url", "https://pypi.internal/simple", "--trusted-host", "pypi.internal"],
        ["-i", "https://pypi.internal/simple", "-f", "/srv/wheels", "--no-index", "-q"],
        ["--find-links=/srv/wheels", "--timeout=30", "--retries", "2"],
        ["--proxy", "http://proxy:3128", "--cert", "/etc/ssl/ca.pem"],
        ["--break-system-packages", "--prefer-binary", "--only-binary", ":all:"],
    ],
)
def test_listed_pip_options_are_accepted(args):
    assert validate({"driver": {"pip_args": args}}) == []


@pytest.mark.parametrize(
    "args, index, bad",
    [
        (["-r", "/etc/shadow"], 0, "-r"),
        (["--requirement", "/etc/shadow"], 0, "--requirement"),
        (["--requirement=/etc/shadow"], 0, "--requirement=/etc/shadow"),
        (["-c", "c.txt"], 0, "-c"),
        (["--constraint=c.txt"], 0, "--constraint=c.txt"),
        (["-e", "git+https://x/y"], 0, "-e"),
        (["--editable", "."], 0, "--editable"),
        (["--no-deps", "requests"], 1, "requests"),
        (["--target", "/tmp/x"], 0, "--target"),
        (["--user"], 0, "--user"),
        (["-rfile.txt"], 0, "-rfile.txt"),
        (["--no-deps", "--index-url"], 1, "--index-url"),
        (["--no-deps=yes"], 0, "--no-deps=yes"),
    ],
)
def test_other_pip_arguments_are_refused_naming_key_value_and_the_list(args, index, bad):
    problems = validate({"driver": {"pip_args": args}})
    assert len(problems) == 1, problems
    assert problems[0].startswith("novadocker:driver:pip_args:{}: ".format(index))
    assert problems[0].endswith("got {!r}".format(bad))


def test_a_refused_pip_argument_is_shown_without_its_credentials():
    problems = validate({"driver": {"pip_args": ["--extra-index", "https://u:S3cr3t@h/simple"]}})
    assert problems and all("S3cr3t" not in p for p in problems)


@pytest.mark.parametrize("key", ["lock_timeout", "driver:download_timeout"])
@pytest.mark.parametrize("bad", [0, -1, "300", True, 100000, None])
def test_timeouts_are_seconds(key, bad):
    data = {"lock_timeout": bad} if key == "lock_timeout" else {"driver": {"download_timeout": bad}}
    problems = validate(data)
    assert len(problems) == 1 and problems[0].startswith("novadocker:{}: ".format(key))
    assert "seconds" in problems[0]


@pytest.mark.parametrize("good", [1, 2.5, 300, 86400])
def test_timeouts_accept_seconds(good):
    assert validate({"lock_timeout": good, "driver": {"download_timeout": good}}) == []


def test_credentials_apart_from_the_url():
    ok = {"source": "https://h/x.zip", "source_username": "deploy", "source_password": "pw"}
    assert validate({"driver": ok}) == []
    for driver, fragment in [
        ({"source": "https://h/x.zip", "source_password": "pw"}, "the user going with"),
        ({"source": "salt://x.zip", "source_username": "u", "source_password": "pw"}, "only for"),
        (
            {"source": "https://u:pw@h/x.zip", "source_username": "u", "source_password": "pw"},
            "give them once",
        ),
        ({"source": "https://h/x.zip", "source_username": "a:b"}, "no ':'"),
    ]:
        problems = validate({"driver": driver})
        assert len(problems) == 1 and fragment in problems[0], problems
        assert all("pw" not in p.split("; got")[-1] for p in problems), problems


def test_a_bad_password_is_never_shown():
    driver = {"source": "https://h/x", "source_username": "u", "source_password": "a\nS3cr3t"}
    problems = validate({"driver": driver})
    assert len(problems) == 1 and "S3cr3t" not in problems[0]
    assert "(not shown)" in problems[0]


def test_a_bad_source_is_shown_without_its_credentials():
    problems = validate({"driver": {"source": "ftp://u:S3cr3t@h/x.zip?token=T0k"}})
    assert len(problems) == 1
    assert "S3cr3t" not in problems[0] and "T0k" not in problems[0]
    assert "ftp://***@h/x.zip?token=***" in problems[0]
