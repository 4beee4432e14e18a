"""
Beacon: watch the Docker daemon of a docker compute node and fire an event when it changes.

Every ``interval`` seconds the beacon asks the daemon ``GET /version`` (one request, bounded by
``timeout``) and compares with what it saw last time. Only transitions fire, with tags under
``salt/beacon/<minion id>/novadocker_daemon/``:

``.../down``
    the daemon stopped answering (``status: down``, ``error``, the last ``version`` and
    ``api_version`` it had). Also fired on the first poll after the minion starts when the daemon
    is down then (``emitatstartup: false`` turns that off).
``.../up``
    it answers again (``status: up``, ``version``, ``api_version``, ``down_since``).
``.../version``
    it answers with another server or API version than before, e.g. after a package upgrade
    (``status: changed``, ``version``, ``api_version``, ``previous_version``,
    ``previous_api_version``).

Every event also carries ``host_url``, the minion's ``id`` and ``service``: the nova-compute
service of the node (pillar ``novadocker:compute:service``; ``false`` there, "leave the service
alone", is passed on as is; without pillar ``nova-compute``, ``openstack-nova-compute`` on
RedHat and Suse), so that a reactor can act on it.

What is watched: ``host_url`` from the beacon's configuration, else nova.conf's ``[docker]
host_url`` (nova.conf at pillar ``novadocker:root`` + ``novadocker:compute:nova_conf``, by default
``/etc/nova/nova.conf``), else pillar ``novadocker:compute:docker:host_url``, else
``unix:///var/run/docker.sock``. Without an explicit ``host_url`` the beacon stays silent on a
node whose nova.conf does not use nova-docker's driver, so it can be enabled fleet-wide.
Supported URLs: ``unix://``, ``tcp://`` and ``http://`` (a TLS daemon is not probed).

The last state is kept in the beacon's module context (``__context__``) and, so that a reload of
the beacons (``saltutil.refresh_pillar``, a sync) or a minion restart fires no duplicate, in
``<cachedir>/novadocker_daemon_beacon.json``.

.. code-block:: yaml

    beacons:
      novadocker_daemon:
        - interval: 10          # seconds between polls
        - timeout: 2            # seconds allowed to one poll (default 2)
        # - host_url: unix:///var/run/docker.sock
        # - emitatstartup: false
"""

import http.client
import json
import logging
import os
import socket
import time
import urllib.parse

import salt.utils.beacons

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_daemon"

_DEFAULT_URL = "unix:///var/run/docker.sock"
_DEFAULT_TIMEOUT = 2.0
_NOVA_CONF = "/etc/nova/nova.conf"
_CACHE_NAME = "novadocker_daemon_beacon.json"

#: Keys Salt's beacon machinery itself reads or adds.
_SALT_KEYS = frozenset(
    ("interval", "enabled", "beacon_module", "disable_during_state_run", "run_once", "_beacon_name")
)
_OWN_KEYS = frozenset(("host_url", "timeout", "emitatstartup"))

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


def __virtual__():
    return __virtualname__


# ------------------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------------------
def _url_problem(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "unix":
        return None if parsed.path else "host_url {!r} names no socket path".format(url)
    if parsed.scheme in ("tcp", "http"):
        return None if parsed.hostname else "host_url {!r} names no host".format(url)
    return "host_url {!r}: only unix://, tcp:// and http:// daemons can be watched".format(url)


def validate(config):
    """
    Validate the beacon's configuration (a list of one-key mappings, as in the minion config).

    Accepted keys: ``interval``, ``host_url`` (``unix://``, ``tcp://`` or ``http://``),
    ``timeout`` (seconds, > 0), ``emitatstartup`` (bool), and Salt's own beacon keys.

    CLI Example:

    .. code-block:: bash

        salt '*' beacons.add novadocker_daemon "[{'interval': 10}, {'timeout': 2}]"
    """
    if not isinstance(config, list):
        return False, "Configuration for the novadocker_daemon beacon must be a list."
    if not all(isinstance(item, dict) for item in config):
        return False, "Configuration for the novadocker_daemon beacon must be a list of mappings."
    conf = salt.utils.beacons.list_to_dict(config)
    unknown = sorted(set(conf) - _OWN_KEYS - _SALT_KEYS)
    if unknown:
        return False, "novadocker_daemon beacon: unknown key(s) {}; accepted: {}".format(
            ", ".join(unknown), ", ".join(sorted(_OWN_KEYS | {"interval"}))
        )
    if "host_url" in conf:
        if not isinstance(conf["host_url"], str) or not conf["host_url"]:
            return False, "novadocker_daemon beacon: host_url must be a non-empty string"
        problem = _url_problem(conf["host_url"])
        if problem:
            return False, "novadocker_daemon beacon: " + problem
    if "timeout" in conf:
        value = conf["timeout"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return False, "novadocker_daemon beacon: timeout must be a number of seconds > 0"
    if "emitatstartup" in conf and not isinstance(conf["emitatstartup"], bool):
        return False, "novadocker_daemon beacon: emitatstartup must be true or false"
    return True, "Valid beacon configuration"


# ------------------------------------------------------------------------------------------
# What to watch
# ------------------------------------------------------------------------------------------
def _pillar():
    pillar = (__opts__.get("pillar") or {}).get("novadocker")
    return pillar if isinstance(pillar, dict) else {}


def _sub(mapping, key):
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _nova_conf_path():
    pillar = _pillar()
    root = pillar.get("root") if isinstance(pillar.get("root"), str) else ""
    path = _sub(pillar, "compute").get("nova_conf")
    path = path if isinstance(path, str) and path else _NOVA_CONF
    if not root:
        return path
    return os.path.join(root.rstrip("/"), path.lstrip("/"))


def _read_nova_conf(path):
    """``(compute_driver, host_url)`` from nova.conf, read by the formula's own lossless INI
    reader (``novadocker_conf.get``: the last occurrence wins, as in oslo); ``(None, None)``
    when the file cannot be read."""
    try:
        get = __salt__["novadocker_conf.get"]
        return get(path, "DEFAULT", "compute_driver"), get(path, "docker", "host_url")
    except Exception as exc:  # pylint: disable=broad-except
        log.debug("novadocker_daemon beacon: cannot read %s: %s", path, exc)
        return None, None


def _target(conf):
    """The daemon URL to watch, or ``None`` when this node is no docker compute node."""
    if conf.get("host_url"):
        return conf["host_url"]
    driver, host_url = _read_nova_conf(_nova_conf_path())
    wanted = _sub(_pillar(), "compute").get("compute_driver")
    if not driver or (driver not in _DOCKER_DRIVERS and driver != wanted):
        return None
    if host_url:
        return host_url
    pillar_url = _sub(_sub(_pillar(), "compute"), "docker").get("host_url")
    return pillar_url if isinstance(pillar_url, str) and pillar_url else _DEFAULT_URL


def _service():
    """The node's nova-compute service name for the reactor (see the module's docs)."""
    compute = _sub(_pillar(), "compute")
    if "service" in compute and isinstance(compute["service"], (str, bool)):
        return compute["service"]
    try:
        family = __grains__.get("os_family")
    except (NameError, AttributeError):
        family = None
    return "openstack-nova-compute" if family in ("RedHat", "Suse") else "nova-compute"


# ------------------------------------------------------------------------------------------
# The probe
# ------------------------------------------------------------------------------------------
class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def _probe(url, timeout):
    """``{"reachable", "version", "api_version", "error"}`` for the daemon at ``url``; one
    ``GET /version`` bounded by ``timeout`` seconds in total. Never raises."""
    parsed = urllib.parse.urlparse(url)
    state = {"reachable": False, "version": None, "api_version": None, "error": None}
    deadline = time.monotonic() + timeout
    conn = None
    try:
        if parsed.scheme == "unix":
            conn = _UnixConnection(parsed.path, timeout)
        else:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 2375, timeout=timeout)
        conn.request("GET", "/version", headers={"Host": "docker"})
        if conn.sock is not None:
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.01))
        resp = conn.getresponse()
        body = resp.read(1024 * 1024)
        if time.monotonic() > deadline:
            raise socket.timeout("timed out")
        if resp.status != 200:
            state["error"] = "GET /version answered {} {}".format(resp.status, resp.reason)
            return state
        info = json.loads(body.decode("utf-8"))
        state["reachable"] = True
        state["version"] = str(info.get("Version")) if info.get("Version") else None
        state["api_version"] = str(info.get("ApiVersion")) if info.get("ApiVersion") else None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        state["error"] = "{}: {}".format(type(exc).__name__, exc) if str(exc) else repr(exc)
    finally:
        if conn is not None:
            conn.close()
    return state


# ------------------------------------------------------------------------------------------
# Last state: __context__, with a copy in the minion's cachedir
# ------------------------------------------------------------------------------------------
def _cache_file():
    return os.path.join(__opts__.get("cachedir") or "/var/cache/salt/minion", _CACHE_NAME)


def _load_saved(url):
    key = "novadocker_daemon.last." + url
    if key in __context__:
        return __context__[key]
    try:
        with open(_cache_file(), encoding="utf-8") as handle:
            saved = json.load(handle).get(url)
    except (OSError, ValueError, AttributeError):
        saved = None
    if isinstance(saved, dict):
        __context__[key] = saved
    return saved if isinstance(saved, dict) else None


def _save(url, state):
    __context__["novadocker_daemon.last." + url] = state
    path = _cache_file()
    try:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[url] = state
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("novadocker_daemon beacon: cannot save its state in %s: %s", path, exc)


def _events(url, prev, now, emit_at_startup):
    """The events for the transition ``prev`` -> ``now`` (``prev`` None: first poll)."""
    common = {"host_url": url, "service": _service()}
    if now["reachable"]:
        if prev is None:
            return []
        if not prev.get("reachable"):
            return [
                dict(
                    common,
                    tag="up",
                    status="up",
                    version=now["version"],
                    api_version=now["api_version"],
                    down_since=prev.get("since"),
                )
            ]
        if (prev.get("version"), prev.get("api_version")) != (now["version"], now["api_version"]):
            return [
                dict(
                    common,
                    tag="version",
                    status="changed",
                    version=now["version"],
                    api_version=now["api_version"],
                    previous_version=prev.get("version"),
                    previous_api_version=prev.get("api_version"),
                )
            ]
        return []
    if prev is not None and not prev.get("reachable"):
        return []
    if prev is None and not emit_at_startup:
        return []
    prev = prev or {}
    return [
        dict(
            common,
            tag="down",
            status="down",
            error=now["error"],
            version=prev.get("version"),
            api_version=prev.get("api_version"),
        )
    ]


def beacon(config):
    """
    Poll the Docker daemon once and return the events of a transition (down, up, version
    change) since the last poll; an empty list when nothing changed.

    CLI Example:

    .. code-block:: bash

        salt '*' beacons.add novadocker_daemon "[{'interval': 10}]"
        salt-run state.event 'salt/beacon/*/novadocker_daemon/*' pretty=True
    """
    conf = salt.utils.beacons.list_to_dict(config)
    url = _target(conf)
    if not url:
        log.trace("novadocker_daemon beacon: not a docker compute node, nothing to watch")
        return []
    timeout = float(conf.get("timeout", _DEFAULT_TIMEOUT))
    now = _probe(url, timeout)
    prev = _load_saved(url)
    events = _events(url, prev, now, conf.get("emitatstartup", True))
    if prev is None or events:
        record = {
            "reachable": now["reachable"],
            "version": now["version"] if now["reachable"] else (prev or {}).get("version"),
            "api_version": now["api_version"]
            if now["reachable"]
            else (prev or {}).get("api_version"),
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _save(url, record)
    for event in events:
        log.info("novadocker_daemon beacon: %s is %s", url, event["status"])
    return events
