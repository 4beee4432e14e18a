"""
``novadocker_daemon.validate`` / ``tls_files`` / ``probe`` (Salt's real loader, this process)
against a real dockerd on tcp://127.0.0.1 with ``--tlsverify`` and certificates made in the
test, with the test's real nova user: the TLS settings built from the ``[docker]`` options as
the driver builds them, the endpoint judged before any connection, the TLS files checked (never
changed) for the nova user, the client certificate's expiry.
"""

import os
import stat
import sys
import time

import pytest


pytestmark = pytest.mark.usefixtures("no_requests_ca_env")

#: TEST-NET-1 (RFC 5737): only ever a string here, refused before any connection.
REMOTE = "tcp://192.0.2.10:2375"


@pytest.fixture(scope="module")
def mod(formula_loader):
    return formula_loader.ns("novadocker_daemon")


@pytest.fixture
def validate(mod, dockerd_tls, nova_user):
    def run(options=None, url=None, **kwargs):
        kwargs.setdefault("user", nova_user.user)
        return mod.validate(url or dockerd_tls.url, api_version="1.24", options=options, **kwargs)

    return run


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_verified_tls_with_a_client_certificate(validate, dockerd_tls, nova_tls, nova_user):
    sdk = nova_tls.sdk(dockerd_tls.url)
    versions, info = sdk.version(), sdk.info()
    report = validate(nova_tls.options(dockerd_tls.url))
    assert report["ok"] is True, report["problems"]
    assert report["asked"] is True and report["socket"] is None
    assert report["server_version"] == versions["Version"]
    assert report["api_version"] == versions["ApiVersion"]
    assert report["storage_driver"] == info["Driver"]
    tls = report["tls"]
    assert tls["enabled"] is True and tls["verify"] is True and tls["user_exists"] is True
    assert {k: (f["path"], f["user_access"]) for k, f in tls["files"].items()} == {
        "ca_file": (nova_tls.ca_file, True),
        "cert_file": (nova_tls.cert_file, True),
        "key_file": (nova_tls.key_file, True),
    }
    assert tls["files"]["key_file"]["mode"] == "0640"
    assert tls["certificate"]["days_left"] > 300 and tls["certificate"]["error"] is None
    assert report["warnings"] == [] and report["unsafe"] == []


def test_a_ca_that_did_not_sign_the_daemon(validate, dockerd_tls, nova_tls):
    report = validate(nova_tls.options(dockerd_tls.url, ca_file=nova_tls.rogue_ca_file))
    assert report["ok"] is False and report["asked"] is True and report["reachable"] is False
    (problem,) = report["problems"]
    assert problem.startswith(
        f"Docker daemon is not reachable at {dockerd_tls.url}: certificate verification of the "
        f"daemon at {dockerd_tls.url} failed: unable to get local issuer certificate (against "
        f"ca_file {nova_tls.rogue_ca_file})"
    )


@pytest.mark.parametrize("insecure", [False, "False", None])
def test_ca_file_without_api_insecure_is_refused_before_any_connection(
    validate, dockerd_tls, nova_tls, insecure
):
    options = nova_tls.options(dockerd_tls.url, api_insecure=insecure)
    report = validate(options)
    assert report["ok"] is False and report["asked"] is False
    (problem,) = report["problems"]
    assert "ca_file is set but api_insecure is not True" in problem
    assert "The flag is inverted" in problem and "compute:unsafe_unverified_tls" in problem
    # Accepted by pillar: asked (with no verification at all, as the driver would), passes,
    # and the problem moves to ``unsafe``.
    report = validate(options, unsafe_unverified_tls=True)
    assert report["ok"] is True, report["problems"]
    assert report["unsafe"] == [problem] and report["tls"]["verify"] is False


def test_a_client_certificate_the_daemon_refuses(validate, dockerd_tls, nova_tls):
    options = nova_tls.options(
        dockerd_tls.url, cert_file=nova_tls.rogue_cert_file, key_file=nova_tls.rogue_key_file
    )
    report = validate(options)
    assert report["ok"] is False and report["asked"] is True
    (problem,) = report["problems"]
    assert (
        f"the daemon at {dockerd_tls.url} refused the client certificate "
        f"{nova_tls.rogue_cert_file} (TLS alert SSLV3_ALERT_BAD_CERTIFICATE)" in problem
    )


def test_a_key_readable_by_others_is_refused_and_left_alone(validate, dockerd_tls, nova_tls):
    key = nova_tls.copy(nova_tls.key_file, "key-0644.pem", 0o644)
    report = validate(nova_tls.options(dockerd_tls.url, key_file=key))
    assert report["ok"] is False and report["asked"] is False
    (problem,) = report["problems"]
    assert problem.startswith(
        f"[docker] key_file {key} (client key) is readable by every local user (root:"
    )
    assert " 0644): " in problem and "never changes it" in problem
    assert _mode(key) == 0o644  # checked, never changed


def test_the_nova_user_must_read_every_file(validate, mod, dockerd_tls, nova_tls, nova_user):
    # root:root 0600: nova cannot read the key.
    key = nova_tls.copy(nova_tls.key_file, "key-root-0600.pem", 0o600, gid=0)
    report = validate(nova_tls.options(dockerd_tls.url, key_file=key))
    assert report["ok"] is False and report["asked"] is False
    assert report["problems"] == [
        f"user {nova_user.user} (nova-compute) cannot read [docker] key_file {key} (client key), "
        "root:root 0600: give it read access as owner or through the file's group, without "
        "making the key readable by others"
    ]
    # Owned by nova, 0600: fine.
    own = nova_tls.copy(nova_tls.key_file, "key-nova-0600.pem", 0o600, uid=nova_user.uid)
    assert validate(nova_tls.options(dockerd_tls.url, key_file=own))["ok"] is True
    # A CA certificate in a directory nova cannot search.
    hidden = os.path.join(nova_tls.dir, "hidden")
    os.makedirs(hidden, exist_ok=True)
    os.chmod(hidden, 0o700)
    ca = nova_tls.copy(nova_tls.ca_file, "hidden/ca.pem", 0o644)
    info = mod.tls_files(ca_file=ca, user=nova_user.user)
    assert info["files"]["ca_file"]["user_access"] is False
    assert info["problems"] == [
        f"user {nova_user.user} (nova-compute) cannot reach [docker] ca_file {ca} (CA "
        f"certificate): it cannot search directory {hidden}"
    ]


def test_missing_and_world_writable_files(mod, nova_tls, nova_user):
    missing = os.path.join(nova_tls.dir, "no-such-cert.pem")
    writable = nova_tls.copy(nova_tls.ca_file, "ca-0666.pem", 0o666)
    info = mod.tls_files(ca_file=writable, cert_file=missing, user=nova_user.user)
    assert info["problems"] == [
        f"[docker] ca_file {writable} (CA certificate) is writable by every local user (root:"
        f"{nova_user.user} 0666): anyone could replace it; make it writable by its owner only",
        f"[docker] cert_file {missing} (client certificate): No such file or directory; the "
        "driver cannot start without it",
    ]
    assert info["files"]["cert_file"]["exists"] is False
    assert _mode(writable) == 0o666
    nobody = mod.tls_files(ca_file=nova_tls.ca_file, user="ndtnosuchuser")
    assert nobody["user_exists"] is False
    assert nobody["problems"][0].startswith("user ndtnosuchuser does not exist")


def test_the_client_certificates_expiry(validate, dockerd_tls, nova_tls):
    soon = validate(
        nova_tls.options(
            dockerd_tls.url, cert_file=nova_tls.soon_cert_file, key_file=nova_tls.soon_key_file
        )
    )
    assert soon["ok"] is True, soon["problems"]
    not_after = nova_tls.material.soon_not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert soon["tls"]["certificate"]["not_after"] == not_after
    assert soon["warnings"] == [
        f"[docker] cert_file {nova_tls.soon_cert_file} (client certificate) expires on "
        f"{not_after}, in 10 days: renew it before then"
    ]
    expired = validate(
        nova_tls.options(
            dockerd_tls.url,
            cert_file=nova_tls.expired_cert_file,
            key_file=nova_tls.expired_key_file,
        )
    )
    assert expired["ok"] is False and expired["asked"] is False
    (problem,) = expired["problems"]
    assert problem.startswith(
        f"[docker] cert_file {nova_tls.expired_cert_file} (client certificate) expired on "
    )


def test_plain_tcp_to_another_host_is_refused_without_connecting(validate):
    started = time.monotonic()
    report = validate({}, url=REMOTE, timeout=30)
    assert time.monotonic() - started < 1.0
    assert report["ok"] is False and report["asked"] is False and report["reachable"] is False
    (problem,) = report["problems"]
    assert problem.startswith(f"[docker] host_url {REMOTE} is plain TCP without TLS to 192.0.2.10")
    # No options at all: the URL alone is judged the same way.
    assert validate(None, url=REMOTE)["problems"] == [problem]


def test_probe_reaches_the_daemon_as_the_driver_does(mod, dockerd_tls, nova_tls):
    good = mod.probe(dockerd_tls.url, 5, options=nova_tls.options(dockerd_tls.url))
    assert good["reachable"] is True and good["api_version"]
    plain = mod.probe(dockerd_tls.url, 5)
    assert plain["reachable"] is False and "HTTPS server" in plain["error"]


def test_no_cryptography_package_no_expiry_report(validate, dockerd_tls, nova_tls, monkeypatch):
    """A minion without the cryptography package still validates; the report says why it has
    no expiry. (A ``None`` in sys.modules makes the import fail as a missing package does; the
    shared venv is not touched.)"""
    monkeypatch.setitem(sys.modules, "cryptography", None)
    report = validate(nova_tls.options(dockerd_tls.url))
    assert report["ok"] is True, report["problems"]
    assert report["tls"]["certificate"] == {
        "path": nova_tls.cert_file,
        "not_after": None,
        "days_left": None,
        "error": "no expiry report: the cryptography package is not installed for Salt",
    }
