"""
TLS as nova-docker's client speaks it, taught once in ``_utils/novadocker_docker.py``: the TLS
settings built from the ``[docker]`` options (:py:func:`driver_tls`), their judgement
(:py:func:`judge_driver`), the client certificate's expiry; the effective ``[docker]`` options
(``_utils/novadocker_nova.py``); the new pillar keys (``_utils/novadocker_schema.py``).

Pure: the utils imported directly, no service, no salt-call. The referee for "exactly as the
driver" is the real docker SDK's ``docker.tls.TLSConfig``, built the way the driver's
``client.py`` builds it (its logic as /work/shared/reference/nova-docker-facts.md states it).
"""

import datetime
import os
import sys

import docker
import pytest

import novadocker_docker as dk
import novadocker_nova
import novadocker_schema

LOOP = "tcp://127.0.0.1:2376"
#: TEST-NET-1 (RFC 5737): a string here only, judged before any connection.
REMOTE = "tcp://192.0.2.10:2375"


def driver_client_tls(options):
    """The ``tls`` argument nova-docker's client passes to docker-py for ``options`` (a
    ``docker.tls.TLSConfig`` or ``False``): a client certificate ``(cert_file, key_file)``
    when either is set; a TLSConfig when ca_file, api_insecure or a client certificate is set,
    ``verify=api_insecure``."""
    cert, key = options.get("cert_file"), options.get("key_file")
    client_cert = (cert, key) if (cert or key) else None
    if options.get("ca_file") or options.get("api_insecure") or client_cert:
        return docker.tls.TLSConfig(
            client_cert=client_cert,
            ca_cert=options.get("ca_file"),
            verify=options.get("api_insecure"),
        )
    return False


def _cases(m):
    return {
        "nothing": {},
        "ca-only": {"ca_file": m.ca_file},
        "ca-insecure-false": {"ca_file": m.ca_file, "api_insecure": False},
        "ca-insecure-true": {"ca_file": m.ca_file, "api_insecure": True},
        "insecure-only": {"api_insecure": True},
        "client-only": {"cert_file": m.client_cert, "key_file": m.client_key},
        "all-verify": {
            "ca_file": m.ca_file,
            "cert_file": m.client_cert,
            "key_file": m.client_key,
            "api_insecure": True,
        },
        "all-no-verify": {
            "ca_file": m.ca_file,
            "cert_file": m.client_cert,
            "key_file": m.client_key,
            "api_insecure": False,
        },
        "empty-strings": {"ca_file": "", "cert_file": "", "key_file": ""},
    }


@pytest.mark.parametrize(
    "case",
    [
        "nothing",
        "ca-only",
        "ca-insecure-false",
        "ca-insecure-true",
        "insecure-only",
        "client-only",
        "all-verify",
        "all-no-verify",
        "empty-strings",
    ],
)
def test_driver_tls_is_what_the_driver_builds(tls_material, case):
    options = _cases(tls_material)[case]
    referee = driver_client_tls(options)
    ours = dk.driver_tls(dict(options, host_url=LOOP))
    if referee is False:
        assert ours is None
        return
    assert ours is not None
    # docker-py: verify False means no verification at all (ca_cert is then ignored).
    assert ours["verify"] is bool(referee.verify)
    assert ours["ca_file"] == referee.ca_cert
    assert (ours["cert_file"], ours["key_file"]) == (referee.cert or (None, None))


def test_the_flag_is_inverted(tls_material):
    """ca_file without api_insecure = True: TLS without any verification of the daemon."""
    tls = dk.driver_tls({"ca_file": tls_material.ca_file})
    assert tls == {"verify": False, "ca_file": tls_material.ca_file, "cert_file": None,
                   "key_file": None}  # fmt: skip
    assert dk.driver_tls({"ca_file": tls_material.ca_file, "api_insecure": True})["verify"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("True", True),
        ("yes", True),
        ("1", True),
        ("ON", True),
        ("false", False),
        ("No", False),
        ("0", False),
        ("off", False),
        (True, True),
        (False, False),
        (None, False),
    ],
)
def test_api_insecure_read_as_oslo_reads_a_bool(value, expected):
    assert dk.nova_bool(value, "api_insecure") is expected


@pytest.mark.parametrize("value", ["maybe", "", "enabled", "tru e"])
def test_api_insecure_nova_refuses(value):
    with pytest.raises(ValueError, match="nova-compute refuses it") as err:
        dk.driver_tls({"api_insecure": value, "ca_file": "/x.pem"})
    assert repr(value) in str(err.value)
    verdict = dk.judge_driver({"host_url": LOOP, "api_insecure": value})
    assert verdict["problems"] == [str(err.value)] and verdict["tls"] is None


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1", "[::1]"],
)
def test_loopback(host):
    assert dk.is_loopback(host) is True


@pytest.mark.parametrize(
    "host", ["192.0.2.10", "0.0.0.0", "10.0.0.1", "docker.example", "localhost.example", "", None]
)
def test_not_loopback(host):
    assert dk.is_loopback(host) is False


# -- the judgement ------------------------------------------------------------------------------


def test_unix_and_loopback_plain_tcp_are_fine():
    for url in ("unix:///var/run/docker.sock", LOOP, "tcp://localhost:2375", "tcp://[::1]:2375"):
        verdict = dk.judge_driver({"host_url": url})
        assert verdict["problems"] == [] and verdict["unsafe"] == [], url
        assert verdict["tls"] is None
    assert dk.judge_driver({})["host_url"] == "unix:///var/run/docker.sock"


@pytest.mark.parametrize("url", [REMOTE, "tcp://docker.example:2375", "http://192.0.2.10:2375"])
def test_plain_tcp_to_another_host_is_refused_unless_accepted(url):
    verdict = dk.judge_driver({"host_url": url})
    (problem,) = verdict["problems"]
    assert problem.startswith(f"[docker] host_url {url} is plain TCP without TLS to ")
    assert "not this host" in problem and "compute:unsafe_plain_tcp: true" in problem
    assert "api_insecure = True" in problem
    accepted = dk.judge_driver({"host_url": url}, unsafe_plain_tcp=True)
    assert accepted["problems"] == [] and accepted["unsafe"] == [problem]
    # The other flag does not accept it.
    assert dk.judge_driver({"host_url": url}, unsafe_unverified_tls=True)["problems"] == [problem]


@pytest.mark.parametrize(
    ("options", "what"),
    [
        ({"ca_file": "/ca.pem"}, "ca_file is set but api_insecure is not True"),
        ({"ca_file": "/ca.pem", "api_insecure": False}, "ca_file is set but api_insecure"),
        ({"ca_file": "/ca.pem", "api_insecure": "false"}, "ca_file is set but api_insecure"),
        (
            {"cert_file": "/c.pem", "key_file": "/k.pem"},
            "a client certificate is set without ca_file and api_insecure = True",
        ),
    ],
)
def test_unverified_tls_is_refused_with_the_flag_explained(options, what):
    for url in (LOOP, "tcp://192.0.2.10:2376"):
        verdict = dk.judge_driver(dict(options, host_url=url))
        (problem,) = verdict["problems"]
        assert problem.startswith(f"[docker] {what}")
        assert "would NOT verify the daemon's certificate" in problem
        assert "The flag is inverted" in problem
        assert "api_insecure = False (the default) means no verification at all" in problem
        assert "compute:docker:api_insecure: true" in problem
        assert "compute:unsafe_unverified_tls: true" in problem
        assert verdict["tls"]["verify"] is False
        accepted = dk.judge_driver(dict(options, host_url=url), unsafe_unverified_tls=True)
        assert accepted["problems"] == [] and accepted["unsafe"] == [problem]


def test_verification_without_a_ca_file_is_refused():
    """api_insecure = True without ca_file: the driver verifies against requests' bundle (the
    public CAs), which the formula cannot check; an https:// URL without options alike."""
    for options in ({"host_url": LOOP, "api_insecure": True}, {"host_url": "https://h.example:1"}):
        verdict = dk.judge_driver(options)
        (problem,) = verdict["problems"]
        assert "without ca_file" in problem and "certifi" in problem
        assert "compute:unsafe_unverified_tls: true" in problem
        assert dk.judge_driver(options, unsafe_unverified_tls=True)["unsafe"] == [problem]


def test_verified_tls_is_fine_on_any_host():
    for url in (LOOP, "tcp://192.0.2.10:2376", "https://192.0.2.10:2376", "http://h.example:1"):
        verdict = dk.judge_driver({"host_url": url, "ca_file": "/ca.pem", "api_insecure": "True"})
        assert verdict["problems"] == [] and verdict["unsafe"] == [], url
        assert verdict["scheme"] == "tcp" and verdict["tls"]["verify"] is True


def test_a_client_certificate_needs_its_key_and_the_reverse():
    for have, lack in (("cert_file", "key_file"), ("key_file", "cert_file")):
        options = {"host_url": LOOP, "ca_file": "/ca.pem", "api_insecure": True, have: "/x.pem"}
        (problem,) = dk.judge_driver(options)["problems"]
        assert problem.startswith(f"[docker] {have} is set without {lack}: ")
        # docker-py's TLSConfig itself refuses it (the referee, with real files).
    with pytest.raises(docker.errors.TLSParameterError):
        docker.tls.TLSConfig(client_cert=(__file__, None))
    # Even for a unix socket: the driver builds the TLSConfig whatever the URL.
    (problem,) = dk.judge_driver({"cert_file": "/x.pem"})["problems"]
    assert problem.startswith("[docker] cert_file is set without key_file")


def test_a_tcp_url_needs_a_port():
    options = {"host_url": "tcp://127.0.0.1", "ca_file": "/ca.pem", "api_insecure": True}
    (problem,) = dk.judge_driver(options)["problems"]
    assert problem.startswith("[docker] host_url tcp://127.0.0.1 names no port")
    # The referee: the docker SDK refuses it too.
    with pytest.raises(docker.errors.DockerException, match="port is required"):
        docker.APIClient(base_url="tcp://127.0.0.1", version="1.24")


def test_a_bad_url_is_a_problem():
    (problem,) = dk.judge_driver({"host_url": "ftp://h:1"})["problems"]
    assert problem.startswith("[docker] host_url: ftp://h:1: only unix://")


def test_driver_probe_never_raises_for_options_nova_refuses():
    state = dk.driver_probe({"host_url": LOOP, "api_insecure": "maybe"}, 1)
    assert state["reachable"] is False
    assert "nova-compute refuses it" in state["error"]


# -- the client certificate's expiry -------------------------------------------------------------


def test_certificate_expiry(tls_material):
    m = tls_material
    now = datetime.datetime.now(datetime.timezone.utc)
    good = dk.certificate_expiry(m.client_cert, now)
    assert good["error"] is None and good["days_left"] > 300
    soon = dk.certificate_expiry(m.soon_client_cert, now)
    assert soon["not_after"] == m.soon_not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert 9 < soon["days_left"] <= 10
    expired = dk.certificate_expiry(m.expired_client_cert, now)
    assert expired["days_left"] < 0
    missing = dk.certificate_expiry(os.path.join(m.dir, "nope.pem"), now)
    assert missing["not_after"] is None and "No such file or directory" in missing["error"]
    garbage = dk.certificate_expiry(m.client_key, now)
    assert garbage["not_after"] is None and garbage["error"].startswith("cannot read the cert")


def test_certificate_expiry_without_cryptography(tls_material, monkeypatch):
    """A minion without the cryptography package: no expiry report, no crash. (A ``None`` in
    sys.modules makes the import fail as a missing package does; uninstalling it from the
    shared venv is not an option.)"""
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(ImportError):
        import cryptography  # noqa: F401
    assert dk.certificate_expiry(tls_material.client_cert) is None


# -- the effective [docker] options -------------------------------------------------------------


def _settings(tmp_path, nova_conf_text, docker=None):
    path = tmp_path / "nova.conf"
    if nova_conf_text is not None:
        path.write_text(nova_conf_text)
    docker = {"host_url": "unix:///var/run/docker.sock"} if docker is None else docker
    return {
        "root": "",
        "paths": {"nova_conf": str(path)},
        "nova_chain": {"files": [str(path)], "dirs": [], "dirs_first": False},
        "driver": {"python": str(tmp_path / "no-python")},
        "compute": {"compute_driver": "novadocker.virt.docker.DockerDriver", "docker": docker},
        "docker_url": docker.get("host_url", "unix:///var/run/docker.sock"),
    }


def test_view_gives_the_docker_options_nova_reads(tmp_path):
    text = (
        "[DEFAULT]\ncompute_driver = novadocker.virt.docker.DockerDriver\n"
        "[Docker]\nhost_url = tcp://127.0.0.1:2376\napi_insecure: yes\n"
        'ca_file = "/etc/nova/ca.pem"\ncert_file = /old.pem\ncert_file = /etc/nova/cert.pem\n'
        "inline = kept\n[other]\nkey_file = /not/docker.pem\n"
    )
    view = novadocker_nova.view(_settings(tmp_path, text))
    assert view["docker_options"] == {
        "host_url": "tcp://127.0.0.1:2376",
        "api_insecure": "yes",
        "ca_file": "/etc/nova/ca.pem",
        "cert_file": "/etc/nova/cert.pem",
    }
    tls = dk.driver_tls(view["docker_options"])
    assert tls["verify"] is True and tls["key_file"] is None


def test_view_without_a_readable_nova_conf_gives_the_settings_options(tmp_path):
    docker = {"host_url": LOOP, "ca_file": "/ca.pem"}
    view = novadocker_nova.view(_settings(tmp_path, None, docker))
    assert view["readable"] is False
    assert view["docker_options"] == docker


def test_planned_options_are_nova_confs_with_the_formulas_over_them(tmp_path):
    text = "[docker]\napi_insecure = True\nca_file = /old-ca.pem\nhost_url = unix:///x.sock\n"
    settings = _settings(tmp_path, text, {"host_url": LOOP, "ca_file": "/ca.pem"})
    planned = novadocker_nova.planned_docker_options(settings)
    assert planned == {"host_url": LOOP, "api_insecure": "True", "ca_file": "/ca.pem"}
    # What nova reads now is still nova.conf's.
    assert novadocker_nova.view(settings)["docker_options"]["ca_file"] == "/old-ca.pem"
    nowhere = _settings(tmp_path / "none", None)
    assert novadocker_nova.docker_options(nowhere, {"a": 1}) == {"a": 1}


# -- the pillar keys ------------------------------------------------------------------------------


def test_unsafe_keys_are_booleans():
    assert (
        novadocker_schema.validate(
            {"compute": {"unsafe_unverified_tls": True, "unsafe_plain_tcp": False}}
        )
        == []
    )
    problems = novadocker_schema.validate(
        {"compute": {"unsafe_unverified_tls": "yes", "unsafe_plain_tcp": 1}}
    )
    assert problems == [
        "novadocker:compute:unsafe_unverified_tls: expected true or false; got 'yes'",
        "novadocker:compute:unsafe_plain_tcp: expected true or false; got 1 (a number; quote it "
        "in YAML)",
    ]
    problems = novadocker_schema.validate({"compute": {"unsafe_plain_tpc": True}})
    assert "(did you mean 'unsafe_plain_tcp'?)" in problems[0]


def test_tls_files_must_be_absolute_paths():
    docker = {"ca_file": "ca.pem", "cert_file": "../cert.pem", "key_file": ""}
    problems = novadocker_schema.validate({"compute": {"docker": docker}})
    assert problems == [
        "novadocker:compute:docker:ca_file: expected '' or an absolute path (starting with /, "
        "without '..' components or line breaks); got 'ca.pem'",
        "novadocker:compute:docker:cert_file: expected '' or an absolute path (starting with /, "
        "without '..' components or line breaks); got '../cert.pem'",
    ]


def test_an_https_url_is_tls_without_any_option():
    """docker-py speaks TLS to https:// whatever the options, verifying the daemon against its
    default bundle: the formula connects the same way (once pillar accepted the missing CA)."""
    verdict = dk.judge_driver({"host_url": "https://127.0.0.1:2376"}, unsafe_unverified_tls=True)
    assert verdict["tls"] == dk.tls_settings(verify=True)
    assert verdict["scheme"] == "tcp" and len(verdict["unsafe"]) == 1
