"""
The driver's source archive and the wheelhouse, as the novadocker formula checks them: where a
source is (:py:func:`local_path`), its hash (:py:func:`parse_hash`, :py:func:`file_hash`),
whether a zip is a nova-docker git archive (:py:func:`inspect`, :py:func:`unpack`), whether an
http(s) source is there without downloading it (:py:func:`http_head`), and the wheels of a
wheelhouse directory (:py:func:`wheels`).

The real run uses them after fetching the archive; test mode uses the ones that read nothing
but what is already on the node or a HEAD request, so that ``test=True`` fails where the real
run would without downloading or writing anything.

Pure: no Salt dunders (the driver execution module fetches through ``cp`` and passes paths).
Messages name URLs without their credentials (``novadocker_secrets``).
"""

import base64
import hashlib
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import sys
import zipfile

from salt.exceptions import CommandExecutionError, SaltInvocationError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_secrets", None)
import novadocker_secrets as secrets  # noqa: E402

#: Refuse archives that unpack to more than this (a git tree of nova-docker is < 1 MiB).
MAX_UNPACKED = 512 * 1024 * 1024

_HASH_LENGTHS = {
    32: "md5",
    40: "sha1",
    56: "sha224",
    64: "sha256",
    96: "sha384",
    128: "sha512",
}

#: What marks a Python package's top directory.
_MARKERS = ("setup.py", "setup.cfg", "pyproject.toml")


def parse_hash(source_hash):
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


def file_hash(path, algo):
    """The ``algo`` hex digest of the file at ``path``."""
    digest = hashlib.new(algo)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def mismatch(source, expected, actual):
    """The message for a source whose ``actual`` digest is not the ``expected`` one."""
    algo, digest = expected
    return (
        f"Hash mismatch for {source}: pillar novadocker:driver:source_hash expects "
        f"{algo}={digest} but the file has {algo}={actual}; nothing was installed. Check the "
        "URL (a branch archive changes with every commit: prefer a tag or commit) or update "
        "source_hash"
    )


def local_path(source, key="novadocker:driver:source"):
    """The local path of a ``file://`` URL or plain absolute path, else ``None``."""
    if source.startswith("/"):
        return source
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise SaltInvocationError(
                f"pillar {key} {source!r}: a file:// URL must name a path on the minion "
                "(file:///path/on/the/minion)"
            )
        return urllib.parse.unquote(parsed.path)
    return None


def download_error(url, exc):
    """What to tell about ``url`` that could not be downloaded because of ``exc``."""
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


def http_head(url, timeout=10, username=None, password=None):
    """``None`` when a HEAD request says ``url`` is there (or the server does not answer HEAD,
    so nothing can be told); else what the download would fail with. Nothing is downloaded.
    HTTP Basic credentials are ``username``/``password`` (default: the URL's userinfo), sent
    in a header, never shown: the message names the URL without them."""
    parts = urllib.parse.urlsplit(url)
    shown = secrets.redact_url(url)
    if parts.username is not None and not username:
        username = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
    netloc = parts.netloc.rpartition("@")[2]
    request = urllib.request.Request(urllib.parse.urlunsplit(parts._replace(netloc=netloc)))
    request.method = "HEAD"
    if username:
        token = base64.b64encode("{}:{}".format(username, password or "").encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    known = secrets.known(url, password)
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - http(s) only
            return None
    except urllib.error.HTTPError as exc:
        if exc.code in (405, 501):
            return None
        return download_error(shown, "HTTP {} {}".format(exc.code, exc.reason))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = secrets.redact_text(str(getattr(exc, "reason", exc)), known)
        return download_error(shown, reason)


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


def _damaged(source, exc):
    return CommandExecutionError(
        f"{source} is a truncated or damaged zip archive ({exc}); nothing was installed: "
        "download it again"
    )


def inspect(path, source):
    """Check the zip at ``path`` without unpacking it: a zip, not too big, no entry escaping
    the unpack directory, no bad CRC, a Python package at its top (``setup.py``, ``setup.cfg``
    or ``pyproject.toml``). Returns the package's top directory inside the archive (``''`` or
    ``'<dir>/'``); raises ``CommandExecutionError`` saying what is wrong."""
    if not zipfile.is_zipfile(path):
        what = _describe_not_zip(path)
        if "truncated" in what:
            advice = "check the file at the source (an interrupted upload or download?)"
        else:
            advice = (
                "set pillar novadocker:driver:source to a zip archive of nova-docker's git tree"
            )
        raise CommandExecutionError(f"{source} {what}; nothing was installed: {advice}")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED:
                raise CommandExecutionError(
                    f"{source} would unpack to more than {MAX_UNPACKED // 2**20} MiB: this is "
                    "not a nova-docker source archive; nothing was installed"
                )
            for info in infos:
                target = os.path.normpath(os.path.join("/unpack", info.filename))
                if target != "/unpack" and not target.startswith("/unpack/"):
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
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise _damaged(source, exc) from exc
    tops = {name.split("/")[0] for name in names if not name.startswith("__MACOSX")}
    top = ""
    if len(tops) == 1 and any(name.startswith(next(iter(tops)) + "/") for name in names):
        top = next(iter(tops)) + "/"
    if not any(top + marker in names for marker in _MARKERS):
        shown = f"its top directory {top}" if top else "its top level"
        raise CommandExecutionError(
            f"{source} is not a Python package: no setup.py, setup.cfg or pyproject.toml in "
            f"{shown}; nothing was installed. Set pillar novadocker:driver:source to a zip "
            "archive of nova-docker's git tree"
        )
    return top


def unpack(path, dest, source):
    """Unpack the zip at ``path`` (checked by :py:func:`inspect` first) into ``dest``; return
    the package's top directory."""
    top = inspect(path, source)
    dest = os.path.realpath(dest)
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(dest)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise _damaged(source, exc) from exc
    return os.path.join(dest, top)


def wheels(directory):
    """The wheel files (``*.whl``) directly in ``directory``, sorted; ``[]`` when there is no
    such directory."""
    try:
        return sorted(e for e in os.listdir(directory) if e.endswith(".whl"))
    except OSError:
        return []
