"""
Grains of the novadocker formula: is this node a docker compute node, and with what.

``novadocker:compute``
    True when nova.conf's ``[DEFAULT] compute_driver`` is nova-docker's driver, i.e. the node
    has been switched (not merely when pillar asks for it).
``novadocker:driver_version``
    The nova-docker version installed in nova's Python environment (``None``: not installed).
``novadocker:docker_api_version`` / ``novadocker:docker_version``
    The API version (highest) and the server version of the Docker daemon nova-docker talks to
    (``[docker] host_url`` in nova.conf), ``None`` when it does not answer.

So that operators can target, e.g.::

    salt -G 'novadocker:compute:True' novadocker.check
    salt -G 'novadocker:docker_api_version:1.4*' test.ping

Grains are computed when the minion loads them (at start and on ``saltutil.refresh_grains``),
before templates or pillar rendering, so they must stay cheap and may never raise or hang:

* no process is started: the driver version is read from the ``METADATA``/``PKG-INFO`` files
  of nova's environment;
* the daemon is asked ``GET /version`` over its unix socket only, with a bounded total time
  (minion option ``novadocker_grains_timeout``, 1 second by default); TCP/TLS daemons are not
  queried (the grain is then ``None``);
* the settings come from the pillar the minion already holds (``__opts__["pillar"]``, keys
  ``novadocker:root``, ``compute:nova_conf``, ``compute:compute_driver``,
  ``compute:docker:host_url``, ``driver:python``) when present, else from the formula's
  defaults. Nothing here renders pillar or calls the master.
"""

import glob
import json
import logging
import os
import re
import socket
import time
import urllib.parse

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: The formula's defaults (novadocker/parameters/defaults.yaml) for the keys the grains read.
_DEFAULTS = {
    "root": "",
    "nova_conf": "/etc/nova/nova.conf",
    "compute_driver": "novadocker.virt.docker.DockerDriver",
    "host_url": "unix:///var/run/docker.sock",
    "python": "/usr/bin/python3",
}

#: Every spelling of nova-docker's driver class nova accepts in ``compute_driver`` (nova
#: prefixes ``nova.virt.`` to a relative name).
_DOCKER_DRIVERS = frozenset(
    (
        "novadocker.virt.docker.DockerDriver",
        "novadocker.virt.docker.driver.DockerDriver",
        "docker.DockerDriver",
        "docker.driver.DockerDriver",
        "nova.virt.docker.DockerDriver",
        "nova.virt.docker.driver.DockerDriver",
    )
)

#: Total time allowed to the daemon query, in seconds.
_DEFAULT_TIMEOUT = 1.0

_SECTION_RE = re.compile(r"^\[([^\]]+)\]\s*$")


def __virtual__():
    return __virtualname__


def _settings():
    """The few settings the grains need: pillar the minion holds, else the defaults."""
    out = dict(_DEFAULTS)
    try:
        pillar = (__opts__.get("pillar") or {}).get("novadocker") or {}
        if not isinstance(pillar, dict):
            return out
        compute = pillar.get("compute") if isinstance(pillar.get("compute"), dict) else {}
        driver = pillar.get("driver") if isinstance(pillar.get("driver"), dict) else {}
        docker = compute.get("docker") if isinstance(compute.get("docker"), dict) else {}
        for key, value in (
            ("root", pillar.get("root")),
            ("nova_conf", compute.get("nova_conf")),
            ("compute_driver", compute.get("compute_driver")),
            ("host_url", docker.get("host_url")),
            ("python", driver.get("python")),
        ):
            if isinstance(value, str) and (value or key == "root"):
                out[key] = value
    except Exception:  # a grain never raises
        log.debug("novadocker grains: unusable pillar, using defaults", exc_info=True)
    return out


def _prefixed(root, path):
    if not root:
        return path
    return os.path.join(root.rstrip("/"), path.lstrip("/"))


def _read_ini(path, wanted):
    """``{(section, key): value}`` for the ``wanted`` pairs in an oslo-style INI file (the last
    occurrence wins, as in oslo.config); ``None`` when the file cannot be read."""
    found = {}
    section = None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for raw in handle:
                line = raw.strip()
                if not line or line[0] in "#;" or raw[0] in " \t":
                    continue
                match = _SECTION_RE.match(line)
                if match:
                    section = match.group(1).strip()
                    continue
                key, sep, value = line.partition("=")
                if sep and (section, key.strip()) in wanted:
                    found[(section, key.strip())] = value.strip()
    except OSError:
        return None
    return found


def _site_dirs(python):
    """site-packages/dist-packages directories that may belong to ``python``'s environment."""
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    if os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        patterns = [
            os.path.join(prefix, lib, "python*", "site-packages") for lib in ("lib", "lib64")
        ]
    else:
        match = re.match(r"^python(\d+)", os.path.basename(os.path.realpath(python)))
        major = match.group(1) if match else "3"
        patterns = [
            "/usr/lib/python{}/dist-packages".format(major),
            "/usr/local/lib/python{}*/dist-packages".format(major),
            os.path.join(prefix, "lib", "python{}*".format(major), "site-packages"),
            os.path.join(prefix, "lib64", "python{}*".format(major), "site-packages"),
        ]
    dirs = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            if os.path.isdir(path) and path not in dirs:
                dirs.append(path)
    return dirs


def _driver_version(python):
    """The nova-docker version in ``python``'s environment, read from disk; ``None`` if none."""
    if not python or not os.path.isfile(python):
        return None
    for site in _site_dirs(python):
        try:
            entries = sorted(os.listdir(site))
        except OSError:
            continue
        for entry in entries:
            lower = entry.lower()
            if not re.match(r"^nova[-_.]docker-", lower):
                continue
            if lower.endswith(".dist-info"):
                meta = os.path.join(site, entry, "METADATA")
            elif lower.endswith(".egg-info"):
                path = os.path.join(site, entry)
                meta = os.path.join(path, "PKG-INFO") if os.path.isdir(path) else path
            else:
                continue
            headers = {}
            try:
                with open(meta, encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if not line.strip():
                            break
                        key, sep, value = line.partition(":")
                        if sep and key in ("Name", "Version"):
                            headers.setdefault(key, value.strip())
            except OSError:
                continue
            name = re.sub(r"[-_.]+", "-", headers.get("Name", "")).lower()
            if name == "nova-docker" and headers.get("Version"):
                return headers["Version"]
    return None


def _unix_get(path, url, timeout):
    """``GET url`` on the unix socket ``path`` within ``timeout`` seconds in total; the parsed
    JSON body of a 200 answer, else ``None``."""
    deadline = time.monotonic() + timeout
    data = b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall("GET {} HTTP/1.0\r\nHost: docker\r\n\r\n".format(url).encode("ascii"))
        while len(data) < 1024 * 1024:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("no complete answer within {}s".format(timeout))
            sock.settimeout(remaining)
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        return None
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return json.loads(body.decode("utf-8"))


def _unchunk(body):
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def _daemon_versions(host_url, timeout):
    """``(api_version, server_version)`` of the daemon at ``host_url``; ``(None, None)`` when it
    is not a unix socket or does not answer in time."""
    parsed = urllib.parse.urlparse(host_url or "")
    if parsed.scheme != "unix" or not parsed.path:
        return None, None
    if not os.path.exists(parsed.path):
        return None, None
    try:
        info = _unix_get(parsed.path, "/version", timeout)
    except (OSError, ValueError) as exc:
        log.debug("novadocker grains: no answer from %s: %s", host_url, exc)
        return None, None
    if not isinstance(info, dict):
        return None, None
    api, version = info.get("ApiVersion"), info.get("Version")
    return (str(api) if api else None), (str(version) if version else None)


def novadocker():
    """
    Return the ``novadocker`` grain: ``compute``, ``driver_version``, ``docker_api_version``,
    ``docker_version`` (see the module's documentation). Never raises: anything it cannot
    read is ``None`` (``compute``: False).

    CLI Example:

    .. code-block:: bash

        salt '*' grains.get novadocker
        salt -G 'novadocker:compute:True' test.ping
    """
    grain = {
        "compute": False,
        "driver_version": None,
        "docker_api_version": None,
        "docker_version": None,
    }
    try:
        conf = _settings()
        try:
            timeout = float(__opts__.get("novadocker_grains_timeout", _DEFAULT_TIMEOUT))
        except (TypeError, ValueError):
            timeout = _DEFAULT_TIMEOUT
        timeout = min(max(timeout, 0.05), 10.0)
        nova_conf = _prefixed(conf["root"], conf["nova_conf"])
        found = _read_ini(nova_conf, {("DEFAULT", "compute_driver"), ("docker", "host_url")}) or {}
        driver = found.get(("DEFAULT", "compute_driver"))
        grain["compute"] = bool(driver) and (
            driver in _DOCKER_DRIVERS or driver == conf["compute_driver"]
        )
        grain["driver_version"] = _driver_version(conf["python"])
        host_url = found.get(("docker", "host_url")) or conf["host_url"]
        api, version = _daemon_versions(host_url, timeout)
        grain["docker_api_version"], grain["docker_version"] = api, version
    except Exception:  # a grain never raises
        log.warning("novadocker grains: could not compute every value", exc_info=True)
    return {"novadocker": grain}
