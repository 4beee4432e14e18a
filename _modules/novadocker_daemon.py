"""
Execution module for the novadocker formula: is the Docker daemon usable by nova-docker?

nova-docker's client pins one Docker remote API version and does not negotiate (1.13 up to
kilo, 1.19 from liberty): a daemon whose API range (``MinAPIVersion`` .. ``ApiVersion``)
excludes the pin answers every request with ``400 client version ... is too old/new``. The
driver does not manage the daemon's socket either: ``init_host`` fails with "Docker daemon is
not running or is not reachable (check the rights on /var/run/docker.sock)" when the nova user
cannot read and write the socket.

:py:func:`validate` answers both questions in one structured report and never raises for a down
daemon; every request goes through the formula's one Docker client
(``_utils/novadocker_docker.py``). Access to the socket is granted the only sane way:
membership of the socket's group (:py:func:`add_user_to_group`). That membership is
equivalent to root on the host, and so is a world-writable socket (mode 0666/0777, as earlier
tools set it) -- for *every* local user; this module reports such a socket as a problem and
never changes a socket's mode or owner.

"""

import grp
import logging
import os
import pwd
import re
import stat

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_daemon"

_DEFAULT_URL = "unix:///var/run/docker.sock"

_VERSION_RE = re.compile(r"^\d+\.\d+$")


def __virtual__():
    return __virtualname__


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def _api_tuple(version):
    """``"1.19"`` -> ``(1, 19)``; ``None`` for anything that is not MAJOR.MINOR."""
    if version is None:
        return None
    text = str(version).strip()
    if not _VERSION_RE.match(text):
        return None
    major, minor = text.split(".")
    return int(major), int(minor)


def _pin_str(api_version):
    """Normalise the pin given on a command line or in pillar to ``"MAJOR.MINOR"``.

    Salt parses ``api_version=1.19`` on a command line as the float 1.19; ``repr`` of a float
    gives back the text for the pins nova-docker uses (1.13, 1.19). A pin whose minor ends in
    0 (``1.20``) must be quoted on a command line, as a float it would read ``1.2``.
    """
    if api_version is None or api_version == "":
        return None
    if isinstance(api_version, bool):
        raise SaltInvocationError(f"api_version must look like 1.19, not {api_version!r}")
    text = repr(api_version) if isinstance(api_version, float) else str(api_version).strip()
    if not _VERSION_RE.match(text):
        raise SaltInvocationError(
            f"api_version must be a Docker API version like 1.19 (MAJOR.MINOR), not {text!r}"
        )
    return text


def _socket_path(host_url):
    """The socket path of a ``unix://`` URL, ``None`` for any other scheme."""
    if not isinstance(host_url, str) or not host_url.startswith("unix://"):
        return None
    path = host_url[len("unix://") :]
    if not path.startswith("/"):
        path = "/" + path
    return path


def _name_of_uid(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _name_of_gid(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _user_gids(pw_entry):
    """The primary gid and every supplementary group gid of a user, from /etc/group (NSS)."""
    gids = {pw_entry.pw_gid}
    for entry in grp.getgrall():
        if pw_entry.pw_name in entry.gr_mem:
            gids.add(entry.gr_gid)
    return gids


def _user_groups(user):
    """Sorted names of every group ``user`` is in (primary and supplementary)."""
    pw_entry = pwd.getpwnam(user)
    return sorted(_name_of_gid(gid) for gid in _user_gids(pw_entry))


def _access_class(st, uid, gids, want):
    """Which permission class the kernel applies to (uid, gids) on a file, and whether the
    ``want`` bits (r=4, w=2, x=1) are all granted. Root (uid 0) is granted everything."""
    mode = stat.S_IMODE(st.st_mode)
    if uid == 0:
        return ("owner" if st.st_uid == 0 else "root"), True
    if uid == st.st_uid:
        return "owner", (mode >> 6) & want == want
    if st.st_gid in gids:
        return "group", (mode >> 3) & want == want
    return "other", mode & want == want


def _blocking_dir(path, uid, gids):
    """The first parent directory of ``path`` the user cannot search (x bit), or ``None``."""
    parent = os.path.dirname(os.path.abspath(path))
    chain = []
    while True:
        chain.append(parent)
        up = os.path.dirname(parent)
        if up == parent:
            break
        parent = up
    for directory in reversed(chain):
        try:
            st = os.stat(directory)
        except OSError:
            return directory
        if not _access_class(st, uid, gids, 1)[1]:
            return directory
    return None


# ------------------------------------------------------------------------------------------
# Public functions
# ------------------------------------------------------------------------------------------
def user_in_group(user, group):
    """
    Return ``True`` when ``user`` is a member of ``group``: as a supplementary member listed
    in /etc/group, or through its primary group. ``False`` when it is not, or when the user or
    the group does not exist.

    user
        The user name, e.g. ``nova``.

    group
        The group name, e.g. ``docker``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.user_in_group nova docker
    """
    try:
        pw_entry = pwd.getpwnam(str(user))
        gr_entry = grp.getgrnam(str(group))
    except KeyError:
        return False
    return gr_entry.gr_gid == pw_entry.pw_gid or pw_entry.pw_name in gr_entry.gr_mem


def user_groups(user):
    """
    Return the sorted names of every group ``user`` is in (primary and supplementary), or
    ``None`` when the user does not exist.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.user_groups nova
    """
    try:
        return _user_groups(str(user))
    except KeyError:
        return None


def _change_membership(user, group, add):
    user, group = str(user), str(group)
    try:
        pwd.getpwnam(user)
    except KeyError as exc:
        raise CommandExecutionError(f"user {user} does not exist") from exc
    try:
        grp.getgrnam(group)
    except KeyError as exc:
        raise CommandExecutionError(f"group {group} does not exist") from exc
    old = _user_groups(user)
    member = user_in_group(user, group)
    if member == add:
        return {"user": user, "group": group, "changed": False, "groups": {"old": old, "new": old}}
    if add:
        ok = __salt__["group.adduser"](group, user)
    else:
        if grp.getgrnam(group).gr_gid == pwd.getpwnam(user).pw_gid:
            raise CommandExecutionError(
                f"group {group} is the primary group of user {user}: change the user's primary "
                "group (usermod -g) to remove it"
            )
        ok = __salt__["group.deluser"](group, user)
    new = _user_groups(user)
    if not ok or user_in_group(user, group) != add:
        verb = "add user {} to" if add else "remove user {} from"
        raise CommandExecutionError(
            "could not {} group {} (see the minion log for the gpasswd/usermod output)".format(
                verb.format(user), group
            )
        )
    return {"user": user, "group": group, "changed": True, "groups": {"old": old, "new": new}}


def add_user_to_group(user, group):
    """
    Add ``user`` to ``group`` (via Salt's ``group.adduser``: gpasswd/usermod change
    /etc/group). Membership of the Docker socket's group is equivalent to root on the host.

    Returns ``{"user", "group", "changed": bool, "groups": {"old": [...], "new": [...]}}``;
    raises when the user or group does not exist or the change fails. Already a member:
    ``changed`` is ``False``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.add_user_to_group nova docker
    """
    return _change_membership(user, group, add=True)


def remove_user_from_group(user, group):
    """
    Remove ``user`` from the supplementary members of ``group`` (via Salt's
    ``group.deluser``). Same return shape as :py:func:`add_user_to_group`; not a member:
    ``changed`` is ``False``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.remove_user_from_group nova docker
    """
    return _change_membership(user, group, add=False)


def _lookup_user(user, found, needs):
    """The passwd entry of ``user``, or ``None`` when it does not exist; sets
    ``found["user_exists"]`` and adds a problem saying what the user ``needs``."""
    try:
        pw_entry = pwd.getpwnam(str(user))
    except KeyError:
        found["user_exists"] = False
        found["problems"].append(
            f"user {user} does not exist: is nova-compute installed? ({needs})"
        )
        return None
    found["user_exists"] = True
    return pw_entry


def socket_info(path, user=None):
    """
    Describe a Docker unix socket and whether ``user`` can use it.

    path
        The socket path, e.g. ``/var/run/docker.sock``.

    user
        Optional user (e.g. ``nova``) whose access is computed from the socket's owner, group
        and mode and the user's uid, primary gid and supplementary groups (nothing is run as
        that user). Connecting needs read and write on the socket and search (x) on every
        parent directory.

    Returns ``{"path", "exists", "is_socket", "owner", "group", "mode" ("0660"),
    "world_writable", "user", "user_exists", "user_access" (bool, ``None`` without a user),
    "user_access_via" ("owner", "group", "other"; "root" for uid 0 on a socket it does not
    own; ``None`` without access),
    "blocked_by" (a parent directory the user cannot search, or ``None``),
    "problems": [...]}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.socket_info /var/run/docker.sock user=nova
    """
    path = str(path)
    unknown = ("owner", "group", "mode", "user_exists", "user_access", "user_access_via")
    info = dict.fromkeys(unknown + ("blocked_by",))
    info.update(path=path, exists=False, is_socket=False, world_writable=False, user=user)
    info["problems"] = []
    problems = info["problems"]
    pw_entry = None
    if user is not None:
        pw_entry = _lookup_user(user, info, f"it needs read and write access to {path}")
    try:
        st = os.stat(path)
    except OSError as exc:
        problems.append(
            f"Docker socket {path} does not exist ({exc.strerror}): is dockerd running and "
            'listening there (dockerd -H / daemon.json "hosts")?'
        )
        return info
    mode = stat.S_IMODE(st.st_mode)
    info.update(
        exists=True,
        is_socket=stat.S_ISSOCK(st.st_mode),
        owner=_name_of_uid(st.st_uid),
        group=_name_of_gid(st.st_gid),
        mode=f"{mode:04o}",
        world_writable=bool(mode & stat.S_IWOTH),
    )
    owner_group = "{}:{} {}".format(info["owner"], info["group"], info["mode"])
    if not info["is_socket"]:
        problems.append(f"{path} is not a unix socket ({owner_group}): check dockerd -H")
    if info["world_writable"]:
        problems.append(
            f"Docker socket {path} is world-writable ({owner_group}): every local user is "
            "root on this host; restore it to 0660 owned by root and the docker group (drop "
            "whatever made it 0666/0777) and grant access by group membership instead"
        )
    if pw_entry is not None:
        gids = _user_gids(pw_entry)
        via, granted = _access_class(st, pw_entry.pw_uid, gids, 6)
        blocked = _blocking_dir(path, pw_entry.pw_uid, gids)
        info["blocked_by"] = blocked
        info["user_access"] = bool(granted and blocked is None)
        info["user_access_via"] = via if info["user_access"] else None
        if not granted:
            if st.st_gid == 0:
                hint = (
                    'run dockerd with a dedicated socket group (--group docker, or "group" '
                    "in daemon.json) and add the user to it"
                )
            else:
                hint = f"add it to group {info['group']}"
            problems.append(f"user {user} cannot read and write {path} ({owner_group}): {hint}")
        elif blocked is not None:
            problems.append(
                f"user {user} cannot reach {path}: it cannot search directory {blocked}"
            )
    return info


#: The TLS files of ``[docker]``: what each one is.
_TLS_FILES = (
    ("ca_file", "CA certificate"),
    ("cert_file", "client certificate"),
    ("key_file", "client key"),
)

#: Days before its expiry from which the client certificate is warned about.
EXPIRY_WARN_DAYS = 30


def _tls_file(option, what, path, pw_entry, problems):
    """The description of one TLS file; its problems appended to ``problems``."""
    info = {"path": path, "exists": False, "owner": None, "group": None, "mode": None}
    info["user_access"] = None
    name = f"[docker] {option} {path} ({what})"
    try:
        st = os.stat(path)
    except OSError as exc:
        problems.append(f"{name}: {exc.strerror}; the driver cannot start without it")
        return info
    if not stat.S_ISREG(st.st_mode):
        problems.append(f"{name} is not a regular file")
        return info
    mode = stat.S_IMODE(st.st_mode)
    owner, group = _name_of_uid(st.st_uid), _name_of_gid(st.st_gid)
    info.update(exists=True, owner=owner, group=group, mode=f"{mode:04o}")
    where = f"{owner}:{group} {mode:04o}"
    if option == "key_file" and mode & stat.S_IROTH:
        problems.append(
            f"{name} is readable by every local user ({where}): whoever holds the client key "
            "drives the daemon (root on its host); make it 0600 owned by the nova user or 0640 "
            "with a group only nova is in (the formula checks it, it never changes it)"
        )
    if mode & stat.S_IWOTH:
        problems.append(
            f"{name} is writable by every local user ({where}): anyone could replace it; make "
            "it writable by its owner only"
        )
    if pw_entry is not None:
        gids = _user_gids(pw_entry)
        granted = _access_class(st, pw_entry.pw_uid, gids, 4)[1]
        blocked = _blocking_dir(path, pw_entry.pw_uid, gids)
        info["user_access"] = bool(granted and blocked is None)
        user = pw_entry.pw_name
        if not granted:
            problems.append(
                f"user {user} (nova-compute) cannot read {name}, {where}: give it read access "
                "as owner or through the file's group"
                + (", without making the key readable by others" if option == "key_file" else "")
            )
        elif blocked is not None:
            problems.append(
                f"user {user} (nova-compute) cannot reach {name}: it cannot search directory "
                f"{blocked}"
            )
    return info


def tls_files(ca_file=None, cert_file=None, key_file=None, user=None):
    """
    Check the TLS files the driver reads (``[docker] ca_file``, ``cert_file``, ``key_file``);
    checked, never changed. Each given file must be a regular file readable by ``user`` (the
    nova user; its access is computed from the file's owner, group and mode and the user's
    groups, with search access on every parent directory, as :py:func:`socket_info` does for
    the socket) and writable by no one but its owner and group; the key must not be readable
    by others (no ``o+r``: 0600, or 0640 with a group only nova is in).

    Returns ``{"files": {option: {"path", "exists", "owner", "group", "mode",
    "user_access"}}, "user", "user_exists", "problems": [...]}``; each problem names the
    option and the file.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.tls_files /etc/nova/docker-ca.pem /etc/nova/docker-cert.pem \
            /etc/nova/docker-key.pem user=nova
    """
    given = {"ca_file": ca_file, "cert_file": cert_file, "key_file": key_file}
    result = {"files": {}, "user": user, "user_exists": None, "problems": []}
    problems = result["problems"]
    pw_entry = None
    if user is not None and any(given.values()):
        pw_entry = _lookup_user(user, result, "it reads the TLS files of [docker]")
    for option, what in _TLS_FILES:
        if given[option]:
            result["files"][option] = _tls_file(option, what, given[option], pw_entry, problems)
    return result


def _check_tls(report, options, user, unsafe_unverified_tls, unsafe_plain_tcp):
    """Judge how the driver reaches the daemon with ``options`` and check its TLS files; fill
    ``report["tls"]``, ``"unsafe"``, ``"warnings"`` and ``"problems"``. Return the TLS settings
    to connect with, and whether the daemon may be asked at all (not when something is
    refused: plain TCP off the host and unverified TLS are never even tried)."""
    verdict = _docker("judge_driver")(options, unsafe_unverified_tls, unsafe_plain_tcp)
    tls = verdict["tls"]
    part = {"enabled": False, "verify": None, "certificate": None, "files": {}, "user_exists": None}
    report["tls"] = part
    report["unsafe"] = verdict["unsafe"]
    problems = list(verdict["problems"])
    if tls is not None:
        part.update(enabled=verdict["scheme"] == "tcp", verify=tls["verify"])
        files = tls_files(tls["ca_file"], tls["cert_file"], tls["key_file"], user)
        part.update(files=files["files"], user_exists=files["user_exists"])
        problems.extend(files["problems"])
        cert = files["files"].get("cert_file") or {}
        if cert.get("exists"):
            part["certificate"] = _expiry(cert["path"], report, problems)
    report["problems"].extend(problems)
    return tls, not problems


def _expiry(path, report, problems):
    """The client certificate's expiry (``novadocker_docker.certificate_expiry``): expired is a
    problem, within :data:`EXPIRY_WARN_DAYS` days a warning."""
    found = _docker("certificate_expiry")(path)
    if found is None:
        return {
            "path": path,
            "not_after": None,
            "days_left": None,
            "error": "no expiry report: the cryptography package is not installed for Salt",
        }
    if found["error"]:
        problems.append(f"[docker] cert_file: {found['error']}")
    elif found["days_left"] <= 0:
        problems.append(
            f"[docker] cert_file {path} (client certificate) expired on {found['not_after']}: "
            "the daemon refuses it; renew it"
        )
    elif found["days_left"] <= EXPIRY_WARN_DAYS:
        report["warnings"].append(
            f"[docker] cert_file {path} (client certificate) expires on {found['not_after']}, "
            f"in {found['days_left']:.0f} days: renew it before then"
        )
    return found


def validate(
    host_url=_DEFAULT_URL,
    api_version="1.19",
    user=None,
    timeout=5,
    info=True,
    options=None,
    tls_user=None,
    unsafe_unverified_tls=False,
    unsafe_plain_tcp=False,
):
    """
    Check that the Docker daemon at ``host_url`` can serve nova-docker, reached exactly as the
    driver reaches it. Never raises for a down daemon: everything found is in the returned
    report.

    host_url
        The daemon URL as in nova.conf ``[docker] host_url`` (``unix:///var/run/docker.sock``,
        ``tcp://host:2376``).

    api_version
        The Docker API version the driver's client pins (1.13 up to kilo, 1.19 from liberty;
        see ``novadocker.release_info``). Empty: do not check a pin. Quote pins ending in 0 on
        a command line (``api_version='"1.20"'``): unquoted they are read as floats.

    user
        Optional user (e.g. ``nova``) whose access to the unix socket (and to the TLS files,
        unless ``tls_user`` is given) is checked.

    timeout
        Seconds to wait for the daemon.

    info
        Also ask ``/info`` for the storage driver (one more request; the state gate does not).

    options
        The ``[docker]`` options nova reads (``api_insecure``, ``ca_file``, ``cert_file``,
        ``key_file``; ``host_url`` is the argument above): the TLS settings are built from
        them as the driver's client builds them (``novadocker_docker.driver_tls``: the
        ``api_insecure`` flag is inverted) and judged (``novadocker_docker.judge_driver``).
        Without options, ``host_url`` alone (plain HTTP on ``tcp://``).

    tls_user
        The user whose read access to the TLS files is checked (default: ``user``).

    unsafe_unverified_tls, unsafe_plain_tcp
        Pillar ``compute:unsafe_unverified_tls`` / ``compute:unsafe_plain_tcp``: accept a TLS
        endpoint the driver would not verify against ``ca_file`` / plain TCP to another host;
        then listed under ``unsafe`` instead of ``problems``.

    With a pin, a healthy daemon is asked one question, ``/v<pin>/version``: its answer proves
    the daemon accepts the pin and carries its API range. ``/version`` is asked only when there
    is no pin or the pinned request is refused (for the range to quote). A refused endpoint
    (plain TCP to another host, unverified TLS) or a broken TLS file is not asked at all.

    The report: ``{"host_url", "asked", "reachable", "server_version", "api_version",
    "min_api_version", "pinned_api_version", "pin_supported" (bool, ``None`` when the daemon
    is unreachable or no pin is given), "storage_driver", "socket" (see
    :py:func:`socket_info`; ``None`` for non-unix URLs), "tls" (``enabled``, ``verify``,
    ``files`` (see :py:func:`tls_files`), ``certificate``: the client certificate's
    ``not_after`` and ``days_left``), "unsafe" (what pillar accepted), "warnings", "ok",
    "problems": [...]}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.validate
        salt '*' novadocker_daemon.validate unix:///var/run/docker.sock api_version=1.13 user=nova
        salt '*' novadocker_daemon.validate tcp://127.0.0.1:2376 user=nova \
            options='{"ca_file": "/etc/nova/docker-ca.pem", "api_insecure": true, ...}'
    """
    pin = _pin_str(api_version)
    report = {
        "host_url": host_url,
        "asked": False,
        "reachable": False,
        "server_version": None,
        "api_version": None,
        "min_api_version": None,
        "pinned_api_version": pin,
        "pin_supported": None,
        "storage_driver": None,
        "socket": None,
        "ok": False,
        "warnings": [],
        "problems": [],
    }
    problems = report["problems"]
    options = dict(options or {}, host_url=host_url)
    tls, may_ask = _check_tls(
        report,
        options,
        user if tls_user is None else tls_user,
        unsafe_unverified_tls,
        unsafe_plain_tcp,
    )

    sock = _socket_path(host_url)
    if sock is not None:
        report["socket"] = socket_info(sock, user=user)

    if may_ask:
        _ask(report, host_url, pin, timeout, info, tls)

    if report["socket"] is not None:
        socket_problems = report["socket"]["problems"]
        if not report["reachable"] and not report["socket"]["exists"]:
            # The unreachable problem names the socket already.
            missing = f"Docker socket {sock} does not exist"
            socket_problems = [p for p in socket_problems if not p.startswith(missing)]
        problems.extend(socket_problems)

    report["ok"] = bool(
        report["reachable"] and (pin is None or report["pin_supported"]) and not problems
    )
    return report


def _ask(report, host_url, pin, timeout, info, tls):
    """Ask the daemon its versions (and ``/info``); fill the report."""
    report["asked"] = True
    ask = _docker("ask")
    answer = {"ok": False}
    if pin is not None:
        answer = ask(host_url, "/v{}/version".format(pin), timeout, tls)
    answer_error = None
    if not answer["ok"] and answer.get("kind") == "http":
        # The daemon answered and refused the pin: ask the unversioned /version for its range.
        answer_error = answer["error"]
    if not answer["ok"] and (pin is None or answer_error is not None):
        answer = ask(host_url, "/version", timeout, tls)
    if answer["ok"] and isinstance(answer["data"], dict):
        version = answer["data"]
        report["reachable"] = True
        report["server_version"] = version.get("Version")
        report["api_version"] = version.get("ApiVersion")
        report["min_api_version"] = version.get("MinAPIVersion")
        if info:
            data = ask(host_url, "/info", timeout, tls)
            if data["ok"] and isinstance(data["data"], dict):
                report["storage_driver"] = data["data"].get("Driver")
            else:
                log.info("novadocker_daemon: /info at %s failed: %s", host_url, data.get("error"))
        if pin is not None:
            _judge_pin(report, pin, answer_error)
    else:
        # A down daemon, a missing socket, a refused connection, a timeout, a TLS failure: all
        # reports, never exceptions.
        report["problems"].append(
            "Docker daemon is not reachable at {}: {}; is dockerd running?".format(
                host_url, answer.get("error") or "no version document"
            )
        )


def _judge_pin(report, pin, answer_error):
    """Range check and the pinned request's outcome; fills pin_supported/problems."""
    host_url = report["host_url"]
    low, high = report["min_api_version"], report["api_version"]
    pin_t, low_t, high_t = _api_tuple(pin), _api_tuple(low), _api_tuple(high)
    in_range = True
    if high_t is not None and pin_t > high_t:
        in_range = False
    if low_t is not None and pin_t < low_t:
        in_range = False

    report["pin_supported"] = in_range and answer_error is None
    if report["pin_supported"]:
        return
    speaks = "{} to {}".format(low or "?", high or "?")
    detail = answer_error or "outside the daemon's API range"
    if high_t is not None and pin_t > high_t:
        advice = (
            f"the daemon is older than the driver: upgrade Docker to a release that speaks API "
            f"{pin}, or use a driver release with an older pin"
        )
    else:
        advice = (
            f"the daemon is too new for the driver: run a Docker release whose API range still "
            f"includes {pin} (Docker 25 and later refuse API versions below 1.24), or a driver "
            "release with a newer pin"
        )
    report["problems"].append(
        f"the driver pins Docker API {pin}, the daemon at {host_url} speaks {speaks}: "
        f"/v{pin}/version answered {detail}; {advice}"
    )


def probe(host_url=_DEFAULT_URL, timeout=2, options=None):
    """
    Ask the Docker daemon at ``host_url`` its ``/version``, once, within ``timeout`` seconds in
    total, reached as the driver reaches it with the ``[docker]`` ``options`` nova reads (TLS:
    ``novadocker_docker.driver_tls``). Never raises: ``{"reachable", "version",
    "api_version", "error"}``. The ``novadocker_daemon`` beacon polls with it.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.probe unix:///var/run/docker.sock timeout=1
        salt '*' novadocker_daemon.probe tcp://127.0.0.1:2376 \
            options='{"api_insecure": true, "ca_file": "/etc/nova/docker-ca.pem"}'
    """
    return _docker("driver_probe")(dict(options or {}, host_url=host_url), float(timeout))


def _seen_file():
    return os.path.join(__opts__["cachedir"], "novadocker", "daemon-watch.json")


def last_seen(host_url, state=None):
    """
    What the ``novadocker_daemon`` beacon last saw of the daemon at ``host_url`` (``None``:
    nothing yet); with ``state``, keep that instead (in the minion cache, so that a reload of
    the beacons or a minion restart fires no duplicate event) and return it.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_daemon.last_seen unix:///var/run/docker.sock
    """
    path = _seen_file()
    try:
        data = __utils__["novadocker_files.read_json"](path)
    except (OSError, ValueError):
        data = None
    data = data if isinstance(data, dict) else {}
    if state is None:
        found = data.get(host_url)
        return found if isinstance(found, dict) else None
    data[host_url] = state
    try:
        __utils__["novadocker_files.write_private_json"](path, data)
    except OSError as exc:
        log.debug("novadocker_daemon: cannot keep the beacon's state in %s: %s", path, exc)
    return state


# -- the formula's shared code (_utils), through the loader --------------------


def _docker(name):
    """A function of ``_utils/novadocker_docker.py`` (the formula's one Docker client)."""
    return __utils__["novadocker_docker.{}".format(name)]
