"""
The formula's one Docker client over TLS, against a real dockerd on tcp://127.0.0.1 with
``--tlsverify`` (test/fixtures/dockerd_tls.py), reached as nova-docker's client reaches it.

Two referees: the docker SDK itself (``docker.APIClient`` with the ``docker.tls.TLSConfig`` the
driver's ``client.py`` builds: the same outcome, daemon answering or not, for every shape of
the ``[docker]`` options), and nova's own config loader (oslo.config from ``.venv-openstack``,
the driver's ``[docker]`` options registered as the driver registers them) for how a nova.conf
``[docker]`` section is read.
"""

import docker
import pytest
import requests

import novadocker_docker as dk
import novadocker_nova
from fixtures.openstack import run_in_openstack_venv

pytestmark = pytest.mark.usefixtures("no_requests_ca_env")

#: An API version every daemon still serves (the SDK then connects on the first call only).
API_VERSION = "1.24"


def driver_client(options):
    """``docker.APIClient`` as nova-docker's client builds it for ``options``."""
    cert, key = options.get("cert_file"), options.get("key_file")
    client_cert = (cert, key) if (cert or key) else None
    tls = False
    if options.get("ca_file") or options.get("api_insecure") or client_cert:
        tls = docker.tls.TLSConfig(
            client_cert=client_cert, ca_cert=options.get("ca_file"), verify=options["api_insecure"]
        )
    return docker.APIClient(base_url=options["host_url"], tls=tls, version=API_VERSION, timeout=10)


def _shapes(m, url):
    good = {"cert_file": m.client_cert, "key_file": m.client_key}
    return {
        "verified": dict(good, ca_file=m.ca_file, api_insecure=True),
        "rogue-ca-verified": dict(good, ca_file=m.rogue_ca_file, api_insecure=True),
        "rogue-ca-inverted-flag": dict(good, ca_file=m.rogue_ca_file, api_insecure=False),
        "ca-inverted-flag": dict(good, ca_file=m.ca_file, api_insecure=False),
        "no-ca-verified": dict(good, api_insecure=True),
        "no-ca-unverified": dict(good, api_insecure=False),
        "rogue-client": {
            "cert_file": m.rogue_client_cert,
            "key_file": m.rogue_client_key,
            "ca_file": m.ca_file,
            "api_insecure": True,
        },
        "expired-client": {
            "cert_file": m.expired_client_cert,
            "key_file": m.expired_client_key,
            "ca_file": m.ca_file,
            "api_insecure": True,
        },
        "soon-client": {
            "cert_file": m.soon_client_cert,
            "key_file": m.soon_client_key,
            "ca_file": m.ca_file,
            "api_insecure": True,
        },
        "no-client-cert": {"ca_file": m.ca_file, "api_insecure": True},
        "plain": {"api_insecure": False},
    }


SHAPES = [
    "verified",
    "rogue-ca-verified",
    "rogue-ca-inverted-flag",
    "ca-inverted-flag",
    "no-ca-verified",
    "no-ca-unverified",
    "rogue-client",
    "expired-client",
    "soon-client",
    "no-client-cert",
    "plain",
]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("shape", SHAPES)
def test_the_daemon_answers_the_formula_exactly_when_it_answers_the_driver(
    dockerd_tls, tls_material, shape
):
    options = dict(_shapes(tls_material, dockerd_tls.url)[shape], host_url=dockerd_tls.url)
    try:
        driver_client(options).version()
        driver_reaches = True
    except (requests.exceptions.RequestException, docker.errors.DockerException):
        driver_reaches = False
    state = dk.driver_probe(options, 5)
    assert state["reachable"] is driver_reaches, state
    expected = {
        "verified": True,
        "rogue-ca-inverted-flag": True,  # the flag is inverted: nothing verified
        "ca-inverted-flag": True,
        "no-ca-unverified": True,
        "soon-client": True,
    }
    assert driver_reaches is expected.get(shape, False)


def test_what_each_failure_says(dockerd_tls, tls_material):
    m, url = tls_material, dockerd_tls.url
    shapes = _shapes(m, url)

    def error(shape):
        state = dk.driver_probe(dict(shapes[shape], host_url=url), 5)
        assert state["reachable"] is False
        return state["error"]

    assert error("rogue-ca-verified") == (
        f"certificate verification of the daemon at {url} failed: unable to get local issuer "
        f"certificate (against ca_file {m.rogue_ca_file})"
    )
    assert error("rogue-client").startswith(
        f"the daemon at {url} refused the client certificate {m.rogue_client_cert} (TLS alert "
        "SSLV3_ALERT_BAD_CERTIFICATE): it must be signed by the CA dockerd trusts"
    )
    assert error("expired-client").startswith(
        f"the daemon at {url} refused the client certificate {m.expired_client_cert} "
    )
    assert error("no-client-cert") == (
        f"the daemon at {url} requires a client certificate (TLS alert "
        "SSLV3_ALERT_BAD_CERTIFICATE) and none is set: set [docker] cert_file and key_file"
    )
    assert error("no-ca-verified").startswith(
        f"certificate verification of the daemon at {url} failed: unable to get local issuer "
        "certificate (against the system's CAs)"
    )
    assert error("plain") == (
        "400 Client sent an HTTP request to an HTTPS server. (the daemon speaks TLS: set "
        "[docker] ca_file, cert_file, key_file and api_insecure = True)"
    )


def test_versions_over_tls_are_the_daemons(dockerd_tls, tls_material):
    options = dict(_shapes(tls_material, dockerd_tls.url)["verified"], host_url=dockerd_tls.url)
    versions = driver_client(options).version()
    state = dk.driver_probe(options, 5)
    assert state == {
        "reachable": True,
        "version": versions["Version"],
        "api_version": versions["ApiVersion"],
        "error": None,
    }
    tls = dk.driver_tls(options)
    answer = dk.ask(dockerd_tls.https_url, "/v1.24/info", 5, tls)
    assert answer["ok"] is True and answer["data"]["ID"]


# -- nova.conf's [docker] section, read as nova reads it -------------------------------------

_NOVA_DOCKER = r"""
from oslo_config import cfg
conf = cfg.ConfigOpts()
conf.register_opts(
    [
        cfg.StrOpt("host_url", default="unix:///var/run/docker.sock"),
        cfg.BoolOpt("api_insecure", default=False),
        cfg.StrOpt("ca_file"),
        cfg.StrOpt("cert_file"),
        cfg.StrOpt("key_file"),
    ],
    "docker",
)
conf(args=["--config-file", params["path"]], default_config_files=[], default_config_dirs=[],
     use_env=False)
result = {}
for name in ("host_url", "api_insecure", "ca_file", "cert_file", "key_file"):
    try:
        result[name] = {"value": conf.docker[name]}
    except Exception as exc:
        result[name] = {"error": "%s: %s" % (type(exc).__name__, exc)}
"""

NOVA_CONFS = {
    "verified": "[docker]\nhost_url = {url}\napi_insecure = True\nca_file = {ca}\n"
    "cert_file = {cert}\nkey_file = {key}\n",
    "yes-quoted-colon": "[Docker]\nhost_url: \"{url}\"\napi_insecure = yes\nca_file: '{ca}'\n"
    "cert_file = {cert}\nkey_file = {key}\n",
    "inverted-default": "[docker]\nhost_url = {url}\nca_file = {ca}\ncert_file = {cert}\n"
    "key_file = {key}\n",
    "repeated-last-wins": "[docker]\nhost_url = {url}\napi_insecure = True\n"
    "api_insecure = 0\nca_file = {ca}\ncert_file = {cert}\nkey_file = {key}\n",
    "empty-ca": "[docker]\nhost_url = {url}\napi_insecure = on\nca_file =\n"
    "cert_file = {cert}\nkey_file = {key}\n",
    "bad-bool": "[docker]\nhost_url = {url}\napi_insecure = maybe\nca_file = {ca}\n",
    "other-section": "[DEFAULT]\napi_insecure = True\n[docker]\nhost_url = {url}\nca_file = {ca}\n",
}


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("shape", sorted(NOVA_CONFS))
def test_a_nova_conf_docker_section_as_nova_and_the_driver_read_it(
    dockerd_tls, tls_material, tmp_path, shape
):
    m = tls_material
    path = tmp_path / "nova.conf"
    path.write_text(
        NOVA_CONFS[shape].format(
            url=dockerd_tls.url, ca=m.ca_file, cert=m.client_cert, key=m.client_key
        )
    )
    referee = run_in_openstack_venv(_NOVA_DOCKER, {"path": str(path)})
    chain = {"nova_chain": {"files": [str(path)], "dirs": [], "dirs_first": False}}
    options = novadocker_nova.docker_options(chain)
    if "error" in referee["api_insecure"]:
        assert "Unexpected boolean value 'maybe'" in referee["api_insecure"]["error"]
        with pytest.raises(ValueError, match="nova-compute refuses it"):
            dk.driver_tls(options)
        return
    nova = {name: item["value"] for name, item in referee.items()}
    tls = dk.driver_tls(options)
    assert tls["verify"] is nova["api_insecure"]
    assert tls["ca_file"] == (nova["ca_file"] or None)
    assert (tls["cert_file"], tls["key_file"]) == (nova["cert_file"], nova["key_file"])
    assert options["host_url"] == nova["host_url"]
    # ... and the daemon answers the formula exactly when it answers the driver.
    try:
        driver_client(nova).version()
        driver_reaches = True
    except (requests.exceptions.RequestException, docker.errors.DockerException):
        driver_reaches = False
    assert dk.driver_probe(options, 5)["reachable"] is driver_reaches
