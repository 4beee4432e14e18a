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

What is watched: ``host_url`` from the beacon's configuration, else the daemon the node's
driver talks to, as ``novadocker.switched`` reads nova.conf (its ``[docker] host_url``, else
pillar ``novadocker:compute:docker:host_url``, else the driver's default). Without an explicit
``host_url`` the beacon stays silent on a node whose nova.conf does not use nova-docker's
driver, so it can be enabled fleet-wide. Supported URLs: ``unix://``, ``tcp://``, ``http://``
and ``https://``; a TCP daemon is reached as the driver reaches it, over TLS with the
``[docker]`` options nova reads (``api_insecure``, ``ca_file``, ``cert_file``, ``key_file``; also
for a ``host_url`` of the beacon's configuration).

Beacons reach the formula's shared code (``_utils``) through execution modules only (Salt 3006
and 3008 give them ``__salt__``, not ``__utils__``): the node is judged by
``novadocker.switched``, the daemon asked by ``novadocker_daemon.probe`` (the formula's one
Docker client), and the last state kept by ``novadocker_daemon.last_seen`` (in the beacon's
``__context__`` too), so that a reload of the beacons (``saltutil.refresh_pillar``, a sync) or a
minion restart fires no duplicate.

.. code-block:: yaml

    beacons:
      novadocker_daemon:
        - interval: 10          # seconds between polls
        - timeout: 2            # seconds allowed to one poll (default 2)
        # - host_url: unix:///var/run/docker.sock
        # - emitatstartup: false
"""

import logging
import time
import urllib.parse

import salt.utils.beacons

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_daemon"

_DEFAULT_TIMEOUT = 2.0

#: Keys Salt's beacon machinery itself reads or adds.
_SALT_KEYS = frozenset(
    ("interval", "enabled", "beacon_module", "disable_during_state_run", "run_once", "_beacon_name")
)
_OWN_KEYS = frozenset(("host_url", "timeout", "emitatstartup"))


def __virtual__():
    return __virtualname__


# ------------------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------------------
def _url_problem(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "unix":
        return None if parsed.path else "host_url {!r} names no socket path".format(url)
    if parsed.scheme in ("tcp", "http", "https"):
        return None if parsed.hostname else "host_url {!r} names no host".format(url)
    return (
        "host_url {!r}: only unix://, tcp://, http:// and https:// daemons can be watched".format(
            url
        )
    )


def validate(config):
    """
    Validate the beacon's configuration (a list of one-key mappings, as in the minion config).

    Accepted keys: ``interval``, ``host_url`` (``unix://``, ``tcp://``, ``http://``, ``https://``),
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
def _target(conf):
    """``(url, options)``: the daemon URL to watch and the ``[docker]`` options nova reads
    (how the driver reaches it: TLS); ``(None, None)`` when this node is no docker compute
    node."""
    try:
        # Never the file server: beacons run in the minion's main process.
        view = __salt__["novadocker.switched"](cached_only=True)
    except Exception as exc:  # pylint: disable=broad-except
        log.debug("novadocker_daemon beacon: cannot judge the node: %s", exc)
        view = None
    options = (view or {}).get("docker_options") or {}
    if conf.get("host_url"):
        return conf["host_url"], options
    if view is None or not view["switched"]:
        return None, None
    return view["host_url"], options


def _service():
    """The node's nova-compute service name for the reactor: the formula's setting (``false``,
    leave the service alone, is passed on as is)."""
    try:
        return __salt__["novadocker.settings"](cached_defaults="only")["compute"]["service"]
    except Exception as exc:  # pylint: disable=broad-except
        log.debug("novadocker_daemon beacon: no settings: %s", exc)
        return None


# ------------------------------------------------------------------------------------------
# Last state: __context__, with a copy in the minion's cache (novadocker_daemon.last_seen)
# ------------------------------------------------------------------------------------------
def _load_saved(url):
    key = "novadocker_daemon.last." + url
    if key not in __context__:
        __context__[key] = __salt__["novadocker_daemon.last_seen"](url)
    return __context__[key]


def _save(url, state):
    __context__["novadocker_daemon.last." + url] = state
    __salt__["novadocker_daemon.last_seen"](url, state)


def _events(url, prev, now, emit_at_startup):
    """The events for the transition ``prev`` -> ``now`` (``prev`` None: first poll)."""
    common = {"host_url": url, "service": _service()}
    seen = {"version": now["version"], "api_version": now["api_version"]}
    if now["reachable"]:
        if prev is None:
            return []
        if not prev.get("reachable"):
            return [dict(common, **seen, tag="up", status="up", down_since=prev.get("since"))]
        if (prev.get("version"), prev.get("api_version")) != (now["version"], now["api_version"]):
            before = {
                "previous_version": prev.get("version"),
                "previous_api_version": prev.get("api_version"),
            }
            return [dict(common, **seen, **before, tag="version", status="changed")]
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
    if "novadocker_daemon.probe" not in __salt__:
        # The formula's modules are not synced (yet): saltutil.sync_all loads them.
        log.debug("novadocker_daemon beacon: the novadocker modules are not loaded yet")
        return []
    url, options = _target(conf)
    if not url:
        log.trace("novadocker_daemon beacon: not a docker compute node, nothing to watch")
        return []
    timeout = float(conf.get("timeout", _DEFAULT_TIMEOUT))
    now = __salt__["novadocker_daemon.probe"](url, timeout, options=options)
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
