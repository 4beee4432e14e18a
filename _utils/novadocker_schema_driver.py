"""
The pillar rules of the driver's keys (``novadocker:driver``): where its source is (a URL of
:data:`SOURCE_SCHEMES`, its ``sha256=``), the credentials to fetch it with (never shown, not
even in their own error), the wheelhouse, and the pip install options ``driver:pip_args``
accepts (:data:`PIP_OPTIONS`; :py:func:`pip_args_problems` is also what the driver execution
module checks before it runs pip). ``novadocker_schema`` puts them in its schema.

A rule is ``rule(value, path, ctx)`` and yields problem strings (``novadocker_schema_text``).

Pure: no Salt dunders.
"""

import re
import sys
import urllib.parse

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_schema_text", None)
import novadocker_schema_text as text  # noqa: E402

_path, _got, _expected, _one_of = text.path, text.got, text.expected, text.one_of
_line, _abspath, _WHITESPACE = text.line, text.abspath, text.WHITESPACE

SOURCE_SCHEMES = ("https", "http", "salt", "file")
SHA256 = re.compile(r"sha256=[0-9a-fA-F]{64}")

#: The ``pip install`` options ``driver:pip_args`` accepts, each with whether it takes a value
#: (``--opt value`` or ``--opt=value``). The formula installs one archive into nova's
#: environment: options that add requirements or read them from files (``-r``/``--requirement``,
#: ``-c``/``--constraint``, ``-e``/``--editable``, a second requirement), install somewhere else
#: (``--target``, ``--prefix``, ``--root``, ``--user``) or write files of their own (``--log``,
#: ``--report``) are refused.
PIP_OPTIONS = {
    "--index-url": True,
    "--extra-index-url": True,
    "--no-index": False,
    "--find-links": True,
    "--no-deps": False,
    "--no-build-isolation": False,
    "--use-pep517": False,
    "--no-use-pep517": False,
    "--check-build-dependencies": False,
    "--proxy": True,
    "--cert": True,
    "--client-cert": True,
    "--trusted-host": True,
    "--keyring-provider": True,
    "--timeout": True,
    "--retries": True,
    "--break-system-packages": False,
    "--pre": False,
    "--prefer-binary": False,
    "--only-binary": True,
    "--no-binary": True,
    "--force-reinstall": False,
    "--no-cache-dir": False,
    "--cache-dir": True,
    "--disable-pip-version-check": False,
    "--no-warn-conflicts": False,
    "--no-warn-script-location": False,
    "--no-color": False,
    "--progress-bar": True,
    "--quiet": False,
    "--isolated": False,
}
#: Short spellings of :data:`PIP_OPTIONS`.
PIP_SHORT = {"-i": "--index-url", "-f": "--find-links", "-q": "--quiet"}


def wheelhouse(value, path, ctx):
    accepted = (
        "'' or a directory of wheels: salt://<dir>, file:///<dir> or an absolute path on the minion"
    )
    if value == "":
        return
    if not isinstance(value, str) or _WHITESPACE.search(value) or "\x00" in value:
        yield _expected(path, accepted, value)
    elif value.startswith("/"):
        yield from _abspath(value, path, ctx)
    elif not (
        (value.startswith("salt://") and value[len("salt://") :].strip("/"))
        or (value.startswith("file:///") and ".." not in value.split("/"))
    ):
        yield _expected(path, accepted, value)


def source(value, path, ctx):
    accepted = "'' or a URL with scheme " + _one_of(SOURCE_SCHEMES)
    if value == "":
        return
    if not isinstance(value, str) or _WHITESPACE.search(value) or "\x00" in value:
        yield _expected(path, accepted + " (without whitespace)", value)
        return
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        yield _expected(path, accepted, value)
        return
    scheme = parts.scheme.lower()
    if scheme not in SOURCE_SCHEMES:
        yield _expected(path, accepted, value)
    elif scheme in ("http", "https") and not parts.hostname:
        yield _expected(path, accepted + "; http(s) URLs need a host", value)
    elif scheme == "salt" and not (parts.netloc + parts.path).strip("/"):
        yield _expected(path, accepted + "; salt:// URLs need a file path", value)
    elif scheme == "file" and (
        parts.netloc not in ("", "localhost") or not parts.path.startswith("/")
    ):
        yield _expected(path, accepted + "; file URLs look like file:///abs/path", value)


def source_hash(value, path, ctx):
    if value != "" and not (isinstance(value, str) and SHA256.fullmatch(value)):
        yield _expected(path, "'' or sha256=<64 hex digits>", value)


def source_username(value, path, ctx):
    accepted = "'' or a user name for HTTP Basic authentication (no ':', blanks or line breaks)"
    if value != "" and (
        not isinstance(value, str) or ":" in value or _WHITESPACE.search(value) or not value
    ):
        yield _expected(path, accepted, value)


def source_password(value, path, ctx):
    """A password is never shown, not even in its own error."""
    accepted = "'' or a password on a single line (a string: quote it in YAML)"
    if isinstance(value, str) and not text.LINE_BREAK.search(value):
        return
    shown = "a value on several lines" if isinstance(value, str) else type(value).__name__
    yield "{}: expected {}; got {} (not shown)".format(path, accepted, shown)


def pip_args_problems(args, path=None):
    """The problems of the pip arguments ``args`` (``driver:pip_args``): a list of strings,
    each one an option of :data:`PIP_OPTIONS` (or :data:`PIP_SHORT`) with its value when it
    takes one. Values are shown with their credentials hidden. Also used by the
    ``novadocker_driver`` execution module before it runs pip."""
    path = path or _path("driver", "pip_args")
    if not isinstance(args, list):
        return [_expected(path, "a list of strings (pip install options)", args)]
    problems = []
    accepted = (
        "one of the pip install options the formula accepts: {} (short: {}); -r, -c, -e, "
        "their long forms and a second requirement are refused: the formula installs one "
        "archive".format(_one_of(PIP_OPTIONS), _one_of(PIP_SHORT))
    )
    idx = 0
    while idx < len(args):
        arg, apath = args[idx], "{}:{}".format(path, idx)
        line = _line(arg, apath, "a string")
        if line:
            problems += line
            idx += 1
            continue
        name, eq, _value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        name = PIP_SHORT.get(name, name)
        takes = PIP_OPTIONS.get(name)
        if takes is None:
            problems.append(_expected(apath, accepted, arg))
            # "-r FILE": the file goes with the refused option, not reported twice.
            nxt = args[idx + 1] if idx + 1 < len(args) else None
            if arg.startswith("-") and not eq and isinstance(nxt, str):
                idx += 0 if nxt.startswith("-") else 1
        elif takes and not eq:
            if idx + 1 >= len(args) or not isinstance(args[idx + 1], str):
                problems.append(_expected(apath, name + " followed by its value", arg))
            idx += 1
        elif not takes and eq:
            problems.append(_expected(apath, name + " without a value", arg))
        idx += 1
    return problems


def pip_args(value, path, ctx):
    yield from pip_args_problems(value, path)


def credential_problems(driver):
    """``driver:source_username``/``source_password``: for an http(s) source, a password only
    with a user, and not as well as credentials in the URL."""
    user, password = driver.get("source_username", ""), driver.get("source_password", "")
    if not (user or password) or not isinstance(user, str) or not isinstance(password, str):
        return
    source = driver.get("source", "")
    scheme = source.partition("://")[0].lower() if isinstance(source, str) else ""
    upath = _path("driver", "source_username")
    if scheme not in ("http", "https"):
        yield (
            "{}: credentials are only for an http:// or https:// driver:source; got "
            "driver:source {}".format(upath, _got(source))
        )
    elif password and not user:
        yield _expected(upath, "the user going with driver:source_password", user)
    elif "@" in source.partition("://")[2].split("/", 1)[0]:
        yield (
            "{}: driver:source carries credentials in its URL as well: give them once, in "
            "driver:source_username and driver:source_password; got driver:source {}".format(
                upath, _got(source)
            )
        )
