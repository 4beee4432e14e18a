"""
The one reader and lossless editor of oslo.config INI files (nova.conf, glance-api.conf).

Every module type of the formula that reads what nova or glance read goes through here: the
execution modules (``novadocker_conf``, the node report), the states, the grain and the beacon
(through the execution modules). It reads a file the way oslo.config's ``iniparser`` does:

* ``[section]`` headers; section names other than ``DEFAULT`` are case-insensitive (oslo
  lowercases them), ``DEFAULT`` is matched exactly;
* ``key = value``, ``key=value`` or ``key: value``: the first ``=`` or ``:`` splits, key case
  is kept (oslo option names are case-sensitive);
* ``#`` and ``;`` comment lines; continuation lines start with a space or a tab;
* one pair of matching quotes (``"`` or ``'``) around a value is stripped;
* a key set several times, in one section or in a repeated section, is read from its LAST
  occurrence (oslo keeps the last value of a single-valued option); CR, LF and CRLF all end a
  line.

What oslo.config refuses (a UTF-8 byte order mark, an option before the first section header, an
indented line that continues no option, a line without ``=`` or ``:``, an empty key, a broken
section header, bytes that are not UTF-8) is found by :py:func:`oslo_problem`: the formula
never edits such a file (nova-compute or glance-api cannot start with it, and a success would
hide that); ``read(path, oslo=True)`` refuses it naming the line.

The editor changes only the keys it is given: comments, order, spacing, blank lines, repeated
keys, values holding ``%`` or ``=``, line endings and a missing final newline stay byte for
byte. :py:func:`edit` can fill a revert record (the ``conf`` kind of ``novadocker_records``)
and :py:func:`revert` puts the recorded lines back.

Pure: no Salt dunders. File access goes through ``novadocker_files`` (a FIFO is never opened).
"""

import json
import logging
import re
import sys

from salt.exceptions import CommandExecutionError, SaltInvocationError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_files", None)
import novadocker_files as files  # noqa: E402

log = logging.getLogger(__name__)

#: Version of the revert record layout (the ``conf`` kind of novadocker_records).
RECORD_VERSION = 1

# Line breaks as Python's universal newlines (which oslo.config reads with) see them.
_NEWLINE_RE = re.compile(r"\r\n|\n|\r")
_QUOTES = ('"', "'")
_BOM = "\ufeff"
# Undecodable bytes, as surrogateescape keeps them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


# -- argument checks -------------------------------------------------------------------------


def norm_section(section):
    """The section name oslo.config looks up: ``DEFAULT`` as is, any other name lowercased."""
    return section if section == "DEFAULT" else section.lower()


def check_path(path):
    if not isinstance(path, str) or not path:
        raise SaltInvocationError("path must be a non-empty string, got {!r}".format(path))


def check_section(section):
    if not isinstance(section, str) or not section:
        raise SaltInvocationError("section must be a non-empty string, got {!r}".format(section))
    if _NEWLINE_RE.search(section) or "[" in section or "]" in section:
        raise SaltInvocationError(
            "section {!r} cannot hold brackets or line breaks".format(section)
        )


def check_key(key):
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


def normalize_options(options):
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
        check_section(section)
        if not isinstance(keys, dict):
            raise SaltInvocationError(
                "options[{!r}] must be a mapping {{key: value}}, got {}".format(
                    section, type(keys).__name__
                )
            )
        result[section] = {}
        for key, value in keys.items():
            check_key(key)
            result[section][key] = _to_value(value, "[{}] {}".format(section, key))
    return result


def as_list(value, what):
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
        self.norm = norm_section(name)
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


class Doc:
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
        norm = norm_section(section)
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


def parse(text):
    """The :py:class:`Doc` of ``text`` (a str; bytes are decoded as UTF-8, undecodable bytes
    kept through ``surrogateescape`` so that a rewrite gives them back)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    return Doc(text)


def _refusal(lineno, reason, text):
    return {"line": lineno, "reason": reason, "text": text}


def oslo_problem(doc):
    """The first line of ``doc`` oslo.config's parser refuses, as ``{"line": <1-based
    number>, "reason", "text"}``; ``None`` when oslo.config reads the file. The rules are
    oslo.config's ``iniparser`` and ``ConfigParser`` (read with UTF-8): a continuation line
    (leading blank) must follow an option or its continuation, a section header ends with
    ``]`` and has a name, an option line has a key and ``=`` or ``:``, and comes after a
    section header."""
    if doc.bom:
        first = doc.lines[0][0] if doc.lines else ""
        return _refusal(
            1,
            "the file starts with a UTF-8 byte order mark (BOM), which oslo.config reads as "
            "part of the first line",
            _BOM + first,
        )
    key_open = False
    section = None
    for lineno, (text, _ending) in enumerate(doc.lines, 1):
        if _NOT_UTF8.search(text):
            return _refusal(lineno, "bytes that are not UTF-8 (oslo.config reads UTF-8)", text)
        line = text.rstrip()
        if not line:
            key_open = False
            continue
        if line.startswith((" ", "\t")):
            if not key_open:
                return _refusal(
                    lineno,
                    "Unexpected continuation line (an indented line that continues no option)",
                    text,
                )
            continue
        key_open = False
        if line.startswith("["):
            if not line.endswith("]"):
                return _refusal(lineno, "Invalid section (must end with ])", text)
            if len(line) <= 2:
                return _refusal(lineno, "Empty section name", text)
            section = line[1:-1]
        elif not _is_comment(line):
            split = _split_assignment(line)
            if split is None:
                return _refusal(lineno, "No ':' or '=' found in assignment", text)
            if not split[0]:
                return _refusal(lineno, "Key cannot be empty", text)
            if section is None:
                return _refusal(lineno, "Section must be started before assignment", text)
            key_open = True
    return None


def _what(text):
    """The line ``text`` as a refusal may name it: a section header as it is, an option by its
    key, nothing of any other content (a value of nova.conf may be a password)."""
    line = text.lstrip(_BOM + " \t").rstrip()
    if line.startswith("["):
        return "the section header {!r}".format(line[:80])
    if _is_comment(line):
        return "a comment"
    split = _split_assignment(line)
    if split and split[0]:
        return "option {!r}".format(split[0][:80])
    return "a line without '=' or ':'" if line else "a blank line"


def refusal(path, doc):
    """The operator's message for a file ``path`` oslo.config refuses (``None`` when it reads
    it): the line, why, and that nothing was changed. Of the line, only a section header or
    an option's key is quoted, never a value."""
    problem = oslo_problem(doc)
    if problem is None:
        return None
    text = problem["text"].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return (
        "{}: line {}: oslo.config refuses this file ({}, at {}), so the service "
        "reading it cannot start; fix that line, nothing was changed".format(
            path, problem["line"], problem["reason"], _what(text)
        )
    )


def read(path, oslo=False):
    """``(real path, stat, Doc)`` of the config file ``path``; the real path (symlinks
    resolved) is the one to write. Raises ``CommandExecutionError`` naming the path for a
    missing file, one that is not a regular file (a FIFO is never opened), or one that cannot
    be read; with ``oslo``, also for a file oslo.config refuses (:py:func:`refusal`)."""
    check_path(path)
    try:
        real, st, data = files.read_regular(path)
    except FileNotFoundError:
        raise CommandExecutionError("{} not found".format(path)) from None
    except files.NotRegularFile as exc:
        raise CommandExecutionError("{}: nothing was changed".format(exc.strerror)) from None
    except OSError as exc:
        raise CommandExecutionError("cannot read {}: {}".format(path, exc.strerror)) from None
    doc = parse(data)
    if oslo:
        refused = refusal(path, doc)
        if refused:
            raise CommandExecutionError(refused)
    return real, st, doc


def value(doc, section, key):
    """The value oslo.config reads for ``key`` in ``section`` of ``doc``; ``None`` when unset."""
    found = doc.values(section, key)
    return found[-1] if found else None


def file_values(path, wanted):
    """``{(section, key): value}`` for each pair of ``wanted`` set in the file ``path``, read as
    oslo.config reads it; ``None`` when the file cannot be read (missing, not a regular file,
    no permission). Never raises for the file: for callers that must not (the grain)."""
    try:
        doc = read(path)[2]
    except CommandExecutionError:
        return None
    found = {}
    for section, key in wanted:
        got = value(doc, section, key)
        if got is not None:
            found[(section, key)] = got
    return found


def new_record(path):
    """An empty revert record (``conf`` kind) for the file ``path``."""
    return {
        "version": RECORD_VERSION,
        "path": path,
        "keys": {},
        "sections": [],
        "final_newline": None,
    }


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


def edit(doc, options, rec=None):
    """Set ``options`` (normalized) in ``doc``; fill ``rec`` if given; return the changes."""
    changes = {}
    for section, keys in options.items():
        norm = norm_section(section)
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
                        if not any(norm_section(s["name"]) == norm for s in rec["sections"]):
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


def revert(doc, rec):
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
                        log.warning("novadocker: [%s] is gone, %s is not put back", norm, key)
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
        mine = [r for r in ranges if r.norm == norm_section(created["name"])]
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
