"""
The pillar rules of the formula's Glance clients, for ``novadocker_schema``: ``image:api``
(the running glance-api's live image schema) and ``images`` (Docker images published into
Glance).

Credentials (``auth``: keystoneauth options) are never echoed: a problem names the key and
what kind of value it holds, never the value. Glance's own facts (the attributes an image
property may not shadow) come from ``novadocker_glance_api``.

Pure: no Salt dunders.
"""

import re
import sys
import urllib.parse

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_glance_api", "novadocker_schema_text"):
    sys.modules.pop(_name, None)
import novadocker_glance_api as glance_api  # noqa: E402
import novadocker_schema_text as text  # noqa: E402

#: A Docker image reference without digest: [registry[:port]/]path[:tag], as Docker parses it.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
DOCKER_NAME = re.compile(
    r"(?:[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?/)?{c}(?:/{c})*(?::\w[\w.-]{{0,127}})?".format(
        c=_COMPONENT
    ),
    re.ASCII,
)
PROPERTY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.-]{0,254}", re.ASCII)
AUTH_OPTION = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
VISIBILITIES = ("public", "private", "shared", "community")
INTERFACES = ("public", "internal", "admin")
PUBLISH_KEYS = ("name", "visibility", "properties")
NO_ECHO = "the value is not shown: credentials are never echoed"


def optional_line(value, path, ctx):
    if value != "":
        yield from text.line(value, path, "'' or a name on a single line")


def seconds(value, path, ctx, minimum_ok=False):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value < 0
        or (value == 0 and not minimum_ok)
    ):
        yield text.expected(
            path, "a number of seconds {}".format(">= 0" if minimum_ok else "> 0"), value
        )


def wait(value, path, ctx):
    return seconds(value, path, ctx, minimum_ok=True)


def interface(value, path, ctx):
    if value not in ("",) + INTERFACES:
        yield text.expected(path, "'' or one of " + text.one_of(INTERFACES), value)


def http_url(value, path, ctx):
    accepted = "an http:// or https:// URL (glance-api on this node, e.g. http://127.0.0.1:9292)"
    if not isinstance(value, str) or text.WHITESPACE.search(value):
        yield text.expected(path, accepted, value)
        return
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        yield text.expected(path, accepted, value)


def auth(value, path, ctx):
    """keystoneauth options: never echoed (they hold passwords and secrets)."""
    accepted = "a mapping of keystoneauth options (auth_type, auth_url, username, password, ...)"
    if not isinstance(value, dict):
        yield "{}: expected {}; got {} ({})".format(path, accepted, text.kind(value), NO_ECHO)
        return
    for key, item in value.items():
        kpath = "{}:{}".format(path, key)
        if not isinstance(key, str) or not AUTH_OPTION.fullmatch(key):
            yield "{}: expected option names like auth_url or password; got {!r}".format(path, key)
        elif key == "auth_type" and not (isinstance(item, str) and AUTH_OPTION.fullmatch(item)):
            yield text.expected(kpath, "a keystoneauth plugin name like password or none", item)
        elif (
            isinstance(item, (dict, list))
            or item is None
            or (isinstance(item, str) and text.LINE_BREAK.search(item))
        ):
            yield "{}: expected a string, number or boolean on one line; got {} ({})".format(
                kpath, text.kind(item), NO_ECHO
            )


def properties(value, path, ctx):
    accepted = "a mapping of Glance image properties to strings"
    if not isinstance(value, dict):
        yield text.expected(path, accepted, value)
        return
    for key, item in value.items():
        kpath = "{}:{}".format(path, key)
        if not isinstance(key, str) or not PROPERTY_NAME.fullmatch(key):
            yield text.expected(kpath, "a property name ([A-Za-z0-9_:.-], at most 255)", key)
        elif key in glance_api.RESERVED_PROPERTIES or key.startswith("os_glance"):
            yield "{}: {!r} is Glance's or the formula's own attribute; choose another".format(
                kpath, key
            )
        else:
            yield from text.line(item, kpath, "a string (quote numbers and booleans in YAML)")


def visibility(value, path, ctx):
    if value not in VISIBILITIES:
        yield text.expected(path, "one of " + text.one_of(VISIBILITIES), value)


def _entry(entry, epath, ctx):
    """Problems of one publish entry other than its name."""
    for key in entry:
        if key not in PUBLISH_KEYS:
            yield "{}:{}: unknown key {!r}{}; accepted keys: {}".format(
                epath, key, key, text.suggest(key, PUBLISH_KEYS), text.one_of(PUBLISH_KEYS)
            )
    if "visibility" in entry:
        yield from visibility(entry["visibility"], epath + ":visibility", ctx)
    if "properties" in entry:
        yield from properties(entry["properties"], epath + ":properties", ctx)


def publish(value, path, ctx):
    accepted = "a list of images, each a mapping with keys " + text.one_of(PUBLISH_KEYS)
    if not isinstance(value, list):
        yield text.expected(path, accepted, value)
        return
    seen = {}
    for idx, entry in enumerate(value):
        epath = "{}:{}".format(path, idx)
        if not isinstance(entry, dict):
            yield text.expected(epath, "a mapping with keys " + text.one_of(PUBLISH_KEYS), entry)
            continue
        name = entry.get("name")
        accepted = "the image's name in Docker, e.g. busybox or registry:5000/team/app:1.2"
        if not isinstance(name, str) or len(name) > 255 or not DOCKER_NAME.fullmatch(name):
            yield text.expected(epath + ":name", accepted, name)
        elif name in seen:
            yield "{}:name: {!r} is published twice (also {}:{})".format(
                epath, name, path, seen[name]
            )
        else:
            seen[name] = idx
        yield from _entry(entry, epath, ctx)


#: How a Glance client of the formula logs in (image:api and images): openstacksdk's way.
CREDENTIALS = {
    "cloud": (optional_line, "'' or the name of a clouds.yaml entry"),
    "clouds_yaml": (text.abspath_or_empty, "'' or " + text.ABSPATH),
    "auth": (auth, "keystoneauth options (never echoed)"),
    "timeout": (seconds, "a number of seconds > 0 for one request"),
}


def credential_problems(images, enabled):
    """``images`` (the pillar's section) enabled needs credentials; ``auth_type: none`` needs
    Glance's ``endpoint``."""
    given = images.get("cloud", "") or images.get("auth")  # a bad auth has its own rule
    if enabled and not given:
        yield (
            "{}: expected the name of a clouds.yaml entry, or keystoneauth options in "
            "novadocker:images:auth, because images:enabled is true; got neither".format(
                text.path("images", "cloud")
            )
        )
    options = images.get("auth") if isinstance(images.get("auth"), dict) else {}
    if options.get("auth_type") in ("none", "noauth") and not (
        options.get("endpoint") or images.get("cloud")
    ):
        yield "{}: auth_type {} needs endpoint (the URL of Glance)".format(
            text.path("images", "auth"), options["auth_type"]
        )
