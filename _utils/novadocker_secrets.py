"""
Credentials kept out of everything the formula shows or keeps.

A URL may carry credentials in its userinfo (``https://user:pass@host/...``) or a token in its
query string or fragment (``?private_token=...``); pip arguments may carry them as well
(``--index-url https://user:pass@host/simple``, ``--proxy user:pass@proxy:3128``). Every
message, log line, record and cache file name of the formula goes through here first:

* :py:func:`redact_url`: the URL with its userinfo replaced by ``***`` and every query (and
  fragment) value by ``***``;
* :py:func:`redact_text`: free text (an error, pip's output) with every URL in it redacted and
  every known secret (:py:func:`known`) replaced by ``***``;
* :py:func:`redact_args`: a pip argument list, each argument redacted (``--proxy`` values
  included, which have no scheme);
* :py:func:`known`: the secrets to look for: the userinfo and query values of a URL, a
  password given apart (pillar ``driver:source_password``), those inside pip arguments, in
  their raw and percent-decoded forms.

Pure: no Salt dunders.
"""

import re
import urllib.parse

#: What replaces a secret.
MASK = "***"

# A URL in free text: a scheme, "://", then everything up to a blank or a quote, without the
# punctuation that ends a sentence or a clause.
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]*[^\s'\"<>.,:;!?)\]]")
# userinfo without a scheme (pip's --proxy [user:passwd@]proxy.server:port).
_BARE_USERINFO = re.compile(r"^[^\s/@]+@")
_PAIR = re.compile(r"([^&=;]*)=([^&;]*)")

#: pip options whose value may hold credentials without a scheme.
_PROXY_OPTIONS = ("--proxy",)


def _redact_pairs(text):
    """``a=1&b=2`` -> ``a=***&b=***``; a part without ``=`` (a bare token) -> ``***``."""
    if not text:
        return text
    parts = re.split(r"([&;])", text)
    out = []
    for part in parts:
        if part in ("&", ";") or part == "":
            out.append(part)
        elif "=" in part:
            out.append(part.split("=", 1)[0] + "=" + MASK)
        else:
            out.append(MASK)
    return "".join(out)


def redact_url(url):
    """``url`` with its userinfo and its query and fragment values replaced by ``***``
    (``https://***@host/x.zip?token=***``). Anything that is not a URL comes back as it is."""
    if not isinstance(url, str) or "://" not in url:
        return url
    scheme, sep, rest = url.partition("://")
    end = len(rest)
    for stop in "/?#":
        pos = rest.find(stop)
        if pos != -1:
            end = min(end, pos)
    netloc, tail = rest[:end], rest[end:]
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    path, hsep, fragment = tail.partition("#")
    path, qsep, query = path.partition("?")
    return (
        scheme + sep + netloc + path + qsep + _redact_pairs(query) + hsep + _redact_pairs(fragment)
    )


def _url_secrets(url):
    """The userinfo and query/fragment values of ``url`` (raw and percent-decoded)."""
    found = []
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return found
    netloc = parts.netloc
    if "@" in netloc:
        userinfo = netloc.rpartition("@")[0]
        user, colon, password = userinfo.partition(":")
        # A user alone is often a token (https://<token>@host); with a password, the user is
        # not a secret (and hiding a common word everywhere would garble the messages).
        found.append(password if colon else user)
    for text in (parts.query, parts.fragment):
        for match in _PAIR.finditer(text or ""):
            found.append(match.group(2))
        for part in re.split(r"[&;]", text or ""):
            if part and "=" not in part:
                found.append(part)
    return found


def _bare_userinfo_secret(value):
    match = _BARE_USERINFO.match(value or "")
    if not match:
        return None
    userinfo = match.group(0)[:-1]
    user, colon, password = userinfo.partition(":")
    return password if colon else user


def known(url=None, password=None, args=()):
    """The secrets to hide: those of ``url``, ``password`` and the pip arguments ``args``,
    each raw and percent-decoded, longest first (so that no part of a secret is left)."""
    found = []
    if isinstance(url, str):
        found += _url_secrets(url)
    if isinstance(password, str):
        found.append(password)
    args = list(args or [])
    for idx, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        for match in _URL.finditer(arg):
            found += _url_secrets(match.group(0))
        value = None
        if arg.startswith(tuple(o + "=" for o in _PROXY_OPTIONS)):
            value = arg.split("=", 1)[1]
        elif idx > 0 and args[idx - 1] in _PROXY_OPTIONS:
            value = arg
        if value and "://" not in value:
            found.append(_bare_userinfo_secret(value))
    out = set()
    for secret in found:
        if secret:
            out.add(secret)
            out.add(urllib.parse.unquote(secret))
    out.discard("")
    out.discard(MASK)
    return sorted(out, key=lambda s: (-len(s), s))


def redact_text(text, secrets=()):
    """``text`` with every URL in it redacted (:py:func:`redact_url`) and every secret of
    ``secrets`` replaced by ``***``. Not a string: returned as it is."""
    if not isinstance(text, str) or not text:
        return text
    text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    for secret in secrets or ():
        if secret:
            text = text.replace(secret, MASK)
    return text


def redact_args(args, secrets=()):
    """The pip arguments ``args`` as they may be shown: each one redacted, the value of
    ``--proxy`` (``user:pass@host:port``) included."""
    out = []
    args = list(args or [])
    for idx, arg in enumerate(args):
        if not isinstance(arg, str):
            out.append(arg)
            continue
        value = arg
        if idx > 0 and args[idx - 1] in _PROXY_OPTIONS and "://" not in arg:
            value = _BARE_USERINFO.sub(MASK + "@", arg)
        for opt in _PROXY_OPTIONS:
            if arg.startswith(opt + "=") and "://" not in arg:
                value = opt + "=" + _BARE_USERINFO.sub(MASK + "@", arg.split("=", 1)[1])
        out.append(redact_text(value, secrets))
    return out


def redact_data(data, secrets=()):
    """``data`` (a state's changes, a report) with :py:func:`redact_text` applied to every
    string in it, keys included."""
    if isinstance(data, str):
        return redact_text(data, secrets)
    if isinstance(data, dict):
        return {redact_data(k, secrets): redact_data(v, secrets) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(redact_data(v, secrets) for v in data)
    return data
