"""
How the pillar rules of the novadocker formula speak, for ``novadocker_schema`` and
``novadocker_schema_glance``: the key path of a problem (``novadocker:compute:docker:
privileged``), the bad value as YAML made it, what is accepted, a "did you mean"; and the leaf
rules every section uses (one line, true or false, an absolute path).

A rule is ``rule(value, path, ctx)`` and yields problem strings; ``ctx`` holds the release
tables and the cross-key facts of the pillar being validated (``novadocker_schema``).

Pure: no Salt dunders.
"""

import difflib
import re
import sys

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_secrets", None)
import novadocker_secrets as secrets  # noqa: E402

#: The pillar's name, the first component of every reported key path.
ROOT = "novadocker"

#: Characters that end a line for ``str.splitlines`` (what INI readers and editors split on),
#: plus NUL. None of them may reach nova.conf, glance-api.conf or a path.
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00]")
WHITESPACE = re.compile(r"\s")

ABSPATH = "an absolute path (starting with /, without '..' components or line breaks)"


def path(*keys):
    """``novadocker:<key>:<key>...``"""
    return ":".join(str(key) for key in (ROOT,) + keys)


def got(value):
    """``repr(value)`` (credentials in it hidden), with a hint when YAML turned an unquoted
    scalar into a non-string."""
    if isinstance(value, str):
        return repr(secrets.redact_text(value))
    if isinstance(value, bool):
        return "{!r} (a boolean)".format(value)
    if isinstance(value, (int, float)):
        return "{!r} (a number; quote it in YAML)".format(value)
    if value is None:
        return "None (an empty value)"
    return repr(value)


def kind(value):
    """What ``value`` is, without showing it (for values that may be secrets)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "a mapping", list: "a list", str: "a string", type(None): "an empty value"}
    return names.get(type(value), type(value).__name__)


def expected(path_, accepted, value):
    """The problem of ``value`` at ``path_``, which must be ``accepted``."""
    return "{}: expected {}; got {}".format(path_, accepted, got(value))


def one_of(values):
    return ", ".join(str(value) for value in values)


def suggest(word, candidates):
    """`` (did you mean 'x'?)`` for the closest candidate, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1)
    return " (did you mean {!r}?)".format(close[0]) if close else ""


def line(value, path_, accepted):
    """Problems for a value that must be a single-line string."""
    if not isinstance(value, str):
        return [expected(path_, accepted, value)]
    if LINE_BREAK.search(value):
        return [expected(path_, accepted + " on a single line (no line breaks or NUL)", value)]
    return []


def boolean(value, path_, ctx):
    if not isinstance(value, bool):
        yield expected(path_, "true or false", value)


def abspath(value, path_, ctx, allow_empty=False):
    accepted = ("'' or " if allow_empty else "") + ABSPATH
    if allow_empty and value == "":
        return
    if not isinstance(value, str) or LINE_BREAK.search(value) or not value.startswith("/"):
        yield expected(path_, accepted, value)
    elif ".." in value.split("/"):
        yield expected(path_, accepted + "; '..' components are refused", value)


def abspath_or_empty(value, path_, ctx):
    return abspath(value, path_, ctx, allow_empty=True)
