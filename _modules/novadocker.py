"""
Execution module for the novadocker formula: its public face.

Release knowledge (:py:func:`release_info`, :py:func:`releases`, :py:func:`glance_info`), the
settings the states use (:py:func:`settings`, :py:func:`defaults`, :py:func:`validate_pillar`,
:py:func:`schema`), the restart bookkeeping (:py:func:`restart_owed`, :py:func:`owe_restart`)
and the reports on a node (:py:func:`driver_version`, :py:func:`check_driver`,
:py:func:`validate_daemon`, :py:func:`switched`, :py:func:`check`).

This module is thin: the facts and mechanisms live in the formula's ``_utils`` (release facts
in ``novadocker_releases``, settings in ``novadocker_settings``, pillar rules in
``novadocker_schema``, records and markers in ``novadocker_records``, nova.conf reading in
``novadocker_ini``); the work on the driver, the daemon, config files and Glance is done by
the ``novadocker_driver``, ``novadocker_daemon``, ``novadocker_conf`` and ``novadocker_glance``
modules.
"""

import copy
import json
import logging

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"


def __virtual__():
    return __virtualname__


def release_info(release="mitaka"):
    """
    Return what the formula knows about one nova-docker driver release.

    release
        One of icehouse, juno, kilo, liberty, mitaka, newton, ocata.

    The result has ``release``, ``branch`` (of the driver's git repository), ``api_version``
    (the Docker API version the driver's client pins), ``options`` (the ``[docker]`` options
    the release registers, each with the release that introduced it and its type) and
    ``host_url`` (whether the release reads ``[docker] host_url``; icehouse hard-codes the
    socket path).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.release_info liberty
    """
    return _rel("driver_release")(release)


def releases():
    """
    Return the table of every nova-docker release the formula knows, in order.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.releases
    """
    return [_rel("driver_release")(rel) for rel in _rel("driver_releases")()]


def option_since(option):
    """
    Return the driver release that introduced a ``[docker]`` option, or ``None`` when no
    release of the driver knows it.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.option_since privileged
    """
    return _rel("option_since")(option)


def glance_info(release="mitaka"):
    """
    Return where a Glance release reads ``container_formats`` and its default list.

    The result has ``release``, ``section`` (``image_format`` from icehouse on, ``DEFAULT``
    before) and ``default_formats`` (Glance's own default list for that release).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.glance_info havana
    """
    return _rel("glance_release")(release)


def schema():
    """
    Return the tree of keys ``pillar:novadocker`` accepts, each leaf with what it accepts.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.schema
    """
    return __utils__["novadocker_schema.describe"]()


# ------------------------------------------------------------------------------------------
# Settings: parameters/defaults.yaml < parameters/os_family/<os_family>.yaml < pillar
# ------------------------------------------------------------------------------------------
def _copy_path(tplroot):
    """Where the parameters the last state run read are kept on this minion."""
    return _set("copy_path")(
        __opts__["cachedir"], tplroot, __opts__.get("saltenv"), __grains__.get("os_family", "")
    )


def _load_parameters(url):
    """The ``values`` of one parameters YAML file of the file server; ``{}`` when missing."""
    return _set("parameters")(__salt__["cp.get_file_str"](url))


def defaults(tplroot="novadocker", cached=False):
    """
    Return the formula's parameters for this minion before pillar: defaults.yaml merged with
    the os_family parameters file.

    Read from the file server (``salt://<tplroot>/parameters/``); each read leaves a copy in
    the minion cache (``<cachedir>/novadocker/``), so every state run refreshes it.

    cached
        Return that copy, as the last state run read it, without asking the file server (which
        costs a file client: the node reports use this); the file server is read when there is
        no copy yet. ``only``: never the file server, an error when there is no copy (the
        beacon: it runs in the minion's main process, which must never wait on a file
        client).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.defaults
        salt '*' novadocker.defaults cached=True
    """
    key = "novadocker.defaults.{}".format(tplroot)
    if key in __context__:
        return copy.deepcopy(__context__[key])
    if cached:
        kept = _set("read_parameters")(_copy_path(tplroot))
        if kept is not None:
            return kept
        if cached == "only":
            raise CommandExecutionError(
                "the novadocker formula has not run on this minion yet: no parameters kept"
            )
    base = _load_parameters("salt://{}/parameters/defaults.yaml".format(tplroot))
    if not base:
        raise SaltInvocationError(
            "salt://{}/parameters/defaults.yaml not found: is the novadocker formula on "
            "this minion's file_roots (or gitfs)?".format(tplroot)
        )
    family = _load_parameters(
        "salt://{}/parameters/os_family/{}.yaml".format(tplroot, __grains__.get("os_family", ""))
    )
    __context__[key] = _set("merge")(base, family)
    if not _set("keep_copy")(_copy_path(tplroot), __context__[key]):
        log.debug("novadocker: could not keep the parameters in %s", _copy_path(tplroot))
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
    return __utils__["novadocker_schema.validate"](data, defaults(cached=True))


def settings(tplroot="novadocker", pillar=None, cached_defaults=False, reveal=False):
    """
    Return the formula's settings for this minion, exactly as the states use them.

    Parameters are merged in this order: ``parameters/defaults.yaml`` <
    ``parameters/os_family/<os_family>.yaml`` < pillar ``novadocker`` (lists replace, mappings
    merge), validated, and completed with what the states derive from them (``valid`` and
    ``errors``, ``paths``, ``records``, ``restart_marker``, release facts, ``docker_url``,
    ``socket``, ``nova_options``: each is described in ``_utils/novadocker_settings.py``).

    ``cached_defaults=True`` takes the parameters as the last state run read them (see
    :py:func:`defaults`) instead of asking the file server: the node reports
    (:py:func:`check`, :py:func:`check_driver`, :py:func:`validate_daemon`,
    :py:func:`driver_version`) do, the states never; ``"only"`` never asks the file server
    (the beacon).

    Credentials (``images:auth``, ``image:api:auth``) show ``<redacted>`` for every secret
    value (a password, an application credential's secret); ``reveal=True`` gives them as they
    are, for the modules that log in to Keystone (never printed by the formula).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.settings
    """
    raw = __pillar__.get("novadocker") if pillar is None else pillar
    # Every SLS of a run imports map.jinja: compute once per run and pillar.
    try:
        key = "novadocker.settings.{}.{}.{}".format(
            tplroot, cached_defaults, json.dumps(raw, sort_keys=True)
        )
    except (TypeError, ValueError):
        key = None
    if key and key in __context__:
        return copy.deepcopy(__context__[key]) if reveal else _set("redacted")(__context__[key])
    merged = _settings(tplroot, raw, cached_defaults)
    if key:
        __context__[key] = copy.deepcopy(merged)
    if pillar is None and not cached_defaults and merged["valid"]:
        # A state run's settings: what the grain judges the node by (it sees no pillar).
        _set("keep_view")(__opts__["cachedir"], merged)
    return merged if reveal else _set("redacted")(merged)


def resolve_source(sources):
    """
    Return the first of ``sources`` (file server URLs, e.g. the TOFS list of the rootwrap
    filter) that exists, as ``{"source", "hash_type", "hsum"}``, or ``None`` when none does.
    Only hashes are asked of the file server: nothing is downloaded.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.resolve_source '["salt://novadocker/files/default/docker.filters"]'
    """
    if isinstance(sources, str):
        sources = [sources]
    for source in sources or ():
        found = __salt__["cp.hash_file"](source)
        if found:
            return {"source": source, "hash_type": found["hash_type"], "hsum": found["hsum"]}
    return None


def _report_settings(cached=True):
    """The settings the node reports compare against (parameters from the minion's copy)."""
    return settings(cached_defaults=cached, reveal=True)


def _settings(tplroot, raw, cached_defaults=False):
    return _set("compute")(defaults(tplroot, cached=cached_defaults), raw)


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
    return __utils__["novadocker_records.owed"](marker)


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
    try:
        return __utils__["novadocker_records.owe"](marker, reason)
    except CommandExecutionError as exc:
        if strict:
            raise
        log.warning("novadocker: could not record the restart owed in %s: %s", marker, exc)
        return None


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

    Returns ``installed``, ``version``, ``wanted``, ``ok`` and ``problems``. Arguments default
    to pillar ``novadocker:driver:python``, ``:version`` and ``:release``. Whether nova loads
    the driver is :py:func:`check_nova`.

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


def check_nova(python=None):
    """
    Say whether the nova in nova's interpreter loads nova-docker's driver the way nova-compute
    will: nova imports there (it is nova's interpreter), its loading rule (newton and later
    load only from ``nova.virt``, through the formula's shim), and the class that
    ``compute_driver`` names imports as a ``ComputeDriver``, or the exception that stops it.
    Proved once per change of nova's environment (see ``novadocker_nova.load``).

    Returns ``{"python", "nova", "nova_version", "release", "rule", "compute_driver",
    "loaded", "ok", "problems"}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.check_nova
    """
    conf = _report_settings()
    python = python or conf["driver"]["python"]
    spelling = __salt__["novadocker_nova.spelling"](python, conf["compute"]["compute_driver"])
    try:
        proof = __salt__["novadocker_nova.load"](python, spelling)
    except (CommandExecutionError, SaltInvocationError) as exc:
        proof = {"python": python, "nova": False, "ok": False, "error": str(exc)}
    problems = []
    if not proof.get("nova"):
        problems.append(
            "nova does not import with {} ({}): set novadocker:driver:python to the "
            "interpreter nova-compute runs with".format(python, proof.get("error"))
        )
    elif not proof["ok"]:
        problems.append(
            "nova {} cannot load compute_driver = {}: {}".format(
                proof.get("nova_version") or "?", spelling, proof.get("error")
            )
        )
    keys = ("python", "nova", "nova_version", "release", "rule", "compute_driver", "loaded")
    report = {k: proof.get(k) for k in keys}
    report.update(compute_driver=spelling, ok=not problems, problems=problems)
    return report


def validate_daemon(host_url=None, api_version=None, user=None, timeout=5):
    """
    Validate the Docker daemon the driver will talk to, reached as the driver will reach it:
    reachable, server and API versions, the driver release's pinned API version in the daemon's
    range, storage driver; for a unix socket its owner, group and mode, world-writability and
    the nova user's access; for TCP the TLS the driver builds from the ``[docker]`` options
    nova will read (nova.conf's, with pillar's over them: the inverted ``api_insecure`` flag,
    plain TCP to another host), the TLS files (readable by the nova user, the key not by
    others) and the client certificate's expiry.

    Never raises for a down daemon: the result's ``problems`` lists what is wrong, ``unsafe``
    what pillar's ``compute:unsafe_unverified_tls`` / ``compute:unsafe_plain_tcp`` accepted,
    ``warnings`` a client certificate that expires within 30 days.
    Arguments default to pillar ``novadocker:compute:docker:host_url``, the release's pinned API
    version (or ``novadocker:driver:api_version``) and ``novadocker:compute:user``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.validate_daemon
        salt '*' novadocker.validate_daemon host_url=unix:///run/docker.sock api_version=1.19
    """
    conf = _report_settings()
    return _validate_daemon(
        conf,
        __utils__["novadocker_nova.planned_docker_options"](conf),
        host_url=host_url,
        api_version=api_version,
        user=user,
        timeout=timeout,
    )


def _validate_daemon(conf, options, host_url=None, api_version=None, user=None, timeout=5):
    return __salt__["novadocker_daemon.validate"](
        host_url or options["host_url"],
        api_version=api_version or conf["api_version"],
        user=user or conf["compute"]["user"],
        timeout=timeout,
        options=options,
        unsafe_unverified_tls=conf["compute"]["unsafe_unverified_tls"],
        unsafe_plain_tcp=conf["compute"]["unsafe_plain_tcp"],
    )


def switched(cached_only=False):
    """
    Say whether this node runs nova-docker's driver as nova-compute reads its config: the
    ``compute_driver`` nova.conf sets, whether it names nova-docker's driver, and the Docker
    daemon the driver talks to (nova.conf's ``[docker] host_url``, else pillar's). Read with
    the formula's parameters as the last state run used them. The beacon and the grain judge a
    node the same way.

    Returns ``{"nova_conf", "readable", "compute_driver", "switched", "host_url"}``.

    cached_only
        Never ask the file server for the formula's parameters: an error when no state run
        left them in the minion cache yet (the beacon).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.switched
    """
    return __utils__["novadocker_nova.view"](_report_settings("only" if cached_only else True))


def _check_nova_conf(conf, spelling):
    """``(ok, detail)``: what nova-compute reads over its config chain against what the
    formula wants (``compute_driver`` in the spelling nova loads)."""
    view = __utils__["novadocker_nova.view"](conf)
    options = {sect: dict(keys) for sect, keys in conf["nova_options"].items()}
    options["DEFAULT"]["compute_driver"] = spelling
    detail = {
        "path": conf["paths"]["nova_conf"],
        "files_read": view["files_read"],
        "files_missing": view["files_missing"],
        "compute_driver": view["compute_driver"],
        "compute_driver_from": view["compute_driver_from"],
        "switched": view["switched"],
        "problems": [],
    }
    problems = detail["problems"]
    missing = __utils__["novadocker_state.config_missing"](conf["paths"]["nova_conf"])
    if missing:
        problems.append(missing)
        return False, detail
    if not view["readable"]:
        problems.append(
            view["unreadable"].get(conf["paths"]["nova_conf"])
            or "{} not found or unreadable".format(conf["paths"]["nova_conf"])
        )
        return False, detail
    try:
        planned = __salt__["novadocker_nova.plan"](
            conf["paths"]["nova_conf"], options, conf["nova_chain"], conf["root"]
        )
    except CommandExecutionError as exc:
        problems.append(str(exc))
        return False, detail
    problems.extend(planned["problems"])
    for _path, sects in sorted(planned["edits"].items()):
        for section, keys in sorted(sects.items()):
            for key, value in sorted(keys.items()):
                now = planned["effective"]["[{}] {}".format(section, key)]
                problems.append(
                    "[{}] {} is {!r}{}, the formula wants {!r}".format(
                        section,
                        key,
                        now["value"],
                        " (from {})".format(now["path"]) if now["path"] else "",
                        value,
                    )
                )
    return not problems, detail


#: The one rule of the driver's docker.filters (identical on every branch).
_ROOTWRAP_RULE = ("Filters", "ln", "CommandFilter, /bin/ln, root")


def _check_rootwrap_filter(path):
    """Problems with the rootwrap filter at ``path``: missing, writable by anyone but root, or
    without the rule the driver needs (a TOFS override may add rules, not drop this one)."""
    try:
        # Never opens a FIFO; a directory is a clear problem.
        _real, st, data = __utils__["novadocker_files.read_regular"](path)
    except OSError as exc:
        return ["{} is missing ({})".format(path, exc.strerror)]
    text = data.decode("utf-8", "replace")
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
    Report on this node in one place: whether nova-compute runs nova-docker's driver
    (``switched``, ``compute_driver``: nova.conf as nova reads it, on every node); for a
    docker compute node the driver (installed,
    version, importable), the Docker daemon validation, nova.conf's driver and ``[docker]``
    settings as the formula wants them, the rootwrap filter and the nova user's socket access;
    for an image node Glance's container formats, in glance-api.conf and in the running
    glance-api's image schema (``glance_api``: see
    ``novadocker_glance.live_container_formats``); for each role a restart its service is still
    owed (``compute_restart``, ``image_restart``: see :py:func:`restart_owed`). ``ok`` is True
    only when every part is.

    The daemon is reached as the driver reaches it, with the ``[docker]`` options nova reads
    (before the switch: will read): over TLS, ``daemon:tls`` holds the TLS files and the
    client certificate's expiry (``certificate``: ``not_after``, ``days_left``; none when the
    ``cryptography`` package is missing); one expiring within 30 days is listed under
    ``warnings``. An endpoint pillar accepted as unsafe (``compute:unsafe_unverified_tls``,
    ``compute:unsafe_plain_tcp``) is a problem here.

    Usable from a master: ``salt -G 'novadocker:compute:True' novadocker.check``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.check
    """
    conf = _report_settings()
    view = __utils__["novadocker_nova.view"](conf)
    report = {
        "ok": True,
        "problems": [],
        "warnings": [],
        "roles": [],
        # What nova-compute reads, whatever the roles: the fleet report shows it for every node.
        "switched": view["switched"],
        "compute_driver": view["compute_driver"],
    }
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
        # The daemon as nova reaches it: with the [docker] options nova reads once switched,
        # with those it will read before. What pillar accepted as unsafe is a problem here.
        options = view["docker_options"] if view["switched"] else None
        daemon = _validate_daemon(
            conf, options or __utils__["novadocker_nova.planned_docker_options"](conf)
        )
        daemon["problems"] = daemon["problems"] + daemon["unsafe"]
        part("daemon", daemon["ok"] and not daemon["unsafe"], daemon)
        report["warnings"].extend("daemon: {}".format(w) for w in daemon["warnings"])
        nova = check_nova()
        part("nova", nova["ok"], nova)
        ok, detail = _check_nova_conf(conf, nova["compute_driver"])
        part("nova_conf", ok, detail)
        filt = conf["paths"]["rootwrap_filter"]
        problems = _check_rootwrap_filter(filt)
        part("rootwrap", not problems, {"path": filt, "problems": problems})
        _check_restart(part, "compute", conf)
    if conf["image"]["enabled"]:
        report["roles"].append("image")
        glance = conf["glance"]
        path = conf["paths"]["glance_api_conf"]
        problem = __utils__["novadocker_state.config_missing"](path)
        if problem is None:
            try:
                fmt = __salt__["novadocker_glance.container_formats"](
                    path,
                    conf["image"]["container_formats"],
                    section=glance["section"],
                    default_formats=glance["default_formats"],
                )
            except CommandExecutionError as exc:
                problem = str(exc)
        if problem is None:
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
            part("glance", False, {"path": path, "problems": [problem]})
        if conf["image"]["api"]["verify"]:
            live = __salt__["novadocker_glance.live_container_formats"](wait=0)
            part("glance_api", live["ok"], live)
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


# -- the formula's shared code (_utils), through the loader --------------------


def _rel(name):
    return __utils__["novadocker_releases.{}".format(name)]


def _set(name):
    return __utils__["novadocker_settings.{}".format(name)]
