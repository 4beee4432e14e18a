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

import hashlib
import logging
import os
import re
import shlex
import shutil
import tempfile
import urllib.parse
import zipfile

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_driver"

#: Lines of pip's output quoted in an error.
_TAIL_LINES = 20

#: Refuse archives that unpack to more than this (a git tree of nova-docker is < 1 MiB).
_MAX_UNPACKED = 512 * 1024 * 1024

_HASH_LENGTHS = {
    32: "md5",
    40: "sha1",
    56: "sha224",
    64: "sha256",
    96: "sha384",
    128: "sha512",
}


def __virtual__():
    return __virtualname__


# -- helpers --------------------------------------------------------------------------------


def _tail(text, lines=_TAIL_LINES):
    rows = [row for row in (text or "").splitlines() if row.strip()]
    return "\n".join(rows[-lines:])


def _pip_args(pip_args):
    if pip_args is None or pip_args == "":
        return []
    if isinstance(pip_args, str):
        return shlex.split(pip_args)
    if isinstance(pip_args, (list, tuple)) and all(isinstance(a, str) for a in pip_args):
        return list(pip_args)
    raise SaltInvocationError(
        f"pillar novadocker:driver:pip_args must be a list of strings, got {pip_args!r}"
    )


def _parse_hash(source_hash):
    """``(algorithm, hexdigest)`` from ``sha256=<hex>`` (``<algo>:<hex>`` or a bare hex digest
    of a known length are accepted too)."""
    text = str(source_hash).strip()
    match = re.match(r"^(?:([A-Za-z0-9]+)\s*[=:]\s*)?([0-9A-Fa-f]+)$", text)
    form = "pillar novadocker:driver:source_hash must be of the form sha256=<hex digest>"
    if not match:
        raise SaltInvocationError(f"{form}, got {text!r}")
    algo = (match.group(1) or "").lower() or _HASH_LENGTHS.get(len(match.group(2)))
    digest = match.group(2).lower()
    if algo not in _HASH_LENGTHS.values():
        raise SaltInvocationError(f"{form}, got {text!r} (unknown hash type)")
    if len(digest) != hashlib.new(algo).digest_size * 2:
        raise SaltInvocationError(
            f"{form}, got {text!r}: a {algo} digest has {hashlib.new(algo).digest_size * 2} "
            f"hex digits, this one has {len(digest)}"
        )
    return algo, digest


def _file_hash(path, algo):
    digest = hashlib.new(algo)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _local_path(source):
    """The local path of a ``file://`` URL or plain absolute path, else ``None``."""
    if source.startswith("/"):
        return source
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise SaltInvocationError(
                f"pillar novadocker:driver:source {source!r}: a file:// URL must name a path "
                "on the minion (file:///path/to/nova-docker.zip)"
            )
        return urllib.parse.unquote(parsed.path)
    return None


def _fetch(source, source_hash=None):
    """Path of ``source`` on the minion: a local file as is, anything else cached by
    ``cp.cache_file`` in the minion's cache."""
    local = _local_path(source)
    if local is not None:
        if not os.path.isfile(local):
            raise CommandExecutionError(
                f"Source file {local} does not exist on the minion: check pillar "
                "novadocker:driver:source"
            )
        return local
    scheme = urllib.parse.urlparse(source).scheme.lower()
    if scheme not in ("http", "https", "salt"):
        raise SaltInvocationError(
            f"pillar novadocker:driver:source {source!r} is not an https://, http://, salt:// "
            "or file:// URL nor an absolute path"
        )
    kwargs = {}
    if source_hash and scheme in ("http", "https"):
        # Lets cp.cache_file keep a cached copy that already matches instead of re-fetching.
        kwargs["source_hash"] = source_hash
    try:
        cached = __salt__["cp.cache_file"](source, **kwargs)
    except Exception as exc:  # MinionError, CommandExecutionError, ...
        raise CommandExecutionError(_download_error(source, exc)) from exc
    if not cached or not os.path.isfile(cached):
        if scheme == "salt":
            raise CommandExecutionError(
                f"Could not download {source}: the Salt fileserver has no such file (check "
                "pillar novadocker:driver:source and the master's file_roots)"
            )
        raise CommandExecutionError(f"Could not download {source}: nothing was fetched")
    return cached


def _download_error(url, exc):
    text = str(exc)
    match = re.search(r"HTTP(?: error)?\s*:?\s*(\d{3})", text)
    if match:
        code = match.group(1)
        hint = " (no such file on the server: check the URL)" if code == "404" else ""
        return (
            f"Could not download {url}: the server answered HTTP {code}{hint}; check pillar "
            f"novadocker:driver:source. ({text})"
        )
    return (
        f"Could not download {url}: {text}. Is the host reachable from this minion (DNS, "
        "proxy, firewall)? Check pillar novadocker:driver:source."
    )


def _describe_not_zip(path):
    try:
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError as exc:
        return f"cannot be read: {exc}"
    if head.startswith(b"PK"):
        return "is a truncated or damaged zip archive (its central directory is missing)"
    if head.lstrip().lower().startswith((b"<!doctype", b"<html")):
        return "is an HTML page, not a zip archive (a login or error page instead of the file?)"
    if head.startswith(b"\x1f\x8b"):
        return "is a gzip file, not a zip archive: use the .zip archive of the git tree"
    return "is not a zip archive"


def _unpack(path, dest, source):
    """Unpack the zip at ``path`` into ``dest``; return the package's top directory."""
    if not zipfile.is_zipfile(path):
        what = _describe_not_zip(path)
        if "truncated" in what:
            advice = "check the file at the source (an interrupted upload or download?)"
        else:
            advice = (
                "set pillar novadocker:driver:source to a zip archive of nova-docker's git tree"
            )
        raise CommandExecutionError(f"{source} {what}; nothing was installed: {advice}")
    dest_real = os.path.realpath(dest)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > _MAX_UNPACKED:
                raise CommandExecutionError(
                    f"{source} would unpack to more than {_MAX_UNPACKED // 2**20} MiB: this is "
                    "not a nova-docker source archive; nothing was installed"
                )
            for info in infos:
                target = os.path.realpath(os.path.join(dest_real, info.filename))
                if target != dest_real and not target.startswith(dest_real + os.sep):
                    raise CommandExecutionError(
                        f"{source} holds an entry that would be written outside the unpack "
                        f"directory ({info.filename!r}); refusing it, nothing was installed"
                    )
            bad = archive.testzip()
            if bad is not None:
                raise CommandExecutionError(
                    f"{source} is a damaged zip archive (bad CRC in {bad!r}); nothing was "
                    "installed: download it again"
                )
            archive.extractall(dest_real)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise CommandExecutionError(
            f"{source} is a truncated or damaged zip archive ({exc}); nothing was installed: "
            "download it again"
        ) from exc
    entries = [e for e in os.listdir(dest_real) if e != "__MACOSX"]
    top = dest_real
    if len(entries) == 1 and os.path.isdir(os.path.join(dest_real, entries[0])):
        top = os.path.join(dest_real, entries[0])
    markers = ("setup.py", "setup.cfg", "pyproject.toml")
    if not any(os.path.isfile(os.path.join(top, m)) for m in markers):
        shown = os.path.relpath(top, dest_real)
        shown = "its top level" if shown == "." else f"its top directory {shown}/"
        raise CommandExecutionError(
            f"{source} is not a Python package: no setup.py, setup.cfg or pyproject.toml in "
            f"{shown}; nothing was installed. Set pillar novadocker:driver:source to a zip "
            "archive of nova-docker's git tree"
        )
    return top


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


def install(python, source, source_hash="", version="", pip_args=None, skip_hash=False):
    """
    Install nova-docker ``version`` into ``python``'s environment from ``source``, a zip
    archive of its git tree. Returns ``{"old": <version before or None>, "new": <version>}``.

    The archive is fetched into the minion cache (``cp.cache_file`` for ``salt://`` and
    ``http(s)://``; a ``file://`` URL or absolute path is read in place), its hash checked
    against ``source_hash``, unpacked into a temporary directory and installed with
    ``<python> -m pip install --no-input <pip_args> <dir>`` with ``PBR_VERSION=<version>``
    (the archive has no git metadata for pbr to read). Afterwards the installed version must
    be ``version`` and ``import novadocker`` must work.

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
        Extra arguments to ``pip install``, e.g. ``["--no-index", "--find-links", "/srv/w"]``
        for an offline node or ``["--index-url", "https://pypi.example/simple"]``.

    skip_hash
        Do not check the hash (unsafe).

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
    expected = None
    if not skip_hash:
        if not source_hash:
            raise SaltInvocationError(
                "pillar novadocker:driver:source_hash is empty: set it to sha256=<hex digest> "
                "of the archive (or, unsafe, set novadocker:driver:unsafe_skip_source_hash: "
                "true)"
            )
        expected = _parse_hash(source_hash)
    old = _env("installed_version")(python)

    workdir = _workdir()
    try:
        path = _fetch(source, f"{expected[0]}={expected[1]}" if expected else None)
        if expected:
            algo, digest = expected
            actual = _file_hash(path, algo)
            if actual != digest:
                if urllib.parse.urlparse(source).scheme.lower() in ("http", "https"):
                    # Do not keep a wrong file in the minion cache.
                    try:
                        os.remove(path)
                    except OSError:
                        pass
                raise CommandExecutionError(
                    f"Hash mismatch for {source}: pillar novadocker:driver:source_hash expects "
                    f"{algo}={digest} but the downloaded file has {algo}={actual}; nothing was "
                    "installed. Check the URL (a branch archive changes with every commit: "
                    "prefer a tag or commit) or update source_hash"
                )
        else:
            log.warning("Installing %s without checking its hash (unsafe)", source)
        top = _unpack(path, os.path.join(workdir, "src"), source)
        cmd = [python, "-m", "pip", "install", "--no-input", *args, top]
        res = _env("run")(cmd, env={"PBR_VERSION": wanted}, cwd=workdir)
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
        raise CommandExecutionError(
            f"pip could not install nova-docker {wanted} from {source} into {python} (exit "
            f"code {res.get('retcode')}){hint}. Last lines of pip's output:\n{_tail(output)}"
        )
    new = _env("installed_version")(python)
    if not _env("same_version")(new, wanted):
        raise CommandExecutionError(
            f"pip reported success, but nova-docker in {python} is now at {new}, not {wanted}: "
            "check the archive (is it nova-docker?) and pip_args"
        )
    ok, message = _env("importable")(python)
    if not ok:
        raise CommandExecutionError(
            f"nova-docker {new} was installed into {python}, but {message}: install what it "
            "is missing into that environment (or drop --no-deps from "
            "novadocker:driver:pip_args)"
        )
    return {"old": old, "new": new}


def remove(python):
    """
    Uninstall nova-docker from ``python``'s environment (``pip uninstall -y nova-docker``).
    Returns ``{"old": <version or None>, "new": None}``; nothing is run when it is not
    installed.

    python
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_driver.remove /usr/bin/python3
    """
    old = _env("installed_version")(python)
    if old is None:
        return {"old": None, "new": None}
    res = _env("run")([python, "-m", "pip", "uninstall", "-y", "nova-docker"])
    if res.get("retcode") != 0:
        output = "\n".join(filter(None, (res.get("stdout"), res.get("stderr"))))
        raise CommandExecutionError(
            f"pip could not uninstall nova-docker {old} from {python} (exit code "
            f"{res.get('retcode')}). Last lines of pip's output:\n{_tail(output)}"
        )
    left = _env("installed_version")(python)
    if left is not None:
        raise CommandExecutionError(
            f"pip uninstalled nova-docker {old} from {python}, but version {left} is still "
            "there (installed twice, e.g. also by a distribution package?)"
        )
    return {"old": old, "new": None}


# -- the formula's shared code (_utils), through the loader --------------------


def _env(name):
    """A function of ``_utils/novadocker_pyenv.py`` (nova's Python environment)."""
    return __utils__["novadocker_pyenv.{}".format(name)]
