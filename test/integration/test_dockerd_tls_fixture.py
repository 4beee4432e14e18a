"""
Self-test of fixtures/dockerd_tls.py: the certificates are what they claim, and the real TLS
daemon accepts and refuses through the docker SDK (``docker.APIClient``) as a nova-docker
driver would meet it. No mocks: every call goes to the daemon on 127.0.0.1.
"""

import datetime
import ipaddress
import os
import socket
import stat

import docker
import pytest
import requests
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from fixtures.dockerd_tls import SOON_DAYS

#: An API version every daemon still serves: a fixed version makes ``APIClient()`` connect
#: only on the first call (``version=None``/``"auto"`` asks the daemon in the constructor).
API_VERSION = "1.24"

pytestmark = pytest.mark.usefixtures("no_requests_ca_env")


def _client(url, tls, version=API_VERSION):
    return docker.APIClient(base_url=url, tls=tls, version=version, timeout=10)


def _tls(cert, key, ca, verify=True):
    return docker.tls.TLSConfig(client_cert=(cert, key), ca_cert=ca, verify=verify)


def _load(path):
    with open(path, "rb") as fh:
        return x509.load_pem_x509_certificate(fh.read())


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# -- the material ---------------------------------------------------------------------------


def test_material_files_and_modes(tls_material):
    m = tls_material
    keys = [getattr(m, a) for a in dir(m) if a.endswith("_key") and isinstance(getattr(m, a), str)]
    certs = [m.ca_file, m.rogue_ca_file] + [
        getattr(m, a) for a in dir(m) if a.endswith("_cert") and isinstance(getattr(m, a), str)
    ]
    assert len(keys) == 8 and len(certs) == 8
    for path in keys:
        assert os.path.dirname(path) == m.dir
        assert _mode(path) == 0o600, path
    for path in certs:
        assert _mode(path) == 0o644, path

    copy = m.key_copy(mode=0o644)
    assert _mode(copy) == 0o644 and copy != m.client_key
    with open(copy, "rb") as a, open(m.client_key, "rb") as b:
        assert a.read() == b.read()
    assert _mode(m.client_key) == 0o600
    other = m.key_copy(m.server_key, 0o640, dest=os.path.join(m.dir, "k.pem"))
    assert other == os.path.join(m.dir, "k.pem") and _mode(other) == 0o640


def test_material_certificates(tls_material):
    m = tls_material
    ca, rogue_ca = _load(m.ca_file), _load(m.rogue_ca_file)
    server = _load(m.server_cert)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]

    def usage(cert):
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)

    assert usage(server) == [ExtendedKeyUsageOID.SERVER_AUTH]
    for path in (m.client_cert, m.soon_client_cert, m.expired_client_cert):
        cert = _load(path)
        assert cert.issuer == ca.subject
        assert usage(cert) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        cert.verify_directly_issued_by(ca)
    for path in (m.rogue_server_cert, m.rogue_client_cert):
        _load(path).verify_directly_issued_by(rogue_ca)
        with pytest.raises(Exception):  # noqa: B017 - not the real CA's signature
            _load(path).verify_directly_issued_by(ca)

    now = datetime.datetime.now(datetime.timezone.utc)
    left = _load(m.soon_client_cert).not_valid_after_utc - now
    assert datetime.timedelta(days=SOON_DAYS - 1) < left <= datetime.timedelta(days=SOON_DAYS)
    assert _load(m.soon_client_cert).not_valid_after_utc == m.soon_not_after
    assert _load(m.expired_client_cert).not_valid_after_utc < now
    assert _load(m.client_cert).not_valid_after_utc - now > datetime.timedelta(days=300)


# -- the daemon -----------------------------------------------------------------------------


def test_daemon_address(dockerd_tls):
    assert dockerd_tls.host == "127.0.0.1"
    assert dockerd_tls.url == f"tcp://127.0.0.1:{dockerd_tls.port}"
    assert dockerd_tls.https_url == f"https://127.0.0.1:{dockerd_tls.port}"
    assert dockerd_tls.pid is not None and dockerd_tls.ping()
    argv = dockerd_tls.argv
    for flag in ("--tlsverify", "--storage-driver=vfs", "--bridge=none", "--iptables=false"):
        assert flag in argv
    assert argv[argv.index("--tlscacert") + 1] == dockerd_tls.tls.ca_file


@pytest.mark.parametrize("scheme", ["tcp", "https"])
def test_good_client_verified(dockerd_tls, tls_material, scheme):
    m = tls_material
    url = f"{scheme}://127.0.0.1:{dockerd_tls.port}"
    client = _client(url, _tls(m.client_cert, m.client_key, m.ca_file), version=None)
    # The SDK turns tcp:// into https:// when tls is given.
    assert client.base_url == dockerd_tls.https_url
    version = client.version()
    assert version["ApiVersion"] == client.api_version
    assert version["ApiVersion"].startswith("1.")


def test_soon_expiring_client_still_accepted(dockerd_tls, tls_material):
    m = tls_material
    tls = _tls(m.soon_client_cert, m.soon_client_key, m.ca_file)
    assert _client(dockerd_tls.url, tls).version()["ApiVersion"]


def test_localhost_name_verified(dockerd_tls, tls_material):
    m = tls_material
    tls = _tls(m.client_cert, m.client_key, m.ca_file)
    assert _client(f"tcp://localhost:{dockerd_tls.port}", tls).version()["ApiVersion"]


def test_wrong_ca_fails_verification(dockerd_tls, tls_material):
    m = tls_material
    client = _client(dockerd_tls.url, _tls(m.client_cert, m.client_key, m.rogue_ca_file))
    with pytest.raises(requests.exceptions.SSLError) as err:
        client.version()
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)
    assert "certificate verify failed: unable to get local issuer certificate" in str(err.value)

    # version=None/"auto": the same failure, raised by the constructor as a DockerException.
    with pytest.raises(docker.errors.DockerException) as err:
        _client(dockerd_tls.url, _tls(m.client_cert, m.client_key, m.rogue_ca_file), None)
    assert str(err.value).startswith("Error while fetching server API version: ")
    assert "certificate verify failed" in str(err.value)
    assert isinstance(err.value.__context__, requests.exceptions.SSLError)


@pytest.mark.parametrize("which", ["rogue", "expired", "none"])
def test_client_certificate_refused(dockerd_tls, tls_material, which):
    m = tls_material
    if which == "none":
        tls = docker.tls.TLSConfig(ca_cert=m.ca_file, verify=True)
    else:
        cert, key = getattr(m, f"{which}_client_cert"), getattr(m, f"{which}_client_key")
        tls = _tls(cert, key, m.ca_file)
    client = _client(dockerd_tls.url, tls)
    with pytest.raises(requests.exceptions.SSLError) as err:
        client.version()
    # The daemon's alert, seen by the client (TLS 1.3: on the first read after the handshake).
    assert "SSLV3_ALERT_BAD_CERTIFICATE" in str(err.value)
    assert "sslv3 alert bad certificate" in str(err.value)
    assert "certificate verify failed" not in str(err.value)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_still_presents_client_cert(dockerd_tls, tls_material):
    m = tls_material
    # verify=False: the server is not checked at all (even against a CA that did not sign it),
    # but the client certificate is still sent, so the daemon accepts the call.
    for ca in (m.ca_file, m.rogue_ca_file, None):
        tls = _tls(m.client_cert, m.client_key, ca, verify=False)
        assert _client(dockerd_tls.url, tls).version()["ApiVersion"]
    # ... and without an accepted client certificate it still refuses.
    tls = _tls(m.rogue_client_cert, m.rogue_client_key, None, verify=False)
    with pytest.raises(requests.exceptions.SSLError, match="bad certificate"):
        _client(dockerd_tls.url, tls).version()


def test_verify_true_without_ca_uses_public_bundle(dockerd_tls, tls_material):
    m = tls_material
    tls = _tls(m.client_cert, m.client_key, None, verify=True)
    with pytest.raises(requests.exceptions.SSLError, match="certificate verify failed"):
        _client(dockerd_tls.url, tls).version()
    # verify may also be the CA path itself.
    tls = _tls(m.client_cert, m.client_key, None, verify=m.ca_file)
    assert _client(dockerd_tls.url, tls).version()["ApiVersion"]


def test_plain_http_to_tls_port_fails(dockerd_tls):
    client = _client(dockerd_tls.url, False)
    assert client.base_url == f"http://127.0.0.1:{dockerd_tls.port}"
    with pytest.raises(docker.errors.APIError) as err:
        client.version()
    assert err.value.response.status_code == 400
    assert "Client sent an HTTP request to an HTTPS server." in str(err.value)


def test_requests_ca_bundle_env_overrides_tlsconfig(dockerd_tls, tls_material, monkeypatch):
    m = tls_material
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m.rogue_ca_file)
    client = _client(dockerd_tls.url, _tls(m.client_cert, m.client_key, m.ca_file))
    with pytest.raises(requests.exceptions.SSLError, match="certificate verify failed"):
        client.version()
    client.trust_env = False
    assert client.version()["ApiVersion"]


def test_beside_the_unix_socket_daemon(dockerd, dockerd_tls, tls_material):
    assert dockerd.ping() and dockerd_tls.ping()
    assert dockerd.pid != dockerd_tls.pid
    assert os.path.exists(os.path.join(dockerd.tmp, "exec", "containerd", "containerd.sock"))
    assert os.path.exists(os.path.join(dockerd_tls.tmp, "exec", "containerd", "containerd.sock"))
    m = tls_material
    tls_info = _client(dockerd_tls.url, _tls(m.client_cert, m.client_key, m.ca_file)).info()
    unix_info = docker.APIClient(base_url=dockerd.url, version=API_VERSION).info()
    # Its own identity key (the unix daemons share /etc/docker/key.json).
    assert tls_info["ID"] != unix_info["ID"]
    assert os.path.exists(dockerd_tls.trust_key)
    assert tls_info["DockerRootDir"] == os.path.join(dockerd_tls.tmp, "data")
    assert unix_info["DockerRootDir"] == os.path.join(dockerd.tmp, "data")


def test_stop_and_start_keep_the_port(dockerd_tls_private, tls_material):
    daemon, m = dockerd_tls_private, tls_material
    port = daemon.port
    daemon.stop()
    assert daemon.pid is None and not daemon.ping()
    with pytest.raises(requests.exceptions.ConnectionError) as err:
        _client(daemon.url, _tls(m.client_cert, m.client_key, m.ca_file)).version()
    assert "Connection refused" in str(err.value)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((daemon.host, port), timeout=2).close()
    daemon.start()
    assert daemon.port == port
    assert _client(daemon.url, _tls(m.client_cert, m.client_key, m.ca_file)).version()
