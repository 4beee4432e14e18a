"""
Execution module: the nova-docker driver in nova's Python environment.

nova-docker is installed from a zip archive of its git tree (what a git forge serves as
``archive/<ref>.zip``). Such an archive has one top directory ``nova-docker-<ref>/`` holding
``setup.py``, ``setup.cfg`` and the ``novadocker`` package, and no git metadata. The driver is
packaged with pbr, which reads the version from git; without git metadata ``pip install``
fails "while generating package metadata" unless ``PBR_VERSION`` is set. This module sets it
from pillar ``novadocker:driver:version``.

The driver's requirements (``docker-py`` and nova's own) belong to nova's environment, never to
Salt's: every function takes ``python``, the path of nova's interpreter (pillar
``novadocker:driver:python``), and runs pip with that interpreter.

:py:func:`version` reads the installed distribution's metadata straight from the
environment's site-packages/dist-packages directories, so that a re-apply with the wanted
version already installed starts no process at all; only when nothing is found there does it
ask the interpreter.
"""

import logging
import os
import shlex
import shutil
import tempfile
import urllib.parse

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_driver"

#: Lines of pip's output quoted in an error.
_TAIL_LINES = 20


def __virtual__():
    return __virtualname__


# -- helpers --------------------------------------------------------------------------------


def _tail(text, lines=_TAIL_LINES):
    rows = [row for row in (text or "").splitlines() if row.strip()]
    return "\n".join(rows[-lines:])


def _pip_args(pip_args):
    """The pip arguments as a list, refused (like the pillar validation does) when one is not
    among the pip install options the formula accepts."""
    if pip_args is None or pip_args == "":
        return []
    args = shlex.split(pip_args) if isinstance(pip_args, str) else pip_args
    if isinstance(args, tuple):
        args = list(args)
    problems = __utils__["novadocker_schema_driver.pip_args_problems"](args)
    if problems:
        raise SaltInvocationError("; ".join(problems))
    return args


def _proxy():
    """The minion's proxy settings (Salt's ``proxy_host`` ... options), for a download."""
    if not __opts__.get("proxy_host"):
        return None
    return {
        "host": __opts__["proxy_host"],
        "port": __opts__.get("proxy_port"),
        "username": __opts__.get("proxy_username"),
        "password": __opts__.get("proxy_password"),
        "no_proxy": __opts__.get("no_proxy") or [],
    }


def _download(source, expected, timeout, username, password):
    """Path of the http(s) ``source`` in the minion cache (``<cachedir>/novadocker/
    downloads``), downloaded within ``timeout`` seconds unless a copy with the ``expected``
    hash is there already. The cache name never holds a part of the URL."""
    directory = os.path.join(__opts__["cachedir"], "novadocker", "downloads")
    _dl("prepare")(directory)
    dest = os.path.join(directory, _dl("cache_name")(source, expected[1] if expected else None))
    if expected and os.path.isfile(dest) and _arc("file_hash")(dest, expected[0]) == expected[1]:
        log.debug("novadocker: %s is in the minion cache already", _sec("redact_url")(source))
        return dest
    cafile = __opts__.get("ca_bundle")
    _dl("fetch")(
        source,
        dest,
        timeout=timeout,
        username=username or None,
        password=password or None,
        proxy=_proxy(),
        cafile=cafile if isinstance(cafile, str) and os.path.isfile(cafile) else None,
    )
    return dest


def fetch(
    source,
    source_hash="",
    skip_hash=False,
    download_timeout=300,
    source_username=None,
    source_password=None,
):
    """
    Return the path on the minion of the driver archive ``source``, its hash checked.

    A ``file://`` URL or absolute path is read in place; ``salt://`` is cached by
    ``cp.cache_file``; ``http(s)://`` is downloaded into the minion cache within
    ``download_timeout`` seconds in all (``_utils/novadocker_download.py``), with HTTP Basic
    credentials ``source_username``/``source_password`` (or the URL's userinfo), reusing a
    copy whose hash is ``source_hash``. A file whose hash differs is not kept. Every message
    hides the credentials.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.fetch https://example.org/nova-docker-stable-mitaka.zip \\
            source_hash=sha256=<hex>
    """
    expected = None
    if not skip_hash:
        if not source_hash:
            raise SaltInvocationError(
                "pillar novadocker:driver:source_hash is empty: set it to sha256=<hex digest> "
                "of the archive (or, unsafe, set novadocker:driver:unsafe_skip_source_hash: "
                "true)"
            )
        expected = _arc("parse_hash")(source_hash)
    shown = _sec("redact_url")(source)
    path = _fetch(source, expected, download_timeout, source_username, source_password)
    if expected:
        actual = _arc("file_hash")(path, expected[0])
        if actual != expected[1]:
            if urllib.parse.urlparse(source).scheme.lower() in ("http", "https"):
                # Do not keep a wrong file in the minion cache.
                try:
                    os.remove(path)
                except OSError:
                    pass
            raise CommandExecutionError(_arc("mismatch")(shown, expected, actual))
    else:
        log.warning("Installing %s without checking its hash (unsafe)", shown)
    return path


def _fetch(source, expected=None, timeout=300, username=None, password=None):
    """Path of ``source`` on the minion: a local file as is, a salt:// file cached by
    ``cp.cache_file``, an http(s) URL downloaded (:py:func:`_download`)."""
    shown = _sec("redact_url")(source)
    local = _local_path(source)
    if local is not None:
        if not os.path.isfile(local):
            raise CommandExecutionError(
                f"Source file {local} does not exist on the minion: check pillar "
                "novadocker:driver:source"
            )
        return local
    scheme = urllib.parse.urlparse(source).scheme.lower()
    if scheme in ("http", "https"):
        try:
            return _download(source, expected, timeout, username, password)
        except CommandExecutionError as exc:
            raise CommandExecutionError(f"{exc}; check pillar novadocker:driver:source") from None
    if scheme != "salt":
        raise _not_a_source(shown)
    try:
        cached = __salt__["cp.cache_file"](source)
    except Exception as exc:  # MinionError, CommandExecutionError, ...
        raise CommandExecutionError(_arc("download_error")(shown, exc)) from exc
    if not cached or not os.path.isfile(cached):
        raise CommandExecutionError(_no_such_salt_file(shown))
    return cached


def _local_path(source, key="novadocker:driver:source"):
    """:py:func:`novadocker_archive.local_path`, its error without credentials."""
    try:
        return _arc("local_path")(source, key)
    except SaltInvocationError as exc:
        raise SaltInvocationError(_sec("redact_text")(str(exc), _sec("known")(source))) from None


def _not_a_source(shown):
    return SaltInvocationError(
        f"pillar novadocker:driver:source {shown!r} is not an https://, http://, salt:// "
        "or file:// URL nor an absolute path"
    )


def _no_such_salt_file(shown):
    return (
        f"Could not download {shown}: the Salt fileserver has no such file (check "
        "pillar novadocker:driver:source and the master's file_roots)"
    )


def _workdir():
    base = os.path.join(__opts__.get("cachedir") or tempfile.gettempdir(), "novadocker_driver")
    os.makedirs(base, mode=0o700, exist_ok=True)
    return tempfile.mkdtemp(prefix="unpack-", dir=base)


def version(python):
    """
    Return the version of nova-docker installed in ``python``'s environment, or ``None`` when
    it is not installed there.

    The metadata (``nova_docker-*.dist-info/METADATA`` or ``*.egg-info/PKG-INFO``) is read
    from the environment's site-packages/dist-packages directories without starting a process.
    The interpreter is asked (importlib.metadata) only when that is not conclusive: no metadata
    found for an interpreter that may see other directories (a system Python, a virtualenv
    with system site-packages or a ``.pth`` file adding a path), or several versions found.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.version /usr/bin/python3
    """
    return _env("installed_version")(python)


def importable(python):
    """
    Try ``import novadocker`` with ``python`` (in a subprocess). Return ``(True, message)`` or
    ``(False, message)``, the message quoting the last line of the import error.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.importable /usr/bin/python3
    """
    return _env("importable")(python)


def check(python, version="", release="mitaka"):
    """
    Report on the driver in ``python``'s environment: is it installed, at the wanted version.
    Never raises for a node problem: each one is listed in ``problems``. Whether nova loads it
    is ``novadocker_nova.load`` (``novadocker.check`` reports both).

    Returns ``{"python", "installed", "version", "wanted", "ok", "problems"}``.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    version
        The wanted version (pillar ``novadocker:driver:version``); empty: any.

    release
        The nova-docker release the node runs (pillar ``novadocker:driver:release``), for the
        advice given when the driver is missing.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.check /usr/bin/python3 version=1.0.0 release=mitaka
    """
    wanted = str(version or "")
    ret = {
        "python": python,
        "installed": False,
        "version": None,
        "wanted": wanted,
        "ok": False,
        "problems": [],
    }
    problems = ret["problems"]
    try:
        current = _env("installed_version")(python)
    except (CommandExecutionError, SaltInvocationError) as exc:
        problems.append(str(exc))
        return ret
    ret["version"] = current
    ret["installed"] = current is not None
    if current is None:
        wants = f" (pillar wants {wanted})" if wanted else ""
        branch = __utils__["novadocker_releases.driver_release"](release)["branch"]
        problems.append(
            f"nova-docker is not installed in {python}: set novadocker:driver:source "
            f"(a zip archive of nova-docker's {branch} git tree), "
            f"novadocker:driver:source_hash and novadocker:driver:version{wants}, then apply "
            "novadocker.compute"
        )
        return ret
    if wanted and not _env("same_version")(current, wanted):
        left, right = _env("parse_version")(current), _env("parse_version")(wanted)
        verb = "downgrade" if left is not None and right is not None and left > right else "upgrade"
        problems.append(
            f"nova-docker {current} is installed, pillar novadocker:driver:version wants "
            f"{wanted}: apply novadocker.compute to {verb}"
        )
    ret["ok"] = not problems
    return ret


def _wheelhouse(wheelhouse):
    """The local directory of ``wheelhouse``: itself for a path or ``file://`` URL, the minion
    cache's copy for ``salt://`` (``cp.cache_dir``: files already cached and unchanged on the
    master are not transferred again). Raises when it holds no wheel."""
    local = _arc("local_path")(wheelhouse, "novadocker:driver:wheelhouse")
    if local is None:
        try:
            cached = __salt__["cp.cache_dir"](wheelhouse)
        except Exception as exc:  # MinionError, CommandExecutionError, ...
            raise CommandExecutionError(
                f"Could not fetch the wheelhouse {wheelhouse}: {exc}"
            ) from exc
        dirs = {os.path.dirname(path) for path in cached or [] if path.endswith(".whl")}
        local = min(dirs, key=len) if dirs else None
    if not local or not _arc("wheels")(local):
        raise CommandExecutionError(
            f"The wheelhouse {wheelhouse} holds no wheel (*.whl): fill it with the pip wheel "
            "command of README (Offline nodes), or check pillar novadocker:driver:wheelhouse"
        )
    return local


def _pip_env(wanted, wheelhouse_dir):
    """The environment of pip: ``PBR_VERSION`` and, with a wheelhouse, no index and the
    wheelhouse for pip's own subprocesses too (the isolated build environment)."""
    env = {"PBR_VERSION": wanted}
    if wheelhouse_dir:
        env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=wheelhouse_dir)
    return env


def verify(
    python,
    source,
    source_hash="",
    pip_args=None,
    wheelhouse="",
    skip_hash=False,
    source_username=None,
    source_password=None,
):
    """
    What would make :py:func:`install` fail, found without downloading or writing anything
    (what ``test=True`` reports): the interpreter, pip in its environment and PEP 668's
    marker (read on disk), the source (a local file: read, hashed and inspected; ``salt://``:
    the master's hash of it, no transfer; ``http(s)://``: a HEAD request) and the wheelhouse
    (a local directory: listed; ``salt://``: the master's file list). Returns the problems,
    ``[]`` when none is found (pip's own resolution is only known by running it). An
    http(s) source's HEAD request carries the credentials ``source_username`` and
    ``source_password`` (or the URL's userinfo); no problem shows them.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.verify /opt/nova/bin/python3 \
            salt://novadocker-dist/nova-docker-stable-mitaka.zip source_hash=sha256=<hex>
    """
    try:
        _env("check_python")(python)
    except (CommandExecutionError, SaltInvocationError) as exc:
        return [str(exc)]
    problems = []
    sites = _env("site_dirs")(python)
    if not _env("has_pip")(sites) and _env("externally_managed")(python) is None:
        # A system interpreter may see pip elsewhere: only a plain venv is conclusive.
        if _env("sees_only_its_site_dir")(python, sites):
            problems.append(
                f"pip is missing for {python}: install it into that environment (e.g. "
                "python3 -m ensurepip, or python3-pip)"
            )
    marker = _env("externally_managed")(python)
    if marker and "--break-system-packages" not in _pip_args(pip_args):
        problems.append(
            f"pip refuses to install into {python}: the OS manages its packages (PEP 668, "
            f"{marker}); point novadocker:driver:python at nova's virtualenv, or add "
            "--break-system-packages to novadocker:driver:pip_args"
        )
    try:
        problems += _verify_source(source, source_hash, skip_hash, source_username, source_password)
        if wheelhouse:
            problems += _verify_wheelhouse(wheelhouse)
    except (CommandExecutionError, SaltInvocationError) as exc:
        problems.append(str(exc))
    known = _sec("known")(source, source_password, _pip_args_shown(pip_args))
    return [_sec("redact_text")(problem, known) for problem in problems]


def _pip_args_shown(pip_args):
    """``pip_args`` as a list for redaction (refused ones too: they are redacted as well)."""
    if isinstance(pip_args, str):
        return shlex.split(pip_args)
    return list(pip_args) if isinstance(pip_args, (list, tuple)) else []


def _verify_source(source, source_hash, skip_hash, username, password):
    expected = None if skip_hash or not source_hash else _arc("parse_hash")(source_hash)
    shown = _sec("redact_url")(source)
    local = _local_path(source)
    scheme = urllib.parse.urlparse(source).scheme.lower()
    if local is not None:
        if not os.path.isfile(local):
            return [
                f"Source file {local} does not exist on the minion: check pillar "
                "novadocker:driver:source"
            ]
        if expected:
            actual = _arc("file_hash")(local, expected[0])
            if actual != expected[1]:
                return [_arc("mismatch")(shown, expected, actual)]
        _arc("inspect")(local, shown)
        return []
    if scheme == "salt":
        found = __salt__["cp.hash_file"](source)
        if not found:
            return [_no_such_salt_file(shown)]
        if expected and found.get("hash_type") == expected[0] and found["hsum"] != expected[1]:
            return [_arc("mismatch")(shown, expected, found["hsum"])]
        return []
    if scheme in ("http", "https"):
        problem = _arc("http_head")(source, username=username, password=password)
        return [problem] if problem else []
    raise _not_a_source(shown)


def _verify_wheelhouse(wheelhouse):
    local = _local_path(wheelhouse, "novadocker:driver:wheelhouse")
    if local is not None:
        found = _arc("wheels")(local)
    else:
        prefix = urllib.parse.urlparse(wheelhouse)
        path = (prefix.netloc + prefix.path).strip("/") + "/"
        found = [f for f in __salt__["cp.list_master"](prefix=path) if f.endswith(".whl")]
    if found:
        return []
    return [
        f"The wheelhouse {wheelhouse} holds no wheel (*.whl): fill it with the pip wheel "
        "command of README (Offline nodes), or check pillar novadocker:driver:wheelhouse"
    ]


def install(
    python,
    source,
    source_hash="",
    version="",
    pip_args=None,
    skip_hash=False,
    wheelhouse="",
    download_timeout=300,
    source_username=None,
    source_password=None,
    fetched=None,
):
    """
    Install nova-docker ``version`` into ``python``'s environment from ``source``, a zip
    archive of its git tree. Returns ``{"old": <version before or None>, "new": <version>}``,
    with ``added`` naming the other distributions the install added to the environment (the
    dependencies pip brought; read on disk before and after) when there are any.

    The archive is fetched (:py:func:`fetch`: into the minion cache for ``salt://`` and
    ``http(s)://``, within ``download_timeout`` seconds; a ``file://`` URL or absolute path is
    read in place), its hash checked against ``source_hash``, unpacked into a temporary
    directory and installed with ``<python> -m pip install --no-input <pip_args> <dir>`` with
    ``PBR_VERSION=<version>`` (the archive has no git metadata for pbr to read). Afterwards the
    installed version must be ``version`` and ``import novadocker`` must work. Credentials
    (``source_username``/``source_password``, the URL's userinfo or query, those in
    ``pip_args``) never appear in a message.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    source
        ``https://``, ``http://``, ``salt://`` or ``file://`` URL (or absolute path) of the zip
        (pillar ``novadocker:driver:source``).

    source_hash
        ``sha256=<hex digest>`` of the zip (pillar ``novadocker:driver:source_hash``).

    version
        Version to install, given to pbr as ``PBR_VERSION`` (pillar
        ``novadocker:driver:version``). Required.

    pip_args
        Extra ``pip install`` options out of those the formula accepts (pillar
        ``novadocker:driver:pip_args``), e.g. ``["--index-url",
        "https://pypi.example/simple"]``.

    skip_hash
        Do not check the hash (unsafe).

    wheelhouse
        A directory of wheels (``salt://`` or a path on the minion; pillar
        ``novadocker:driver:wheelhouse``): everything pip needs comes from it, the driver's
        dependencies and what building it needs (setuptools, wheel, pbr), with no index
        (``--no-index --find-links <dir>``, also for pip's isolated build environment). A
        ``salt://`` wheelhouse is cached on the minion first.

    download_timeout, source_username, source_password
        See :py:func:`fetch`.

    fetched
        The archive's path as :py:func:`fetch` returned it (checked already): no download.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.install /usr/bin/python3 \\
            https://example.org/nova-docker-stable-mitaka.zip \\
            source_hash=sha256=<hex> version=1.0.0
    """
    _env("check_python")(python)
    wanted = str(version or "").strip()
    if not wanted:
        raise SaltInvocationError(
            "pillar novadocker:driver:version is empty: set it to the version to install "
            "(the archive has no git metadata, so pbr needs it as PBR_VERSION)"
        )
    if not source:
        raise SaltInvocationError(
            "pillar novadocker:driver:source is empty: set it to the URL of a zip archive of "
            "nova-docker's git tree"
        )
    args = _pip_args(pip_args)
    known = _sec("known")(source, source_password, args)
    shown = _sec("redact_url")(source)
    sites = _env("site_dirs")(python)
    old = _env("installed_version")(python, sites)
    before = _env("distributions")(sites)

    workdir = _workdir()
    try:
        houses = _wheelhouse(wheelhouse) if wheelhouse else None
        if houses:
            args = ["--no-index", "--find-links", houses, *args]
        path = fetched or fetch(
            source, source_hash, skip_hash, download_timeout, source_username, source_password
        )
        top = _arc("unpack")(path, os.path.join(workdir, "src"), shown)
        cmd = [python, "-m", "pip", "install", "--no-input", *args, top]
        res = _env("run")(cmd, env=_pip_env(wanted, houses), cwd=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if res.get("retcode") != 0:
        output = "\n".join(filter(None, (res.get("stdout"), res.get("stderr"))))
        hint = ""
        if "No module named pip" in output:
            hint = " (pip is missing for that interpreter: install it, e.g. python3-pip)"
        elif "externally-managed-environment" in output:
            hint = (
                " (the OS manages that interpreter's packages, PEP 668: point "
                "novadocker:driver:python at nova's virtualenv, or add "
                "--break-system-packages to novadocker:driver:pip_args)"
            )
        elif houses:
            hint = (
                f" (everything comes from the wheelhouse {wheelhouse}: fill it with the pip "
                "wheel command of README, Offline nodes, for this archive and this Python)"
            )
        tail = _sec("redact_text")(_tail(output), known)
        raise CommandExecutionError(
            f"pip could not install nova-docker {wanted} from {shown} into {python} (exit "
            f"code {res.get('retcode')}){hint}. Last lines of pip's output:\n{tail}"
        )
    new = _env("installed_version")(python)
    if not _env("same_version")(new, wanted):
        raise CommandExecutionError(
            f"pip reported success, but nova-docker in {python} is now at {new}, not {wanted}: "
            "check the archive (is it nova-docker?) and pip_args"
        )
    after = _env("distributions")(_env("site_dirs")(python))
    added = sorted(set(after) - set(before) - {_env("norm_name")("nova-docker")})
    ok, message = _env("importable")(python)
    if not ok:
        raise CommandExecutionError(
            f"nova-docker {new} was installed into {python}, but {message}: install what it "
            "is missing into that environment (or drop --no-deps from "
            "novadocker:driver:pip_args)"
        )
    return dict({"old": old, "new": new}, **({"added": added} if added else {}))


def distributions(python):
    """
    Return the distributions installed in ``python``'s environment, read on disk (the names
    of their metadata directories; no process is started): ``{normalised name: version}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.distributions /opt/nova/bin/python3
    """
    _env("check_python")(python)
    return _env("distributions")(_env("site_dirs")(python))


def remove(python, also=None):
    """
    Uninstall nova-docker from ``python``'s environment (``pip uninstall -y nova-docker``),
    with the distributions named in ``also`` that are still there (those the formula's
    install added). Returns ``{"old": <version or None>, "new": None}``, with ``removed``
    naming the other distributions uninstalled when there are any; nothing is run when none
    of them is installed.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    also
        Other distributions to uninstall, e.g. the ``added`` list of the driver record.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.remove /usr/bin/python3
    """
    old = _env("installed_version")(python)
    present = _env("distributions")(_env("site_dirs")(python))
    driver = _env("norm_name")("nova-docker")
    names = sorted({_env("norm_name")(n) for n in also or []} & set(present) - {driver})
    if old is not None:
        names.insert(0, driver)
    if not names:
        return {"old": None, "new": None}
    res = _env("run")([python, "-m", "pip", "uninstall", "-y", *names])
    if res.get("retcode") != 0:
        output = "\n".join(filter(None, (res.get("stdout"), res.get("stderr"))))
        raise CommandExecutionError(
            f"pip could not uninstall {', '.join(names)} from {python} (exit code "
            f"{res.get('retcode')}). Last lines of pip's output:\n{_tail(output)}"
        )
    left = _env("installed_version")(python)
    if left is not None:
        raise CommandExecutionError(
            f"pip uninstalled nova-docker {old} from {python}, but version {left} is still "
            "there (installed twice, e.g. also by a distribution package?)"
        )
    deps = [name for name in names if name != driver]
    return dict({"old": old, "new": None}, **({"removed": deps} if deps else {}))


# -- the formula's shared code (_utils), through the loader --------------------


def _env(name):
    """A function of ``_utils/novadocker_pyenv.py`` (nova's Python environment)."""
    return __utils__["novadocker_pyenv.{}".format(name)]


def _arc(name):
    """A function of ``_utils/novadocker_archive.py`` (the source archive, the wheelhouse)."""
    return __utils__["novadocker_archive.{}".format(name)]


def _sec(name):
    """A function of ``_utils/novadocker_secrets.py`` (credentials hidden)."""
    return __utils__["novadocker_secrets.{}".format(name)]


def _dl(name):
    """A function of ``_utils/novadocker_download.py`` (downloads with a deadline)."""
    return __utils__["novadocker_download.{}".format(name)]
