"""
States for the novadocker formula: the Docker daemon gate and the nova user's socket access.

``novadocker_daemon.valid`` is the readiness gate: it passes only when the daemon answers, speaks
the API version the driver pins and its socket is neither world-writable nor closed to the nova
user. ``novadocker_daemon.socket_access`` grants the nova user access to the socket the only
sane way -- membership of the socket's group (never chmod/chown of the socket) -- and can leave
a record so that ``novadocker_daemon.socket_access_revoked`` undoes exactly what it did.

Membership of the socket's group is equivalent to root on the host; so is a world-writable
socket, for every local user.

.. code-block:: yaml

    docker-daemon-ready:
      novadocker_daemon.valid:
        - name: unix:///var/run/docker.sock
        - api_version: "1.19"
        - user: nova

    nova-docker-socket:
      novadocker_daemon.socket_access:
        - name: nova
        - group: docker
        - socket: /var/run/docker.sock
        - record: /var/lib/novadocker/socket_access.json
"""

import logging

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_daemon"

_ENABLE_GATE = (
    "set pillar novadocker:unsafe_skip_readiness_gates to false once dockerd runs and the nova "
    "user exists, so that this gate really checks"
)


def __virtual__():
    if "novadocker_daemon.validate" in __salt__:
        return __virtualname__
    return (False, "the novadocker_daemon execution module is not available (docker SDK?)")


def _sentence(text):
    """``text`` ending with a full stop (or its own ? or !)."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _skipped(ret, problems):
    ret["result"] = True
    ret["comment"] = "SKIPPED: {} To enable this gate, {}.".format(
        _sentence("; ".join(problems)), _ENABLE_GATE
    )
    return ret


def valid(
    name,
    api_version="1.19",
    user=None,
    timeout=5,
    skip_unready=False,
    options=None,
    nova_conf=None,
    chain=None,
    root="",
    tls_user=None,
    unsafe_unverified_tls=False,
    unsafe_plain_tcp=False,
):
    """
    Ensure the Docker daemon at ``name`` (its URL) can serve nova-docker, reached exactly as
    the driver will reach it.

    Passes, with no changes, only when ``novadocker_daemon.validate`` finds nothing wrong: the
    daemon answers, its API range includes ``api_version`` (the driver's pin), for a unix
    socket the socket is not world-writable and ``user`` (when given) can read and write it,
    and for TCP the endpoint is safe (TLS the driver verifies against ``ca_file``, or plain TCP
    to loopback only) and the TLS files are sound. Fails with the problems otherwise. Changes
    nothing, ever.

    name
        The daemon URL, e.g. ``unix:///var/run/docker.sock``.

    api_version
        The Docker API version the driver pins (``novadocker.release_info``).

    user
        The nova user, to check its access to the socket.

    timeout
        Seconds to wait for the daemon.

    skip_unready
        Demo sandboxes without a daemon: when the daemon is unreachable or the user does not
        exist, report the problems with result True and a comment starting with ``SKIPPED:``
        instead of failing. A daemon that answers but is wrong (API pin outside its range,
        world-writable socket, no access for the user) and a refused endpoint still fail.

    options
        The ``[docker]`` options the formula writes (pillar ``compute:docker``): TLS is built
        from them as the driver's client builds it (its ``api_insecure`` flag is inverted).

    nova_conf, chain, root
        nova.conf and nova-compute's config chain (the settings' ``nova_chain``, root-prefixed):
        the ``[docker]`` options the chain sets now, with ``options`` over them, are what
        nova-compute will read after the switch, and what is judged.

    tls_user
        The nova user, whose read access to the TLS files is checked.

    unsafe_unverified_tls, unsafe_plain_tcp
        Pillar ``compute:unsafe_unverified_tls`` / ``compute:unsafe_plain_tcp``: pass a TLS
        endpoint the driver would not verify against ``ca_file`` / plain TCP to another host,
        with a warning.
    """
    ret = _st("ret")(name, None)
    if nova_conf:
        chain = chain or {"files": [nova_conf], "dirs": [], "dirs_first": False}
        settings = {"nova_chain": chain, "paths": {"nova_conf": nova_conf}, "root": root}
        options = __utils__["novadocker_nova.docker_options"](settings, options)
    try:
        # The gate needs no storage driver: one request fewer on every run.
        report = __salt__["novadocker_daemon.validate"](
            host_url=name,
            api_version=api_version,
            user=user,
            timeout=timeout,
            info=False,
            options=options,
            tls_user=tls_user,
            unsafe_unverified_tls=unsafe_unverified_tls,
            unsafe_plain_tcp=unsafe_plain_tcp,
        )
    except (SaltInvocationError, CommandExecutionError) as exc:
        ret["result"] = False
        ret["comment"] = str(exc)
        return ret
    warnings = report["unsafe"] + report["warnings"]

    if report["ok"]:
        ret["result"] = True
        pin = report["pinned_api_version"]
        pin_text = f" (driver pin {pin} supported)" if pin else ""
        sock = report.get("socket") or {}
        sock_text = ""
        if sock.get("exists"):
            sock_text = ", socket {} {}:{} {}".format(
                sock["path"], sock["owner"], sock["group"], sock["mode"]
            )
            if user:
                sock_text += f" usable by {user} via {sock['user_access_via']}"
        ret["comment"] = "Docker daemon at {} is ready: server {}, API {} to {}{}{}{}".format(
            name,
            report["server_version"],
            report["min_api_version"] or "?",
            report["api_version"] or "?",
            pin_text,
            sock_text,
            _tls_text(report["tls"]),
        )
        return _finish(ret, warnings)

    problems = report["problems"] or [f"Docker daemon at {name} is not usable"]
    sock = report.get("socket") or {}
    unready = (
        (report["asked"] and not report["reachable"])
        or sock.get("user_exists") is False
        or report["tls"]["user_exists"] is False
    )
    if skip_unready and unready:
        return _finish(_skipped(ret, problems), warnings)
    ret["comment"] = "Docker daemon at {} is not ready for nova-docker: {}".format(
        name, "; ".join(problems)
    )
    ret["result"] = None if __opts__["test"] else False
    return _finish(ret, warnings)


def _tls_text(tls):
    """How the daemon was reached over TLS, for the gate's comment."""
    if not tls["enabled"]:
        return ""
    files = tls["files"]
    if tls["verify"] and "ca_file" in files:
        how = "daemon verified against " + files["ca_file"]["path"]
    elif tls["verify"]:
        how = "daemon verified against the system's CAs"
    else:
        how = "daemon NOT verified"
    if "cert_file" in files:
        how += ", client certificate " + files["cert_file"]["path"]
    return f", over TLS ({how})"


def socket_access(
    name,
    group="docker",
    socket=None,
    record=None,
    skip_unready=False,
    restart_marker=None,
    host_url=None,
):
    """
    Ensure the nova user ``name`` is a member of ``group``, the Docker socket's group, so that
    nova-docker can use the socket. Never changes the socket's mode or owner.

    Membership of the socket's group is equivalent to root on the host.

    name
        The nova user, e.g. ``nova``.

    group
        The socket's group (pillar ``novadocker:compute:socket_group``).

    socket
        Optional socket path: when given, a world-writable socket is reported in the comment
        and in ``warnings`` (not fixed, not a failure), and so is a socket owned by another
        group than ``group``.

    record
        Optional JSON file: when this state adds the user to the group it first writes
        ``{"user": name, "group": group, "added": true}`` there (directory 0700, file 0600),
        so that ``novadocker_daemon.socket_access_revoked`` undoes exactly that.

    skip_unready
        Demo sandboxes: a missing user or group gives result True and a ``SKIPPED:`` comment.

    restart_marker
        Marker of the restart owed to the service that reads this (``novadocker.owe_restart``),
        written right after a change; ``novadocker.service_restarted`` pays it.

    host_url
        The daemon's URL (``[docker] host_url``): for anything but a ``unix://`` socket this
        state does nothing (no group is joined, nothing is recorded) and says why.
    """
    ret = _st("ret")(name, None)
    if host_url and not str(host_url).startswith("unix://"):
        ret["result"] = True
        ret["comment"] = (
            f"the driver reaches the Docker daemon over TCP ({host_url}), not through a unix "
            f"socket: user {name} needs no group membership, nothing to do"
        )
        return ret
    warnings = []
    if socket:
        info = __salt__["novadocker_daemon.socket_info"](socket)
        if info["exists"]:
            where = "{} ({}:{} {})".format(socket, info["owner"], info["group"], info["mode"])
            if info["world_writable"]:
                warnings.append(
                    f"Docker socket {where} is world-writable: every local user is root on "
                    "this host; this state does not change it, restore it to 0660 owned by "
                    f"root:{group} and remove whatever made it world-writable"
                )
            if info["group"] != group:
                warnings.append(
                    f"Docker socket {where} belongs to group {info['group']}, not {group}: "
                    f"membership of {group} does not give access to it; set pillar "
                    "novadocker:compute:socket_group to the group dockerd gives its socket"
                )

    groups = __salt__["novadocker_daemon.user_groups"](name)
    unready = []
    if groups is None:
        unready.append(f"user {name} does not exist: is nova-compute installed?")
    if not __salt__["group.info"](group):
        unready.append(
            f"group {group} does not exist: is docker installed? set pillar key "
            "novadocker:compute:socket_group to the group dockerd gives its socket"
        )
    if unready:
        if skip_unready:
            _skipped(ret, unready)
        else:
            ret["result"] = False
            ret["comment"] = "; ".join(unready)
        return _finish(ret, warnings)

    if __salt__["novadocker_daemon.user_in_group"](name, group):
        ret["result"] = True
        ret["comment"] = (
            f"user {name} is already a member of group {group} (access to the Docker socket; "
            "equivalent to root on this host)"
        )
        _verify_access(ret, name, socket)
        return _finish(ret, warnings)

    new_groups = sorted(set(groups) | {group})
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = {"groups": {"old": groups, "new": new_groups}}
        ret["comment"] = f"user {name} would be added to group {group}"
        if record:
            ret["comment"] += f" (recorded in {record})"
        return _finish(ret, warnings)

    owed = None
    try:
        owed = _st("owe_restart")(restart_marker, f"user {name} joined group {group}")
        if record:
            _records("write")(record, "socket", {"user": name, "group": group, "added": True})
        try:
            res = __salt__["novadocker_daemon.add_user_to_group"](name, group)
        except Exception:
            if not __salt__["novadocker_daemon.user_in_group"](name, group):
                if record:
                    _records("remove")(record)
                _st("not_done")(restart_marker, owed)
            raise
    except CommandExecutionError as exc:
        ret["result"] = False
        ret["comment"] = f"could not add user {name} to group {group}: {exc}"
        return _finish(ret, warnings)

    ret["result"] = True
    ret["changes"] = {"groups": res["groups"]}
    ret["comment"] = (
        f"user {name} added to group {group} (access to the Docker socket; equivalent to root "
        "on this host); restart nova-compute so that it runs with the new group"
    )
    if record:
        ret["comment"] += f"; recorded in {record}"
    _verify_access(ret, name, socket)
    return _finish(ret, warnings)


def _verify_access(ret, name, socket):
    """Fail ``ret`` when, group membership done, ``name`` still cannot use ``socket``: the
    switch to the docker driver requires this state, so a node is never switched to a socket
    nova-compute cannot open."""
    if not socket:
        return
    info = __salt__["novadocker_daemon.socket_info"](socket, user=name)
    if info.get("exists") and info.get("user_access") is False:
        ret["result"] = False
        ret["comment"] += (
            f". But user {name} still cannot read and write the Docker socket {socket} "
            f"({info['owner']}:{info['group']} {info['mode']}): set pillar "
            "novadocker:compute:socket_group to the socket's group"
        )


def _finish(ret, warnings):
    return _st("finish")(ret, warnings)


def socket_access_revoked(name, group="docker", record=None, restart_marker=None):
    """
    Undo ``novadocker_daemon.socket_access``: remove the user ``name`` from ``group`` only when
    ``record`` says the formula added it, then delete the record. No record (or none given):
    nothing to undo, result True and no changes -- a membership the formula did not add is left
    alone.

    name
        The nova user.

    group
        The socket's group.

    record
        The record file ``socket_access`` wrote.

    restart_marker
        Marker of the restart owed to nova-compute, written when the user left the group (a
        process keeps the groups it started with).
    """
    ret = _st("ret")(name, None)
    if not record:
        ret["result"] = True
        ret["comment"] = (
            f"no record given: the membership of user {name} in group {group} was not added by "
            "the formula, left alone"
        )
        return ret
    data, readable = _st("read_record")(ret, record, "socket")
    if not readable:
        return ret
    if data is None:
        ret["result"] = True
        ret["comment"] = (
            f"no record {record}: the formula did not add user {name} to group {group}, "
            "nothing to undo"
        )
        return ret
    if data.get("user") != name or data.get("group") != group:
        ret["result"] = False
        ret["comment"] = (
            "record {} is about user {} and group {}, not user {} and group {}: left alone, "
            "check it by hand".format(record, data.get("user"), data.get("group"), name, group)
        )
        return ret

    groups = __salt__["novadocker_daemon.user_groups"](name)
    remove = bool(
        data.get("added") is True
        and groups is not None
        and __salt__["novadocker_daemon.user_in_group"](name, group)
    )
    changes = {}
    if remove:
        changes["groups"] = {"old": groups, "new": [g for g in groups if g != group]}
    changes["record"] = {"old": record, "new": None}

    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = (
            f"user {name} would be removed from group {group}" if remove else "nothing to remove"
        ) + f"; record {record} would be deleted"
        return ret

    if remove:
        owed = None
        try:
            owed = _st("owe_restart")(restart_marker, f"user {name} left group {group}")
            res = __salt__["novadocker_daemon.remove_user_from_group"](name, group)
        except CommandExecutionError as exc:
            if __salt__["novadocker_daemon.user_in_group"](name, group):
                _st("not_done")(restart_marker, owed)
            ret["result"] = False
            ret["comment"] = f"could not remove user {name} from group {group}: {exc}"
            return ret
        changes["groups"] = res["groups"]
    _records("remove")(record)
    ret["result"] = True
    ret["changes"] = changes
    if remove:
        ret["comment"] = f"user {name} removed from group {group}, as recorded in {record}"
    else:
        ret["comment"] = (
            f"user {name} is no longer in group {group} (or no longer exists): record {record} "
            "deleted"
        )
    return _st("finish")(ret)


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]


def _records(name):
    return __utils__["novadocker_records.{}".format(name)]
