"""
Execution module for the novadocker formula: a lossless editor for oslo.config INI files.

nova.conf and glance-api.conf belong to the operator. Salt's ``ini`` module reads them with a
configparser round-trip, which drops repeated keys (oslo multi-valued options such as
``[pci] passthrough_whitelist``) and rewrites spacing. This module edits them line by line
instead: only the keys the formula owns change, every other byte of the file stays as it was
(comments, order, spacing, blank lines, repeated keys, values holding ``%`` or ``=``, CRLF line
endings, a missing final newline), and the file keeps its mode and owner.

The file is read the way oslo.config's ``iniparser`` reads it: ``[section]`` headers,
``key = value``, ``key=value`` or ``key: value`` assignments (the first ``=`` or ``:`` splits),
``#`` and ``;`` comments, continuation lines that start with a space or a tab, one pair of
matching quotes around a value stripped. Section names other than ``DEFAULT`` are
case-insensitive, as oslo normalises them. A single-valued key set several times is read from
its LAST occurrence: :py:func:`get` returns that one and :py:func:`apply` replaces that one
only.

:py:func:`apply` can keep a revert record (a JSON file, mode 0600): for each key it changes,
what the file held before the formula first touched it. :py:func:`revert` puts those originals
back byte for byte. The record holds the formula's own keys only, never another line of the
file (nova.conf holds passwords).
"""

import contextlib
import errno
import json
import logging
import os
import re
import stat
import tempfile

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_conf"

#: Version of the revert record layout written by :py:func:`apply`.
RECORD_VERSION = 1

# Line breaks as Python's universal newlines (which oslo.config reads with) see them.
_NEWLINE_RE = re.compile(r"\r\n|\n|\r")
_QUOTES = ('"', "'")
_BOM = "\ufeff"


def __virtual__():
    return __virtualname__


# -- argument checks -------------------------------------------------------------------------


def _norm_section(section):
    """The section name oslo.config looks up: ``DEFAULT`` as is, any other name lowercased."""
    return section if section == "DEFAULT" else section.lower()


def _check_path(path):
    if not isinstance(path, str) or not path:
        raise SaltInvocationError("path must be a non-empty string, got {!r}".format(path))


def _check_section(section):
    if not isinstance(section, str) or not section:
        raise SaltInvocationError("section must be a non-empty string, got {!r}".format(section))
    if _NEWLINE_RE.search(section) or "[" in section or "]" in section:
        raise SaltInvocationError(
            "section {!r} cannot hold brackets or line breaks".format(section)
        )


def _check_key(key):
    if not isinstance(key, str) or not key:
        raise SaltInvocationError("key must be a non-empty string, got {!r}".format(key))
    if (
        re.search(r"\s", key)
        or "=" in key
        or ":" in key
        or _NEWLINE_RE.search(key)
        or key.startswith(("#", ";", "["))
    ):
        raise SaltInvocationError(
            "{!r} is not a valid oslo.config key: no blanks or line breaks, no '=' or ':', "
            "and it cannot start with '#', ';' or '['".format(key)
        )


def _scalar(value, where):
    # bool first: bool is an int.
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise SaltInvocationError(
        "{}: a value must be a string, a boolean, a number or a list of those, got {}".format(
            where, type(value).__name__
        )
    )


def _to_value(value, where):
    """The text to write for ``value``: bool -> True/False, list -> comma-joined, no spaces."""
    if isinstance(value, (list, tuple)):
        items = [_scalar(item, where) for item in value]
        for item in items:
            if "," in item:
                raise SaltInvocationError(
                    "{}: list item {!r} holds a comma, oslo.config would split it".format(
                        where, item
                    )
                )
        text = ",".join(items)
    elif value is None:
        raise SaltInvocationError("{}: a value is required, got None".format(where))
    else:
        text = _scalar(value, where)
    if _NEWLINE_RE.search(text):
        raise SaltInvocationError("{}: a value cannot hold a line break".format(where))
    return text


def _normalize_options(options):
    """Check ``{section: {key: value}}`` and turn every value into the text to write."""
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError as exc:
            raise SaltInvocationError(
                "options must be a mapping {{section: {{key: value}}}} or its JSON text: {}".format(
                    exc
                )
            ) from None
    if not isinstance(options, dict):
        raise SaltInvocationError(
            "options must be a mapping {{section: {{key: value}}}}, got {}".format(
                type(options).__name__
            )
        )
    result = {}
    for section, keys in options.items():
        _check_section(section)
        if not isinstance(keys, dict):
            raise SaltInvocationError(
                "options[{!r}] must be a mapping {{key: value}}, got {}".format(
                    section, type(keys).__name__
                )
            )
        result[section] = {}
        for key, value in keys.items():
            _check_key(key)
            result[section][key] = _to_value(value, "[{}] {}".format(section, key))
    return result


def _as_list(value, what):
    """A list of names from a list or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    if not isinstance(value, (list, tuple)):
        raise SaltInvocationError(
            "{} must be a list or a comma-separated string, got {}".format(
                what, type(value).__name__
            )
        )
    items = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SaltInvocationError("{}: {!r} is not a name".format(what, item))
        if "," in item or _NEWLINE_RE.search(item):
            raise SaltInvocationError(
                "{}: {!r} cannot hold a comma or a line break".format(what, item)
            )
        items.append(item.strip())
    return items


# -- the document ----------------------------------------------------------------------------


class _Entry:
    """One assignment: its key line (``first``), continuation lines up to ``last``."""

    __slots__ = ("section", "key", "first", "last", "value", "prefix")

    def __init__(self, section, key, first, prefix, value):
        self.section = section
        self.key = key
        self.first = first
        self.last = first
        self.prefix = prefix
        self.value = [value]


class _Range:
    """One ``[section]`` header and the lines after it, up to the next header (``end``)."""

    __slots__ = ("name", "norm", "header", "end")

    def __init__(self, name, header):
        self.name = name
        self.norm = _norm_section(name)
        self.header = header
        self.end = None


def _is_blank(text):
    return not text.rstrip()


def _is_comment(text):
    return text.startswith(("#", ";"))


def _split_assignment(text):
    """Split a key line the way oslo.config does: ``(key, value, prefix)`` or ``None``.

    ``prefix`` is the line's text up to where the value starts (key, separator and the blanks
    after it), used to rewrite the value in the line's own style.
    """
    line = text.rstrip()
    colon = line.find(":")
    equal = line.find("=")
    if colon < 0 and equal < 0:
        return None
    sep = equal if colon < 0 or (0 <= equal < colon) else colon
    key = line[:sep].strip()
    raw = line[sep + 1 :]
    value = raw.strip()
    if value:
        prefix = line[: sep + 1 + (len(raw) - len(raw.lstrip()))]
    else:
        # Nothing after the separator: write "key = value" or "key=value" as the key spacing
        # suggests, rather than keeping trailing blanks.
        prefix = line[: sep + 1] + (" " if line[:sep] != line[:sep].rstrip() else "")
    if value and value[0] == value[-1] and value.startswith(_QUOTES):
        value = value[1:-1]
    return key, value, prefix


def _render_value(value):
    """The text to write so that oslo.config reads back exactly ``value``."""
    if value != value.strip() or (value and value[0] == value[-1] and value[0] in _QUOTES):
        return '"' + value + '"'
    return value


def _split_lines(text, ending):
    """``text`` as ``[text, line ending]`` pairs, the last one ending with ``ending``."""
    pieces = []
    pos = 0
    for match in _NEWLINE_RE.finditer(text):
        pieces.append([text[pos : match.start()], match.group()])
        pos = match.end()
    pieces.append([text[pos:], ending])
    return pieces


class _Doc:
    """A config file as a list of ``[text, line ending]`` pairs; joined back, the same bytes."""

    def __init__(self, text):
        self.bom = ""
        if text.startswith(_BOM):
            self.bom, text = _BOM, text[1:]
        self.lines = _split_lines(text, "")
        if self.lines[-1] == ["", ""]:
            # The text ended with a line break (or was empty): no unterminated last line.
            self.lines.pop()
        counts = {}
        for _, ending in self.lines:
            if ending:
                counts[ending] = counts.get(ending, 0) + 1
        self.newline = "\n"
        if counts:
            best = max(counts.values())
            if counts.get("\n", 0) != best:
                self.newline = max(counts, key=counts.get)

    def render(self):
        return self.bom + "".join(text + ending for text, ending in self.lines)

    def parse(self):
        """Return ``(ranges, entries)`` as oslo.config's iniparser reads the lines."""
        ranges = []
        entries = []
        section = None
        entry = None
        for idx, (text, _) in enumerate(self.lines):
            line = text.rstrip()
            if not line:
                entry = None
                continue
            if line.startswith((" ", "\t")):
                if entry is not None:
                    entry.value.append(line.lstrip())
                    entry.last = idx
                continue
            entry = None
            if line.startswith("["):
                # oslo rejects a header without "]" or without a name; such a line is not
                # a section here, and is left alone.
                if line.endswith("]") and len(line) > 2:
                    if ranges:
                        ranges[-1].end = idx
                    ranges.append(_Range(line[1:-1], idx))
                    section = ranges[-1].norm
            elif _is_comment(line):
                continue
            else:
                split = _split_assignment(line)
                if split is None or not split[0]:
                    continue
                entry = _Entry(section, split[0], idx, split[2], split[1])
                entries.append(entry)
        if ranges:
            ranges[-1].end = len(self.lines)
        for item in entries:
            item.value = "\n".join(item.value)
        return ranges, entries

    # -- reads ------------------------------------------------------------------------------
    def values(self, section, key):
        norm = _norm_section(section)
        return [e.value for e in self.parse()[1] if e.section == norm and e.key == key]

    def entry_text(self, entry):
        """The exact text of an entry, line breaks between its lines included."""
        lines = self.lines[entry.first : entry.last + 1]
        return "".join(t + e for t, e in lines[:-1]) + lines[-1][0]

    # -- edits ------------------------------------------------------------------------------
    def replace_entry(self, entry, text):
        """Put ``text`` (which may span lines) in place of ``entry``; keep its final ending."""
        pieces = _split_lines(text, self.lines[entry.last][1])
        self.lines[entry.first : entry.last + 1] = pieces

    def remove_entry(self, entry):
        del self.lines[entry.first : entry.last + 1]

    def ensure_final_newline(self):
        """Add a final line ending if the file lacks one; return what was added or None."""
        if self.lines and not self.lines[-1][1]:
            self.lines[-1][1] = self.newline
            return self.newline
        return None

    def insertion_point(self, ranges, norm, key):
        """Where an absent ``key`` goes in section ``norm`` (which must exist).

        Right after a commented-out template line for the key (``#key = ...``) in the section
        if there is one, else after the section's last non-blank line. A comment block glued to
        the next section's header (no blank line between) belongs to that section.
        """
        template = re.compile(r"[#;][ \t]*" + re.escape(key) + r"[ \t]*[=:]")
        mine = [r for r in ranges if r.norm == norm]
        found = None
        for rng in mine:
            for idx in range(rng.header + 1, rng.end):
                if template.match(self.lines[idx][0]):
                    found = idx
        if found is not None:
            return found + 1
        rng = mine[-1]
        end = rng.end
        if end < len(self.lines):
            while end - 1 > rng.header and _is_comment(self.lines[end - 1][0]):
                end -= 1
        while end - 1 > rng.header and _is_blank(self.lines[end - 1][0]):
            end -= 1
        return end

    def insert_line(self, idx, text):
        """Insert ``text`` (which may span lines) before line ``idx``.

        Return the final newline added to the file, if any.
        """
        added = None
        if idx == len(self.lines):
            added = self.ensure_final_newline()
        pieces = _split_lines(text, self.newline)
        self.lines[idx:idx] = pieces
        return added

    def append_section(self, name):
        """Append ``[name]`` at the end; return ``(separator, final newline added)``."""
        added = self.ensure_final_newline()
        separator = ""
        if self.lines and not _is_blank(self.lines[-1][0]):
            separator = self.newline
            self.lines.append(["", separator])
        self.lines.append(["[{}]".format(name), self.newline])
        return separator, added


def _assignment_line(key, value):
    return "{} = {}".format(key, _render_value(value)).rstrip()


# -- files -----------------------------------------------------------------------------------


def _read(path):
    """Return ``(real path, stat, _Doc)``; the real path is written to (symlinks are kept)."""
    _check_path(path)
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise CommandExecutionError("{} is not a regular file".format(path))
        with open(real, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise CommandExecutionError("{} not found".format(path)) from None
    except OSError as exc:
        raise CommandExecutionError("cannot read {}: {}".format(path, exc)) from None
    return real, st, _Doc(data.decode("utf-8", "surrogateescape"))


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
            log.warning("novadocker_conf: could not copy %s of %s: %s", name, src, exc)


def _atomic_write(real, data, mode, uid=None, gid=None, xattrs_from=None):
    """Write ``data`` to ``real`` through a temporary file in the same directory.

    The temporary file gets ``mode``, when they differ from its own ``uid``/``gid``, and the
    extended attributes of ``xattrs_from`` (ACLs, SELinux label) before it is fsynced and
    renamed over ``real``: a reader sees the old file or the new one, never a part of it.
    """
    directory = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(real) + ".", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if uid is not None:
                own = os.fstat(fh.fileno())
                if (own.st_uid, own.st_gid) != (uid, gid):
                    os.fchown(fh.fileno(), uid, gid)
            if xattrs_from is not None:
                _copy_xattrs(xattrs_from, fh.fileno())
            # After fchown: a chown clears setuid/setgid bits. After the ACL: the group bits
            # are the ACL's mask, as they were on the original.
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def _write_conf(path, real, st, doc):
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
        _atomic_write(
            real,
            doc.render().encode("utf-8", "surrogateescape"),
            stat.S_IMODE(st.st_mode),
            st.st_uid,
            st.st_gid,
            xattrs_from=real,
        )
    except OSError as exc:
        raise CommandExecutionError("cannot write {}: {}".format(path, exc)) from None


# -- revert records --------------------------------------------------------------------------


def _new_record(path):
    return {
        "version": RECORD_VERSION,
        "path": os.path.abspath(path),
        "keys": {},
        "sections": [],
        "final_newline": None,
    }


def _record_raw(record):
    """The record file's bytes, or None when it does not exist."""
    try:
        with open(record, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CommandExecutionError("cannot read record {}: {}".format(record, exc)) from None


def _load_record(record, path, raw):
    """Parse and check a record's bytes; a missing record is a fresh one."""
    if raw is None:
        return _new_record(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise CommandExecutionError(
            "{} is not a novadocker_conf revert record (not JSON)".format(record)
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("version") != RECORD_VERSION
        or not isinstance(data.get("keys"), dict)
        or not isinstance(data.get("sections"), list)
    ):
        raise CommandExecutionError(
            "{} is not a novadocker_conf revert record of version {}".format(record, RECORD_VERSION)
        )
    if data.get("path") != os.path.abspath(path):
        raise CommandExecutionError(
            "revert record {} belongs to {}, not to {}".format(record, data.get("path"), path)
        )
    return data


def write_record(record, data):
    """
    Write a revert record: ``data`` as JSON (or bytes as they are) to ``record``, atomically
    (temporary file and rename), the directory created 0700 if missing, the file 0600. Every
    record of the formula (config keys, driver, socket access, rootwrap filter) is written here.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.write_record /var/lib/novadocker/x.json '{"created": true}'
    """
    directory = os.path.dirname(os.path.abspath(record))
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700, exist_ok=True)
            os.chmod(directory, 0o700)
        if isinstance(data, bytes):
            payload = data
        else:
            payload = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
        _atomic_write(os.path.abspath(record), payload, 0o600)
    except OSError as exc:
        raise CommandExecutionError("cannot write record {}: {}".format(record, exc)) from None


def _remember(rec, norm, key, doc, entry):
    """Store what ``key`` was before the formula first touched it; never overwrite."""
    keys = rec["keys"].setdefault(norm, {})
    if key in keys:
        return
    if entry is None:
        keys[key] = {"present": False}
    else:
        keys[key] = {"present": True, "line": doc.entry_text(entry), "value": entry.value}


# -- editing ---------------------------------------------------------------------------------


def _edit(doc, options, rec=None):
    """Set ``options`` (normalized) in ``doc``; fill ``rec`` if given; return the changes."""
    changes = {}
    for section, keys in options.items():
        norm = _norm_section(section)
        for key, value in keys.items():
            ranges, entries = doc.parse()
            found = [e for e in entries if e.section == norm and e.key == key]
            old = found[-1].value if found else None
            if old == value:
                continue
            if rec is not None:
                _remember(rec, norm, key, doc, found[-1] if found else None)
            if found:
                entry = found[-1]
                doc.replace_entry(entry, (entry.prefix + _render_value(value)).rstrip())
            else:
                if not any(r.norm == norm for r in ranges):
                    separator, added = doc.append_section(section)
                    if rec is not None:
                        if not any(_norm_section(s["name"]) == norm for s in rec["sections"]):
                            rec["sections"].append({"name": section, "separator": separator})
                        if added and rec.get("final_newline") is None:
                            rec["final_newline"] = added
                    ranges, _ = doc.parse()
                idx = doc.insertion_point(ranges, norm, key)
                added = doc.insert_line(idx, _assignment_line(key, value))
                if added and rec is not None and rec.get("final_newline") is None:
                    rec["final_newline"] = added
            changes.setdefault(section, {})[key] = {"old": old, "new": value}
    return changes


def _revert_doc(doc, rec):
    """Put the recorded originals back into ``doc``; return the changes."""
    changes = {}
    for norm, keys in rec["keys"].items():
        for key, orig in keys.items():
            ranges, entries = doc.parse()
            found = [e for e in entries if e.section == norm and e.key == key]
            entry = found[-1] if found else None
            if orig.get("present"):
                if entry is not None:
                    if doc.entry_text(entry) == orig["line"]:
                        continue
                    doc.replace_entry(entry, orig["line"])
                else:
                    if not any(r.norm == norm for r in ranges):
                        log.warning("novadocker_conf: [%s] is gone, %s is not put back", norm, key)
                        continue
                    # The operator removed the line since: put the original back where an
                    # absent key goes.
                    doc.insert_line(doc.insertion_point(ranges, norm, key), orig["line"])
                changes.setdefault(norm, {})[key] = {
                    "old": entry.value if entry is not None else None,
                    "new": orig.get("value"),
                }
            elif entry is not None:
                doc.remove_entry(entry)
                changes.setdefault(norm, {})[key] = {"old": entry.value, "new": None}
    for created in reversed(rec["sections"]):
        ranges, _ = doc.parse()
        mine = [r for r in ranges if r.norm == _norm_section(created["name"])]
        if not mine:
            continue
        rng = mine[-1]
        if not all(_is_blank(doc.lines[i][0]) for i in range(rng.header + 1, rng.end)):
            continue
        del doc.lines[rng.header]
        if created.get("separator") and rng.header > 0 and _is_blank(doc.lines[rng.header - 1][0]):
            del doc.lines[rng.header - 1]
    if rec.get("final_newline") and doc.lines and doc.lines[-1][1]:
        doc.lines[-1][1] = ""
    return changes


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
    _check_section(section)
    _check_key(key)
    values = _read(path)[2].values(section, key)
    return values[-1] if values else None


def get_all(path, section, key):
    """
    Return every value of ``key`` in ``section`` of ``path``, in file order (the list an oslo
    multi-valued option such as ``[pci] passthrough_whitelist`` reads); ``[]`` when unset.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.get_all /etc/nova/nova.conf pci passthrough_whitelist
    """
    _check_section(section)
    _check_key(key)
    return _read(path)[2].values(section, key)


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
    opts = _normalize_options(options)
    doc = _read(path)[2]
    return _edit(doc, opts)


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
    opts = _normalize_options(options)
    real, st, doc = _read(path)
    raw = rec = None
    if record:
        raw = _record_raw(record)
        rec = _load_record(record, path, raw)
    changes = _edit(doc, opts, rec)
    if not changes:
        return {}
    if record:
        write_record(record, rec)
    try:
        _write_conf(path, real, st, doc)
    except CommandExecutionError:
        if record:
            # The file was not changed: the record must not claim it was.
            if raw is None:
                with contextlib.suppress(OSError):
                    os.unlink(record)
            else:
                write_record(record, raw)
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
    _check_path(record)
    raw = _record_raw(record)
    if raw is None:
        return {}
    rec = _load_record(record, path, raw)
    real, st, doc = _read(path)
    before = doc.render()
    changes = _revert_doc(doc, rec)
    if test:
        return changes
    if doc.render() != before:
        _write_conf(path, real, st, doc)
    try:
        os.unlink(record)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CommandExecutionError("cannot remove record {}: {}".format(record, exc)) from None
    return changes


def container_formats(path, formats, section="image_format", default_formats=None):
    """
    Work out the ``container_formats`` list Glance should get so that it accepts ``formats``,
    without writing anything.

    What Glance reads today: ``container_formats`` in ``section`` if set, else (when
    ``section`` is not ``DEFAULT``) the deprecated ``[DEFAULT] container_formats`` alias if
    set, else ``default_formats``, the release's own default list. The new list is that list
    plus each of ``formats`` not already in it, order kept.

    Return ``{"section": section, "old": [...], "new": [...], "source": <where old came
    from: the section name, "DEFAULT" or "default">}``.

    path
        glance-api.conf.

    formats
        The formats Glance must accept (a list or a comma-separated string), e.g.
        ``docker,dockerref``.

    section
        Where the release reads the option: ``image_format`` from icehouse on, ``DEFAULT``
        before (see ``novadocker.glance_info``).

    default_formats
        The release's default list, used when the file sets none.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_conf.container_formats /etc/glance/glance-api.conf \\
            docker,dockerref default_formats=ami,ari,aki,bare,ovf,ova,docker
    """
    _check_section(section)
    wanted = _as_list(formats, "formats")
    defaults = _as_list(default_formats, "default_formats")
    doc = _read(path)[2]
    sources = [section] if _norm_section(section) == "DEFAULT" else [section, "DEFAULT"]
    for source in sources:
        values = doc.values(source, "container_formats")
        if values:
            old = [item.strip() for item in values[-1].split(",") if item.strip()]
            break
    else:
        source = "default"
        old = defaults
    new = list(old)
    for name in wanted:
        if name not in new:
            new.append(name)
    return {"section": section, "old": old, "new": new, "source": source}
