"""
Files the novadocker formula writes and reads, done one way everywhere.

* :py:func:`atomic_write` (and :py:func:`atomic_file` for a stream): a temporary file in the
  same directory (``.<name>.ndtmp.<random>``: its name starts with a dot, so that no service
  loading every file of a directory, such as oslo.rootwrap's ``rootwrap.d``, ever reads it,
  and carries the formula's mark, so that :py:func:`remove_strays` finds one a killed run
  left), fsynced, given the owner, mode and extended attributes wanted, renamed over the
  target: a reader sees the old file or the new one, never a part of either.
* :py:func:`read_regular`: read a file only if it is a regular file (a FIFO is never opened:
  it would block; a directory is a clear error).
* :py:func:`write_private_json` / :py:func:`read_json`: the formula's own small JSON files
  (records, markers, caches): directory 0700, file 0600.

Pure: no Salt dunders. Errors are ``OSError`` (with ``errno`` and ``strerror``) or, for a file
that is not a regular file, :py:class:`NotRegularFile`; callers word them for the operator.
"""

import contextlib
import errno
import json
import logging
import os
import stat
import tempfile

log = logging.getLogger(__name__)

#: Every temporary file of the formula is named ``.<target name>.ndtmp.<random>``.
TEMP_MARK = ".ndtmp."


class NotRegularFile(OSError):
    """The path exists but is a directory, a FIFO, a socket or a device."""


def describe_kind(mode):
    """``"a directory"``, ``"a FIFO (named pipe)"`` ... for a ``st_mode``."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def regular_stat(path):
    """``os.stat(path)`` (symlinks followed) when it is a regular file; raises
    :py:class:`NotRegularFile` otherwise, ``FileNotFoundError`` when it is missing."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(
            errno.EINVAL, "{} is {}, not a regular file".format(path, describe_kind(st.st_mode))
        )
    return st


def read_regular(path):
    """``(real path, stat, bytes)`` of the regular file ``path`` (symlinks resolved: the real
    path is the one to write). A FIFO or device is never opened (``O_NONBLOCK`` as well, for a
    file swapped between the check and the open)."""
    real = os.path.realpath(path)
    regular_stat(real)
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(
                errno.EINVAL,
                "{} is {}, not a regular file".format(path, describe_kind(st.st_mode)),
            )
        return real, st, fh.read()


def _fsync_dir(directory):
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_xattrs(src, fd):
    """Give the open file ``fd`` the extended attributes of ``src``: its POSIX ACLs
    (``system.posix_acl_access``), its SELinux label (``security.selinux``), ``user.*`` and
    the rest. An attribute this process may not set is left out and logged; a file system
    without extended attributes has none to copy."""
    try:
        names = os.listxattr(src)
    except OSError:
        return
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(src, name))
        except OSError as exc:
            log.warning("novadocker: could not copy %s of %s: %s", name, src, exc)


def is_temp(name):
    """True for the name of one of the formula's temporary files (:py:func:`temp_prefix`)."""
    return name.startswith(".") and TEMP_MARK in name


def temp_prefix(path):
    """The prefix of the formula's temporary files for ``path``."""
    return "." + os.path.basename(path) + TEMP_MARK


@contextlib.contextmanager
def atomic_file(path, mode=0o600):
    """A file object to write ``path`` with, atomically: a temporary file of the formula in
    the same directory (:py:func:`temp_prefix`), renamed over ``path`` once the ``with`` block
    ended without error (flushed, given ``mode``, fsynced), removed otherwise."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            # Last: a chown clears setuid/setgid bits, an ACL sets the group bits (its mask).
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def atomic_write(path, data, mode, uid=None, gid=None, xattrs_from=None):
    """Write ``data`` (bytes) to ``path`` through a temporary file in the same directory.

    The temporary file gets ``uid``/``gid`` (when they differ from its own), the extended
    attributes of ``xattrs_from`` (ACLs, SELinux label) and ``mode`` before it is fsynced and
    renamed over ``path``. On any error the temporary file is removed and the error raised.
    """
    with atomic_file(path, mode) as fh:
        fh.write(data)
        fh.flush()
        if uid is not None:
            own = os.fstat(fh.fileno())
            if (own.st_uid, own.st_gid) != (uid, gid):
                os.fchown(fh.fileno(), uid, gid)
        if xattrs_from is not None:
            _copy_xattrs(xattrs_from, fh.fileno())


def strays(*paths):
    """The temporary files a killed run of the formula left beside each of ``paths`` (named
    by :py:func:`temp_prefix`), sorted; each directory is listed once. A path that is a
    directory (a config dir, the records of the config chain) stands for every temporary
    file of the formula in it."""
    prefixes = {}
    for path in paths:
        if path and os.path.isdir(path):
            prefixes[path] = {"."}
        elif path:
            prefixes.setdefault(os.path.dirname(path) or ".", set()).add(temp_prefix(path))
    found = []
    for directory, wanted in sorted(prefixes.items()):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        wanted = tuple(wanted)
        found += [
            os.path.join(directory, n)
            for n in sorted(names)
            if n.startswith(wanted) and TEMP_MARK in n
        ]
    return found


def remove_strays(*paths):
    """Remove :py:func:`strays` of ``paths``; return the paths removed. Runs of the formula
    are serialised by its lock (``novadocker_lock``), so none of them is in use."""
    removed = []
    for path in strays(*paths):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            removed.append(path)
    if removed:
        log.info("novadocker: removed %s left by an interrupted run", ", ".join(removed))
    return removed


def private_dir(directory):
    """Create ``directory`` (and parents) mode 0700 if it does not exist."""
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)


def write_private_json(path, data):
    """``data`` as JSON (or bytes as they are) to ``path``, atomically, 0600, its directory
    0700."""
    path = os.path.abspath(path)
    private_dir(os.path.dirname(path))
    if isinstance(data, bytes):
        payload = data
    else:
        payload = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
    atomic_write(path, payload, 0o600)


def read_json(path):
    """The JSON in ``path``; ``None`` when the file does not exist. Raises ``OSError`` when it
    cannot be read and ``ValueError`` when it is not JSON."""
    try:
        _real, _st, raw = read_regular(path)
    except FileNotFoundError:
        return None
    return json.loads(raw.decode("utf-8"))
