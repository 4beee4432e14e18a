"""
Execution module for the novadocker formula: a lossless editor for oslo.config INI files.

nova.conf and glance-api.conf belong to the operator. Salt's ``ini`` module reads them with a
configparser round-trip, which drops repeated keys (oslo multi-valued options such as
``[pci] passthrough_whitelist``) and rewrites spacing. This module edits them line by line
instead: only the keys the formula owns change, every other byte of the file stays as it was
(comments, order, spacing, blank lines, repeated keys, values holding ``%`` or ``=``, CRLF line
endings, a missing final newline), and the file keeps its mode, owner and extended attributes.

The reading and editing rules (oslo.config's) are in ``_utils/novadocker_ini.py``, the atomic
write in ``_utils/novadocker_files.py``, the revert record's format in
``_utils/novadocker_records.py``; this module puts them together on files.

:py:func:`apply` can keep a revert record (a JSON file, mode 0600): for each key it changes,
what the file held before the formula first touched it. :py:func:`revert` puts those originals
back byte for byte. The record holds the formula's own keys only, never another line of the
file (nova.conf holds passwords).
"""

import contextlib
import errno
import logging
import os
import stat

from salt.exceptions import CommandExecutionError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_conf"


def __virtual__():
    return __virtualname__


def _write_conf(path, real, st, doc):
    """Write ``doc`` over the config file (``real`` is its resolved path, ``st`` its stat
    before): atomically, keeping owner, group, mode and extended attributes."""
    # os.replace would let a user who may write the directory but not the file replace it.
    if not os.access(real, os.W_OK):
        raise CommandExecutionError("cannot write {}: {}".format(path, os.strerror(errno.EACCES)))
    if st.st_nlink > 1:
        log.warning(
            "novadocker_conf: %s has %d hard links: the atomic write gives %s a new inode, the "
            "other names keep the old content",
            real,
            st.st_nlink,
            path,
        )
    try:
        __utils__["novadocker_files.atomic_write"](
            real,
            doc.render().encode("utf-8", "surrogateescape"),
            stat.S_IMODE(st.st_mode),
            st.st_uid,
            st.st_gid,
            xattrs_from=real,
        )
    except OSError as exc:
        raise CommandExecutionError("cannot write {}: {}".format(path, exc)) from None


def _load_record(record, path):
    """``(raw bytes or None, record dict)``: the revert record of ``path`` (a fresh one when
    there is none); raises when it belongs to another file."""
    raw = __utils__["novadocker_records.raw"](record)
    rec = __utils__["novadocker_records.read"](record, "conf") if raw is not None else None
    if rec is None:
        return raw, _ini("new_record")(os.path.abspath(path))
    if rec.get("path") != os.path.abspath(path):
        raise CommandExecutionError(
            "revert record {} belongs to {}, not to {}".format(record, rec.get("path"), path)
        )
    return raw, rec


# -- public functions ------------------------------------------------------------------------


def get(path, section, key):
    """
    Return the value oslo.config reads for ``key`` in ``section`` of the INI file ``path``, or
    ``None`` when the key is not set. A key set several times is read from its last occurrence.

    path
        The config file, e.g. ``/etc/nova/nova.conf``.

    section
        The section, e.g. ``DEFAULT`` or ``docker``.

    key
        The option name.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.get /etc/nova/nova.conf DEFAULT compute_driver
    """
    _ini("check_section")(section)
    _ini("check_key")(key)
    return _ini("value")(_ini("read")(path)[2], section, key)


def get_all(path, section, key):
    """
    Return every value of ``key`` in ``section`` of ``path``, in file order (the list an oslo
    multi-valued option such as ``[pci] passthrough_whitelist`` reads); ``[]`` when unset.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.get_all /etc/nova/nova.conf pci passthrough_whitelist
    """
    _ini("check_section")(section)
    _ini("check_key")(key)
    return _ini("read")(path)[2].values(section, key)


def oslo_refusal(path):
    """
    Say why oslo.config refuses the config file ``path`` (the line, and what is wrong with it,
    without quoting a value), or return ``None`` when oslo.config reads it. Raises when the
    file is missing or not a regular file (a FIFO is never opened). The formula never edits a
    file oslo.config refuses: :py:func:`plan`, :py:func:`apply` and :py:func:`revert` refuse
    it with this message.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.oslo_refusal /etc/nova/nova.conf
    """
    return _ini("refusal")(path, _ini("read")(path)[2])


def plan(path, options):
    """
    Return the changes :py:func:`apply` would make, without writing anything:
    ``{section: {key: {"old": <value read today or None>, "new": <value>}}}`` for the keys that
    would change, ``{}`` when none would.

    path
        The config file.

    options
        ``{section: {key: value}}``. A value is a string, a boolean (written ``True`` or
        ``False``), a number, or a list (written comma-joined, no spaces).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.plan /etc/nova/nova.conf \\
            '{"DEFAULT": {"compute_driver": "novadocker.virt.docker.DockerDriver"}}'
    """
    opts = _ini("normalize_options")(options)
    doc = _ini("read")(path, oslo=True)[2]
    return _ini("edit")(doc, opts)


def apply(path, options, record=None):
    """
    Set ``options`` in the INI file ``path``, changing only those keys, and return the changes
    as :py:func:`plan` does. Nothing is written when nothing changes.

    An existing key is rewritten in its last occurrence, in the line's own spacing. An absent
    key is inserted as ``key = value`` right after a commented-out template line for it
    (``#key = ...``) in its section, else after the section's last non-blank line. An absent
    section is appended at the end of the file after one blank line. The file is replaced
    atomically (a temporary file in the same directory, fsynced, renamed) and keeps its mode,
    owner and group; a symlinked path is written through to its target.

    path
        The config file.

    options
        ``{section: {key: value}}`` as for :py:func:`plan`.

    record
        Optional path of a JSON revert record. Before the file is written, each key about to
        change that the record does not hold yet is stored there as it was before the formula
        first touched it, with the sections the formula created; :py:func:`revert` puts them
        back. The record's directory is created 0700 and the record is written 0600.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.apply /etc/nova/nova.conf \\
            '{"docker": {"host_url": "unix:///var/run/docker.sock"}}' \\
            record=/var/lib/novadocker/nova.conf.json
    """
    opts = _ini("normalize_options")(options)
    real, st, doc = _ini("read")(path, oslo=True)
    raw = rec = None
    if record:
        raw, rec = _load_record(record, path)
    changes = _ini("edit")(doc, opts, rec)
    if not changes:
        return {}
    if record:
        __utils__["novadocker_records.write"](record, "conf", rec)
    try:
        _write_conf(path, real, st, doc)
    except CommandExecutionError:
        if record:
            # The file was not changed: the record must not claim it was.
            if raw is None:
                with contextlib.suppress(CommandExecutionError):
                    __utils__["novadocker_records.remove"](record)
            else:
                __utils__["novadocker_records.write"](record, "conf", raw)
        raise
    return changes


def revert(path, record, test=False):
    """
    Put back what ``path`` held before the formula first changed it, from the revert record
    written by :py:func:`apply`, and delete the record. Recorded lines come back exactly as
    they were, inserted lines are removed, sections the formula created are removed when
    nothing else is left in them, and a final newline the formula added is removed; every
    other line (an operator's edits since included) stays. The file keeps its mode and owner.

    Return ``{section: {key: {"old": <current value>, "new": <restored value or None>}}}``;
    ``{}`` when the record does not exist.

    path
        The config file.

    record
        The record written by :py:func:`apply`.

    test
        Only compute the changes: write nothing, keep the record.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.revert /etc/nova/nova.conf /var/lib/novadocker/nova.conf.json
    """
    _ini("check_path")(record)
    raw, rec = _load_record(record, path)
    if raw is None:
        return {}
    real, st, doc = _ini("read")(path, oslo=True)
    before = doc.render()
    changes = _ini("revert")(doc, rec)
    if test:
        return changes
    if doc.render() != before:
        _write_conf(path, real, st, doc)
    __utils__["novadocker_records.remove"](record)
    return changes


# -- the formula's shared code (_utils), through the loader --------------------


def _ini(name):
    return __utils__["novadocker_ini.{}".format(name)]
