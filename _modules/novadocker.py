"""
Execution module for the novadocker formula: release knowledge, settings and node checks.

This module is the formula's public face. It holds the one table of what each nova-docker
release knows (the Docker API version its client pins, the ``[docker]`` options it registers),
merges the formula's parameters with pillar (:py:func:`settings`), validates the whole
``novadocker`` pillar (:py:func:`validate_pillar`), and reports on a node
(:py:func:`driver_version`, :py:func:`check_driver`, :py:func:`validate_daemon`,
:py:func:`check`). The work behind the driver and daemon functions lives in the
``novadocker_driver`` and ``novadocker_daemon`` modules; nova.conf and glance-api.conf are read
and edited by ``novadocker_conf``.

:depends: docker (the Python SDK) for the daemon checks, only on docker compute nodes.
"""

import copy
import datetime
import json
import logging
import os
import urllib.parse

import salt.utils.files
import salt.utils.yaml
from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: The formula's knowledge of each nova-docker release, from the driver's own source
#: (openstack-archive/nova-docker branches). ``api_version`` is the Docker remote API version
#: the driver's client pins (it does not negotiate); ``options`` are the ``[docker]`` options
#: the release registers, each mapped to the release that introduced it.
_OPTION_SINCE = {
    "vif_driver": "icehouse",
    "snapshots_directory": "icehouse",
    "host_url": "juno",
    "api_insecure": "juno",
    "ca_file": "juno",
    "cert_file": "juno",
    "key_file": "juno",
    "root_directory": "kilo",
    "inject_key": "kilo",
    "shared_directory": "liberty",
    "privileged": "liberty",
}

#: Option value types, for pillar validation.
_OPTION_TYPES = {
    "vif_driver": "str",
    "snapshots_directory": "str",
    "host_url": "str",
    "api_insecure": "bool",
    "ca_file": "str",
    "cert_file": "str",
    "key_file": "str",
    "root_directory": "str",
    "inject_key": "bool",
    "shared_directory": "str",
    "privileged": "bool",
}

#: Driver releases in order; ``newton`` and ``ocata`` are the last master (2016).
DRIVER_RELEASES = ("icehouse", "juno", "kilo", "liberty", "mitaka", "newton", "ocata")

_API_PIN = {
    # icehouse has its own client with a hard-coded socket path and no host_url option; its
    # requests use the 1.13-era API like juno's client.
    "icehouse": "1.13",
    "juno": "1.13",
    "kilo": "1.13",
    "liberty": "1.19",
    "mitaka": "1.19",
    "newton": "1.19",
    "ocata": "1.19",
}

#: OpenStack releases Glance is known under, in order. Glance reads container_formats from
#: [image_format] since icehouse ([DEFAULT] before).
GLANCE_RELEASES = (
    "grizzly",
    "havana",
    "icehouse",
    "juno",
    "kilo",
    "liberty",
    "mitaka",
    "newton",
    "ocata",
    "pike",
    "queens",
    "rocky",
    "stein",
    "train",
    "ussuri",
    "victoria",
    "wallaby",
    "xena",
    "yoga",
    "zed",
    "antelope",
    "bobcat",
    "caracal",
    "dalmatian",
    "epoxy",
    "flamingo",
)

#: Container formats Glance has ever accepted, plus the formula's two.
KNOWN_CONTAINER_FORMATS = (
    "ami",
    "ari",
    "aki",
    "bare",
    "ovf",
    "ova",
    "docker",
    "dockerref",
    "compressed",
)


def __virtual__():
    return __virtualname__


def _release_index(release, table):
    return table.index(release)


def release_info(release="mitaka"):
    """
    Return what the formula knows about one nova-docker driver release.

    release
        One of icehouse, juno, kilo, liberty, mitaka, newton, ocata.

    The result has ``release``, ``api_version`` (the Docker API version the driver's client
    pins), ``options`` (the ``[docker]`` options the release registers, each with the release
    that introduced it and its type) and ``host_url`` (whether the release reads
    ``[docker] host_url``; icehouse hard-codes the socket path).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.release_info liberty
    """
    if release not in DRIVER_RELEASES:
        raise SaltInvocationError(
            "unknown nova-docker release {!r}: accepted are {}".format(
                release, ", ".join(DRIVER_RELEASES)
            )
        )
    idx = _release_index(release, DRIVER_RELEASES)
    options = {
        name: {"since": since, "type": _OPTION_TYPES[name]}
        for name, since in _OPTION_SINCE.items()
        if _release_index(since, DRIVER_RELEASES) <= idx
    }
    return {
        "release": release,
        "api_version": _API_PIN[release],
        "options": options,
        "host_url": "host_url" in options,
    }


def releases():
    """
    Return the table of every nova-docker release the formula knows, in order.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.releases
    """
    return [release_info(rel) for rel in DRIVER_RELEASES]


def option_since(option):
    """
    Return the driver release that introduced a ``[docker]`` option, or ``None`` when no
    release of the driver knows it.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.option_since privileged
    """
    return _OPTION_SINCE.get(option)


def glance_info(release="mitaka"):
    """
    Return where a Glance release reads ``container_formats`` and its default list.

    The result has ``release``, ``section`` (``image_format`` from icehouse on, ``DEFAULT``
    before) and ``default_formats`` (Glance's own default list for that release).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.glance_info havana
    """
    if release not in GLANCE_RELEASES:
        raise SaltInvocationError(
            "unknown OpenStack release {!r} for Glance: accepted are {}".format(
                release, ", ".join(GLANCE_RELEASES)
            )
        )
    idx = GLANCE_RELEASES.index(release)
    formats = ["ami", "ari", "aki", "bare", "ovf"]
    if idx >= GLANCE_RELEASES.index("icehouse"):
        formats.append("ova")
    if idx >= GLANCE_RELEASES.index("mitaka"):
        formats.append("docker")
    if idx >= GLANCE_RELEASES.index("train"):
        formats.append("compressed")
    section = "image_format" if idx >= GLANCE_RELEASES.index("icehouse") else "DEFAULT"
    return {"release": release, "section": section, "default_formats": formats}


# ------------------------------------------------------------------------------------------
# Settings: parameters/defaults.yaml < parameters/os_family/<os_family>.yaml < pillar
# ------------------------------------------------------------------------------------------
def _load_parameters(url):
    """Read one parameters YAML file from the file server; ``{}`` when it does not exist."""
    text = __salt__["cp.get_file_str"](url)
    if not text:
        return {}
    data = salt.utils.yaml.safe_load(text) or {}
    return data.get("values", {}) if isinstance(data, dict) else {}


def _merge(base, over):
    """Deep-merge ``over`` into a copy of ``base``: dicts merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in (over or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _prefixed(root, path):
    """``root`` + absolute ``path`` ('' root leaves the path alone)."""
    if not root:
        return path
    return os.path.join(root.rstrip("/"), path.lstrip("/"))


def _defaults_copy_path(tplroot):
    """Where the last parameters read from the file server are kept on the minion."""
    name = "defaults.{}.{}.{}.json".format(
        tplroot, __opts__.get("saltenv") or "base", __grains__.get("os_family", "")
    )
    return os.path.join(__opts__["cachedir"], "novadocker", name)


def _read_defaults_copy(tplroot):
    try:
        with salt.utils.files.fopen(_defaults_copy_path(tplroot), "r") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _keep_defaults_copy(tplroot, merged):
    """Keep ``merged`` for the reports (see :py:func:`defaults`); best effort, written only
    when it changed, atomically, readable by root alone (it is the formula's defaults: no
    secrets, but the cache is Salt's)."""
    if _read_defaults_copy(tplroot) == merged:
        return
    path = _defaults_copy_path(tplroot)
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = "{}.{}".format(path, os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(merged, fh, sort_keys=True)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("novadocker: could not keep the parameters in %s: %s", path, exc)


def defaults(tplroot="novadocker", cached=False):
    """
    Return the formula's parameters for this minion before pillar: defaults.yaml merged with
    the os_family parameters file.

    Read from the file server (``salt://<tplroot>/parameters/``); each read leaves a copy in
    the minion cache (``<cachedir>/novadocker/``), so every state run refreshes it.

    cached
        Return that copy, as the last state run read it, without asking the file server (which
        costs a file client: the node reports use this); the file server is read when there is
        no copy yet.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.defaults
        salt '*' novadocker.defaults cached=True
    """
    key = "novadocker.defaults.{}".format(tplroot)
    if key in __context__:
        return copy.deepcopy(__context__[key])
    if cached:
        kept = _read_defaults_copy(tplroot)
        if kept is not None:
            return kept
    base = _load_parameters("salt://{}/parameters/defaults.yaml".format(tplroot))
    if not base:
        raise SaltInvocationError(
            "salt://{}/parameters/defaults.yaml not found: is the novadocker formula on "
            "this minion's file_roots (or gitfs)?".format(tplroot)
        )
    family = _load_parameters(
        "salt://{}/parameters/os_family/{}.yaml".format(tplroot, __grains__.get("os_family", ""))
    )
    __context__[key] = _merge(base, family)
    _keep_defaults_copy(tplroot, __context__[key])
    return copy.deepcopy(__context__[key])


def validate_pillar(data=None):
    """
    Validate the whole ``novadocker`` pillar (or ``data``) and return every problem found, each
    naming the key path, the bad value and what is accepted. An empty list means valid.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.validate_pillar
    """
    if data is None:
        data = __pillar__.get("novadocker")
    return __salt__["novadocker_schema.validate"](data)


def settings(tplroot="novadocker", pillar=None, cached_defaults=False):
    """
    Return the formula's settings for this minion, exactly as the states use them.

    Parameters are merged in this order: ``parameters/defaults.yaml`` <
    ``parameters/os_family/<os_family>.yaml`` < pillar ``novadocker`` (lists replace, mappings
    merge). The result also carries what the states derive from it:

    ``valid`` / ``errors``
        the pillar validation; when it fails, the settings are the defaults alone so that the
        formula renders nothing but the failing validation state.
    ``paths``
        every file the formula manages, prefixed with ``root``.
    ``records``
        where the formula keeps what a key was before it first changed it (for the clean SLS).
    ``driver_release`` / ``api_version`` / ``glance``
        release knowledge for the selected driver and Glance releases.
    ``docker_url`` / ``socket``
        where the driver reaches dockerd, and the unix socket path if any.
    ``nova_options``
        the nova.conf keys the formula owns, section by section.

    ``cached_defaults=True`` takes the parameters as the last state run read them (see
    :py:func:`defaults`) instead of asking the file server: the node reports
    (:py:func:`check`, :py:func:`check_driver`, :py:func:`validate_daemon`,
    :py:func:`driver_version`) do, the states never.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.settings
    """
    raw = __pillar__.get("novadocker") if pillar is None else pillar
    # Every SLS of a run imports map.jinja: compute once per run and pillar.
    try:
        key = "novadocker.settings.{}.{}.{}".format(
            tplroot, bool(cached_defaults), json.dumps(raw, sort_keys=True)
        )
    except (TypeError, ValueError):
        key = None
    if key and key in __context__:
        return copy.deepcopy(__context__[key])
    merged = _settings(tplroot, raw, cached_defaults)
    if key:
        __context__[key] = copy.deepcopy(merged)
    return merged


def _report_settings():
    """The settings the node reports compare against (parameters from the minion's copy)."""
    return settings(cached_defaults=True)


def _settings(tplroot, raw, cached_defaults=False):
    base = defaults(tplroot, cached=cached_defaults)
    errors = validate_pillar({} if raw is None else raw)
    merged = _merge(base, raw) if not errors and isinstance(raw, dict) else base
    merged["valid"] = not errors
    merged["errors"] = errors

    root = merged["root"]
    compute, driver, image = merged["compute"], merged["driver"], merged["image"]
    release = release_info(driver["release"])
    merged["driver_release"] = release
    merged["api_version"] = str(driver["api_version"] or release["api_version"])
    merged["glance"] = glance_info(image["release"])

    # [docker] options: the defaults' host_url is dropped for a release that does not know it
    # (icehouse hard-codes the socket path); anything pillar set was validated against the
    # release already.
    pillar_docker = ((raw or {}).get("compute") or {}).get("docker") or {} if not errors else {}
    docker_opts = {
        k: v for k, v in compute["docker"].items() if k in release["options"] or k in pillar_docker
    }
    compute["docker"] = docker_opts
    merged["docker_url"] = docker_opts.get("host_url", "unix:///var/run/docker.sock")
    parsed = urllib.parse.urlparse(merged["docker_url"])
    merged["socket"] = parsed.path if parsed.scheme == "unix" else None
    merged["nova_options"] = {
        "DEFAULT": {"compute_driver": compute["compute_driver"]},
    }
    if docker_opts:
        merged["nova_options"]["docker"] = docker_opts

    state_dir = _prefixed(root, merged["state_dir"])
    merged["paths"] = {
        "nova_conf": _prefixed(root, compute["nova_conf"]),
        "rootwrap_dir": _prefixed(root, compute["rootwrap_dir"]),
        "rootwrap_filter": os.path.join(_prefixed(root, compute["rootwrap_dir"]), "docker.filters"),
        "glance_api_conf": _prefixed(root, image["glance_api_conf"]),
        "daemon_json": _prefixed(root, merged["runtime"]["daemon_json"]),
        "state_dir": state_dir,
    }
    merged["records"] = {
        "nova_conf": os.path.join(state_dir, "nova.conf.json"),
        "glance_api_conf": os.path.join(state_dir, "glance-api.conf.json"),
        "driver": os.path.join(state_dir, "driver.json"),
        "socket_access": os.path.join(state_dir, "socket-access.json"),
        "rootwrap": os.path.join(state_dir, "rootwrap.json"),
        # A restart owed to the role's service (see owe_restart): written right after a change
        # the service reads, removed once the restart succeeded.
        "compute_restart": os.path.join(state_dir, "compute-restart-owed.json"),
        "image_restart": os.path.join(state_dir, "image-restart-owed.json"),
    }
    # The marker each role's change-making states write (none when the role restarts nothing).
    merged["restart_marker"] = {
        role: merged["records"]["{}_restart".format(role)] if merged[role]["service"] else None
        for role in ("compute", "image")
    }
    return merged


# ------------------------------------------------------------------------------------------
# Restarts owed: a change a service reads is followed by a restart, even across a failed run
# ------------------------------------------------------------------------------------------
def _role_marker(role):
    conf = _report_settings()
    return conf["records"]["{}_restart".format(role)]


def restart_owed(marker=None, role="compute"):
    """
    Return the restart the formula owes a service (``{"reasons": [...], "since": <UTC>}``), or
    ``None`` when none is owed.

    A state that changes something a service reads (the driver, nova.conf, the nova user's
    groups, glance-api.conf's formats) records the restart in a marker file at once; the
    role's restart state restarts the service while the marker exists and removes it once the
    restart succeeded. So a run that upgrades the driver and then fails still gets nova-compute
    restarted by the next successful run.

    marker
        The marker file; defaults to the role's (``<state_dir>/<role>-restart-owed.json``).

    role
        ``compute`` (nova-compute) or ``image`` (glance-api), when ``marker`` is not given.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.restart_owed
        salt '*' novadocker.restart_owed role=image
    """
    if marker is None:
        if role not in ("compute", "image"):
            raise SaltInvocationError("role must be compute or image, not {!r}".format(role))
        marker = _role_marker(role)
    try:
        with salt.utils.files.fopen(marker, "r") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        # Unreadable or damaged: owe the restart rather than lose it.
        return {"reasons": ["marker {} is unreadable ({})".format(marker, exc)], "since": None}
    if not isinstance(data, dict) or not isinstance(data.get("reasons"), list):
        return {"reasons": ["marker {} is not a restart record".format(marker)], "since": None}
    return {"reasons": [str(r) for r in data["reasons"]], "since": data.get("since")}


def owe_restart(marker, reason, strict=True):
    """
    Record in ``marker`` (JSON, 0600, written atomically) that the service the marker belongs
    to must be restarted because of ``reason``; reasons owed already are kept. Returns what is
    owed now. See :py:func:`restart_owed`.

    strict
        ``False``: a marker that cannot be written is logged and ``None`` returned instead of
        raising (the formula's states: the change is made, the restart still follows in the
        same run).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.owe_restart /var/lib/novadocker/compute-restart-owed.json \
            "nova.conf edited by hand"
    """
    owed = restart_owed(marker) or {
        "reasons": [],
        "since": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if str(reason) not in owed["reasons"]:
        owed["reasons"].append(str(reason))
    try:
        __salt__["novadocker_conf.write_record"](marker, owed)
    except CommandExecutionError as exc:
        if strict:
            raise
        log.warning("novadocker: could not record the restart owed in %s: %s", marker, exc)
        return None
    return owed


# ------------------------------------------------------------------------------------------
# Node checks: the driver (novadocker_driver), the daemon (novadocker_daemon), the whole node
# ------------------------------------------------------------------------------------------
def driver_version(python=None):
    """
    Return the nova-docker version installed in nova's Python environment, or ``None`` when the
    driver is not installed there.

    python
        The interpreter of nova's environment; defaults to pillar ``novadocker:driver:python``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.driver_version
        salt '*' novadocker.driver_version python=/opt/nova/bin/python3
    """
    if python is None:
        python = _report_settings()["driver"]["python"]
    return __salt__["novadocker_driver.version"](python)


def check_driver(python=None, version=None, release=None):
    """
    Compare the installed nova-docker driver with the version and release pillar asks for, and
    say what is wrong in words an operator can act on.

    Returns ``installed``, ``version``, ``wanted``, ``importable``, ``ok`` and ``problems``.
    Arguments default to pillar ``novadocker:driver:python``, ``:version`` and ``:release``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.check_driver
        salt '*' novadocker.check_driver version=0.0.1.dev273 release=mitaka
    """
    conf = _report_settings()
    driver = conf["driver"]
    return __salt__["novadocker_driver.check"](
        python or driver["python"],
        version=driver["version"] if version is None else version,
        release=release or driver["release"],
    )


def validate_daemon(host_url=None, api_version=None, user=None, timeout=5):
    """
    Validate the Docker daemon the driver will talk to: reachable, server and API versions, the
    driver release's pinned API version in the daemon's range, storage driver, and for a unix
    socket its owner, group and mode, world-writability and the nova user's access.

    Never raises for a down daemon: the result's ``problems`` lists what is wrong.
    Arguments default to pillar ``novadocker:compute:docker:host_url``, the release's pinned API
    version (or ``novadocker:driver:api_version``) and ``novadocker:compute:user``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.validate_daemon
        salt '*' novadocker.validate_daemon host_url=unix:///run/docker.sock api_version=1.19
    """
    conf = _report_settings()
    return __salt__["novadocker_daemon.validate"](
        host_url or conf["docker_url"],
        api_version=api_version or conf["api_version"],
        user=user or conf["compute"]["user"],
        timeout=timeout,
    )


def _check_conf_options(path, options):
    """Return (ok, detail) for the owned keys in ``path``."""
    if not os.path.isfile(path):
        return False, {"problems": ["{} not found".format(path)]}
    planned = __salt__["novadocker_conf.plan"](path, options)
    problems = [
        "[{}] {} is {!r}, the formula wants {!r}".format(sect, key, chg["old"], chg["new"])
        for sect, keys in sorted(planned.items())
        for key, chg in sorted(keys.items())
    ]
    return not problems, {"problems": problems}


#: The one rule of the driver's docker.filters (identical on every branch).
_ROOTWRAP_RULE = ("Filters", "ln", "CommandFilter, /bin/ln, root")


def _check_rootwrap_filter(path):
    """Problems with the rootwrap filter at ``path``: missing, writable by anyone but root, or
    without the rule the driver needs (a TOFS override may add rules, not drop this one)."""
    try:
        st = os.stat(path)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        return ["{} is missing ({})".format(path, exc.strerror)]
    problems = []
    if st.st_uid != 0 or st.st_mode & 0o022:
        problems.append(
            "{} must be owned by and only writable by root (uid {}, mode {:04o})".format(
                path, st.st_uid, st.st_mode & 0o7777
            )
        )
    section, rules = None, set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif ":" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition(":")
            rules.add((section, name.strip(), " ".join(value.split())))
    if _ROOTWRAP_RULE not in rules:
        problems.append(
            "{} lacks the driver's rule [Filters] ln: CommandFilter, /bin/ln, root".format(path)
        )
    return problems


def check():
    """
    Report on this node in one place: for a docker compute node the driver (installed,
    version, importable), the Docker daemon validation, nova.conf's driver and ``[docker]``
    settings as the formula wants them, the rootwrap filter and the nova user's socket access;
    for an image node Glance's container formats; for each role a restart its service is still
    owed (``compute_restart``, ``image_restart``: see :py:func:`restart_owed`). ``ok`` is True
    only when every part is.

    Usable from a master: ``salt -G 'novadocker:compute:True' novadocker.check``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.check
    """
    conf = _report_settings()
    report = {"ok": True, "problems": [], "roles": []}
    if not conf["valid"]:
        report["ok"] = False
        report["problems"] = ["pillar: {}".format(p) for p in conf["errors"]]
        return report

    def part(name, ok, detail):
        report[name] = dict(detail, ok=ok)
        if not ok:
            report["ok"] = False
            report["problems"].extend("{}: {}".format(name, p) for p in detail.get("problems", []))

    if conf["compute"]["enabled"]:
        report["roles"].append("compute")
        drv = check_driver()
        part("driver", drv["ok"], drv)
        daemon = validate_daemon()
        part("daemon", daemon["ok"], daemon)
        ok, detail = _check_conf_options(conf["paths"]["nova_conf"], conf["nova_options"])
        part("nova_conf", ok, dict(detail, path=conf["paths"]["nova_conf"]))
        filt = conf["paths"]["rootwrap_filter"]
        problems = _check_rootwrap_filter(filt)
        part("rootwrap", not problems, {"path": filt, "problems": problems})
        _check_restart(part, "compute", conf)
    if conf["image"]["enabled"]:
        report["roles"].append("image")
        glance = conf["glance"]
        path = conf["paths"]["glance_api_conf"]
        if os.path.isfile(path):
            fmt = __salt__["novadocker_conf.container_formats"](
                path,
                conf["image"]["container_formats"],
                section=glance["section"],
                default_formats=glance["default_formats"],
            )
            missing = [f for f in conf["image"]["container_formats"] if f not in fmt["old"]]
            part(
                "glance",
                not missing,
                {
                    "path": path,
                    "container_formats": fmt["old"],
                    "problems": [
                        "glance-api does not allow container formats {} (in [{}] of {})".format(
                            ", ".join(missing), glance["section"], path
                        )
                    ]
                    if missing
                    else [],
                },
            )
        else:
            part("glance", False, {"path": path, "problems": ["{} not found".format(path)]})
        _check_restart(part, "image", conf)
    return report


def _check_restart(part, role, conf):
    """The ``<role>_restart`` part of :py:func:`check`: a restart owed is a problem (the
    service runs with code or settings older than the node's); none when the formula does not
    restart the service (``<role>:service: false``)."""
    service = conf[role]["service"]
    if not service:
        return
    owed = restart_owed(conf["records"]["{}_restart".format(role)])
    problems = []
    if owed:
        problems.append(
            "{} has not been restarted since {} ({}): apply novadocker or restart it".format(
                service,
                owed["since"] or "an earlier run",
                "; ".join(owed["reasons"]),
            )
        )
    part(
        "{}_restart".format(role),
        not problems,
        {"service": service, "owed": owed, "problems": problems},
    )
