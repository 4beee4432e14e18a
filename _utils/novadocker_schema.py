"""
Validation of the whole ``novadocker`` pillar, reporting every problem at once.

:py:func:`validate` walks the raw ``pillar:novadocker`` value against the formula's schema (the
keys of ``novadocker/parameters/defaults.yaml``, each with its rule) and returns one message per
problem. Each message names the key path (``novadocker:compute:docker:privileged``), what is
accepted and the bad value, so that a run can stop before touching nova.conf with a list a
human can fix in one go. The ``novadocker`` execution module exposes it as
``novadocker.validate_pillar`` and :py:func:`describe` as ``novadocker.schema``.

Release knowledge (driver releases and the ``[docker]`` options each registers, Glance
releases, container formats) is never duplicated here: it is read from ``novadocker_releases``.

Pure: no Salt dunders.
"""

import difflib
import logging
import re
import sys
import urllib.parse

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_glance_api", "novadocker_releases"):
    sys.modules.pop(_name, None)
import novadocker_glance_api as glance_api  # noqa: E402
import novadocker_releases as releases  # noqa: E402

log = logging.getLogger(__name__)

#: The pillar's name, the first component of every reported key path.
_ROOT = "novadocker"

#: Characters that end a line for ``str.splitlines`` (what INI readers and editors split on),
#: plus NUL. None of them may reach nova.conf, glance-api.conf or a path.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00]")
_WHITESPACE = re.compile(r"\s")

_POSIX_NAME = re.compile(r"[a-z_][a-z0-9_-]*\$?")
_POSIX_NAME_MAX = 32
_DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", re.ASCII)
_SHA256 = re.compile(r"sha256=[0-9a-fA-F]{64}")
#: A pbr / PEP 440 release: 1.2.3, 0.0.1.dev273, 2.0.0.0rc1, 1!2.0.post1, 1.0+g1a2b3c.
_VERSION = re.compile(
    r"(?:\d+!)?\d+(?:\.\d+)*"
    r"(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
    r"(?:\+[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?",
    re.ASCII,
)
_API_VERSION = re.compile(r"\d+\.\d+", re.ASCII)

_SOURCE_SCHEMES = ("https", "http", "salt", "file")
_HOST_URL_SCHEMES = ("unix", "tcp", "http", "https")

_ABSPATH = "an absolute path (starting with /, without '..' components or line breaks)"

#: A Docker image reference without digest: [registry[:port]/]path[:tag], as Docker parses it.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOCKER_NAME = re.compile(
    r"(?:[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?/)?{c}(?:/{c})*(?::\w[\w.-]{{0,127}})?".format(
        c=_COMPONENT
    ),
    re.ASCII,
)
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_:.-]{0,254}", re.ASCII)
_AUTH_OPTION = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_VISIBILITIES = ("public", "private", "shared", "community")
_INTERFACES = ("public", "internal", "admin")
_PUBLISH_KEYS = ("name", "visibility", "properties")
_NO_ECHO = "the value is not shown: credentials are never echoed"


# -- messages ----------------------------------------------------------------------------------


def _path(*keys):
    return ":".join(str(key) for key in (_ROOT,) + keys)


def _got(value):
    """``repr(value)``, with a hint when YAML turned an unquoted scalar into a non-string."""
    if isinstance(value, bool):
        return "{!r} (a boolean)".format(value)
    if isinstance(value, (int, float)):
        return "{!r} (a number; quote it in YAML)".format(value)
    if value is None:
        return "None (an empty value)"
    return repr(value)


def _expected(path, accepted, value):
    return "{}: expected {}; got {}".format(path, accepted, _got(value))


def _one_of(values):
    return ", ".join(str(value) for value in values)


def _suggest(word, candidates):
    """`` (did you mean 'x'?)`` for the closest candidate, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1)
    return " (did you mean {!r}?)".format(close[0]) if close else ""


# -- leaf rules --------------------------------------------------------------------------------
#
# Each rule is ``rule(value, path, ctx)`` and yields problem strings; ``ctx`` holds the release
# tables and the cross-key facts of the pillar being validated.


def _line(value, path, accepted):
    """Problems for a value that must be a single-line string."""
    if not isinstance(value, str):
        return [_expected(path, accepted, value)]
    if _LINE_BREAK.search(value):
        return [_expected(path, accepted + " on a single line (no line breaks or NUL)", value)]
    return []


def _bool(value, path, ctx):
    if not isinstance(value, bool):
        yield _expected(path, "true or false", value)


def _abspath(value, path, ctx, allow_empty=False):
    accepted = ("'' or " if allow_empty else "") + _ABSPATH
    if allow_empty and value == "":
        return
    if not isinstance(value, str) or _LINE_BREAK.search(value) or not value.startswith("/"):
        yield _expected(path, accepted, value)
    elif ".." in value.split("/"):
        yield _expected(path, accepted + "; '..' components are refused", value)


def _abspath_or_empty(value, path, ctx):
    return _abspath(value, path, ctx, allow_empty=True)


def _name(value, path, ctx):
    """A package or unit name: non-empty, one word."""
    accepted = "a non-empty name without whitespace"
    if not isinstance(value, str) or not value or _WHITESPACE.search(value) or "\x00" in value:
        yield _expected(path, accepted, value)


def _service(value, path, ctx):
    if value is False:
        return
    accepted = "a service name (non-empty, without whitespace) or false to leave it alone"
    if not isinstance(value, str) or not value or _WHITESPACE.search(value) or "\x00" in value:
        yield _expected(path, accepted, value)


def _posix_name(value, path, ctx):
    accepted = "a POSIX user or group name ([a-z_][a-z0-9_-]*, at most {} characters)"
    accepted = accepted.format(_POSIX_NAME_MAX)
    if (
        not isinstance(value, str)
        or len(value) > _POSIX_NAME_MAX
        or not _POSIX_NAME.fullmatch(value)
    ):
        yield _expected(path, accepted, value)


def _dotted_path(value, path, ctx):
    accepted = "a dotted Python path like novadocker.virt.docker.DockerDriver"
    if not isinstance(value, str) or not _DOTTED_PATH.fullmatch(value):
        yield _expected(path, accepted, value)


def _string_list(value, path, ctx):
    accepted = "a list of strings"
    if not isinstance(value, list):
        yield _expected(path, accepted, value)
        return
    for idx, item in enumerate(value):
        yield from _line(item, "{}:{}".format(path, idx), "a string")


def _driver_release(value, path, ctx):
    if value not in ctx["driver_releases"]:
        yield _expected(
            path, "a nova-docker release: one of " + _one_of(ctx["driver_releases"]), value
        )


def _glance_release(value, path, ctx):
    if value not in ctx["glance_releases"]:
        yield _expected(
            path, "an OpenStack release: one of " + _one_of(ctx["glance_releases"]), value
        )


def _source(value, path, ctx):
    accepted = "'' or a URL with scheme " + _one_of(_SOURCE_SCHEMES)
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
    if scheme not in _SOURCE_SCHEMES:
        yield _expected(path, accepted, value)
    elif scheme in ("http", "https") and not parts.hostname:
        yield _expected(path, accepted + "; http(s) URLs need a host", value)
    elif scheme == "salt" and not (parts.netloc + parts.path).strip("/"):
        yield _expected(path, accepted + "; salt:// URLs need a file path", value)
    elif scheme == "file" and (
        parts.netloc not in ("", "localhost") or not parts.path.startswith("/")
    ):
        yield _expected(path, accepted + "; file URLs look like file:///abs/path", value)


def _source_hash(value, path, ctx):
    if value != "" and not (isinstance(value, str) and _SHA256.fullmatch(value)):
        yield _expected(path, "'' or sha256=<64 hex digits>", value)


def _version(value, path, ctx):
    if value != "" and not (isinstance(value, str) and _VERSION.fullmatch(value)):
        yield _expected(path, "'' or a pbr version like 1.2.3 or 0.0.1.dev273 (PEP 440)", value)


def _api_version(value, path, ctx):
    if value != "" and not (isinstance(value, str) and _API_VERSION.fullmatch(value)):
        yield _expected(
            path, "'' or a Docker API version <major>.<minor> like '1.19' (quoted)", value
        )


def _container_formats(value, path, ctx):
    known = ctx["container_formats"]
    accepted = "a non-empty list of container formats out of " + _one_of(known)
    if not isinstance(value, list) or not value:
        yield _expected(path, accepted, value)
        return
    for idx, item in enumerate(value):
        if item not in known:
            yield _expected("{}:{}".format(path, idx), "one of " + _one_of(known), item)


def _json_value(value, path):
    """Problems for anything that cannot go into daemon.json as it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield "{}: expected string keys (JSON object); got key {}".format(path, _got(key))
            else:
                yield from _json_value(item, "{}:{}".format(path, key))
    elif isinstance(value, list):
        for idx, item in enumerate(value):
            yield from _json_value(item, "{}:{}".format(path, idx))
    elif value is not None and not isinstance(value, (str, bool, int, float)):
        yield _expected(path, "a JSON value (string, number, boolean, list, mapping)", value)


def _daemon_config(value, path, ctx):
    if not isinstance(value, dict):
        yield _expected(path, "a mapping (the content of Docker's daemon.json)", value)
        return
    yield from _json_value(value, path)


def _tofs(value, path, ctx):
    """``tofs``: the TOFS overrides libtofs.jinja reads (path_prefix, files_switch,
    source_files, dirs)."""
    accepted = ("path_prefix", "files_switch", "source_files", "dirs")
    if not isinstance(value, dict):
        yield _expected(path, "a mapping with keys " + _one_of(accepted), value)
        return
    for key, item in value.items():
        kpath = "{}:{}".format(path, key)
        if key not in accepted:
            yield "{}: unknown key {!r}{}; accepted keys: {}".format(
                kpath, key, _suggest(key, accepted), _one_of(accepted)
            )
        elif key == "path_prefix" and not (isinstance(item, str) and item):
            yield _expected(kpath, "a non-empty string (a folder on the file server)", item)
        elif key == "files_switch" and not (
            isinstance(item, list) and all(isinstance(i, str) and i for i in item)
        ):
            yield _expected(kpath, "a list of grain or pillar names, such as [id, os_family]", item)
        elif key in ("source_files", "dirs") and not (
            isinstance(item, dict)
            and all(
                isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
                for v in item.values()
            )
        ):
            yield _expected(kpath, "a mapping of state IDs to a list of file names", item)


def _docker_options(value, path, ctx):
    """``compute:docker``: the ``[docker]`` options of nova.conf, per the selected release."""
    every = ctx["options"]
    release = ctx["release"]
    known = ctx["release_options"].get(release, every)
    if not isinstance(value, dict):
        yield _expected(
            path, "a mapping of [docker] options out of " + _one_of(sorted(known)), value
        )
        return
    for option, setting in value.items():
        opath = "{}:{}".format(path, option)
        since = ctx["option_since"](option) if isinstance(option, str) else None
        if since is None:
            yield "{}: unknown [docker] option {!r}{}; accepted{}: {}".format(
                opath,
                option,
                _suggest(option, every),
                " for driver:release " + release if release else "",
                _one_of(sorted(known)),
            )
            continue
        if option not in known:
            yield (
                "{}: the [docker] option {!r} was introduced in {}; driver:release {} "
                "does not know it (select {} or later, or drop the option); accepted for "
                "{}: {}".format(
                    opath, option, since, release, since, release, _one_of(sorted(known))
                )
            )
        yield from _docker_option_value(option, every[option]["type"], setting, opath)


def _docker_option_value(option, kind, value, path):
    if kind == "bool":
        if not isinstance(value, bool):
            yield _expected(path, "true or false", value)
        return
    problems = _line(value, path, "a string")
    if problems:
        yield from problems
        return
    if option == "host_url":
        scheme, sep, rest = value.partition("://")
        accepted = "a Docker URL with scheme " + _one_of(s + "://" for s in _HOST_URL_SCHEMES)
        if not sep or scheme not in _HOST_URL_SCHEMES or not rest:
            yield _expected(path, accepted, value)
        elif scheme == "unix" and not rest.startswith("/"):
            yield _expected(path, accepted + "; unix:// needs an absolute socket path", value)


def _kind(value):
    """What ``value`` is, without showing it (for values that may be secrets)."""
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "an empty value"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _optional_line(value, path, ctx):
    if value != "":
        yield from _line(value, path, "'' or a name on a single line")


def _optional_abspath(value, path, ctx):
    return _abspath(value, path, ctx, allow_empty=True)


def _seconds(value, path, ctx):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        yield _expected(path, "a number of seconds > 0", value)


def _wait(value, path, ctx):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        yield _expected(path, "a number of seconds >= 0", value)


def _interface(value, path, ctx):
    if value not in ("",) + _INTERFACES:
        yield _expected(path, "'' or one of " + _one_of(_INTERFACES), value)


def _http_url(value, path, ctx):
    accepted = "an http:// or https:// URL (glance-api on this node, e.g. http://127.0.0.1:9292)"
    if not isinstance(value, str) or _WHITESPACE.search(value):
        yield _expected(path, accepted, value)
        return
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        yield _expected(path, accepted, value)


def _docker_url(value, path, ctx):
    yield from _docker_option_value("host_url", "str", value, path)


def _auth(value, path, ctx):
    """keystoneauth options: never echoed (they hold passwords and secrets)."""
    accepted = "a mapping of keystoneauth options (auth_type, auth_url, username, password, ...)"
    if not isinstance(value, dict):
        yield "{}: expected {}; got {} ({})".format(path, accepted, _kind(value), _NO_ECHO)
        return
    for key, item in value.items():
        kpath = "{}:{}".format(path, key)
        if not isinstance(key, str) or not _AUTH_OPTION.fullmatch(key):
            yield "{}: expected option names like auth_url or password; got {!r}".format(path, key)
        elif key == "auth_type" and not (isinstance(item, str) and _AUTH_OPTION.fullmatch(item)):
            yield _expected(kpath, "a keystoneauth plugin name like password or none", item)
        elif (
            isinstance(item, (dict, list))
            or item is None
            or (isinstance(item, str) and _LINE_BREAK.search(item))
        ):
            yield "{}: expected a string, number or boolean on one line; got {} ({})".format(
                kpath, _kind(item), _NO_ECHO
            )


def _properties(value, path, ctx):
    accepted = "a mapping of Glance image properties to strings"
    if not isinstance(value, dict):
        yield _expected(path, accepted, value)
        return
    for key, item in value.items():
        kpath = "{}:{}".format(path, key)
        if not isinstance(key, str) or not _PROPERTY_NAME.fullmatch(key):
            yield _expected(kpath, "a property name ([A-Za-z0-9_:.-], at most 255)", key)
        elif key in glance_api.RESERVED_PROPERTIES or key.startswith("os_glance"):
            yield "{}: {!r} is Glance's or the formula's own attribute; choose another".format(
                kpath, key
            )
        else:
            yield from _line(item, kpath, "a string (quote numbers and booleans in YAML)")


def _visibility(value, path, ctx):
    if value not in _VISIBILITIES:
        yield _expected(path, "one of " + _one_of(_VISIBILITIES), value)


def _publish(value, path, ctx):
    accepted = "a list of images, each a mapping with keys " + _one_of(_PUBLISH_KEYS)
    if not isinstance(value, list):
        yield _expected(path, accepted, value)
        return
    seen = {}
    for idx, entry in enumerate(value):
        epath = "{}:{}".format(path, idx)
        if not isinstance(entry, dict):
            yield _expected(epath, "a mapping with keys " + _one_of(_PUBLISH_KEYS), entry)
            continue
        for key in entry:
            if key not in _PUBLISH_KEYS:
                yield "{}:{}: unknown key {!r}{}; accepted keys: {}".format(
                    epath, key, key, _suggest(key, _PUBLISH_KEYS), _one_of(_PUBLISH_KEYS)
                )
        name = entry.get("name")
        accepted = "the image's name in Docker, e.g. busybox or registry:5000/team/app:1.2"
        if not isinstance(name, str) or len(name) > 255 or not _DOCKER_NAME.fullmatch(name):
            yield _expected(epath + ":name", accepted, name)
        elif name in seen:
            yield "{}:name: {!r} is published twice (also {}:{})".format(
                epath, name, path, seen[name]
            )
        else:
            seen[name] = idx
        if "visibility" in entry:
            yield from _visibility(entry["visibility"], epath + ":visibility", ctx)
        if "properties" in entry:
            yield from _properties(entry["properties"], epath + ":properties", ctx)


# -- the schema --------------------------------------------------------------------------------

#: How a Glance client of the formula logs in (image:api and images): openstacksdk's way.
_CREDENTIALS = {
    "cloud": (_optional_line, "'' or the name of a clouds.yaml entry"),
    "clouds_yaml": (_optional_abspath, "'' or " + _ABSPATH),
    "auth": (_auth, "keystoneauth options (never echoed)"),
    "timeout": (_seconds, "a number of seconds > 0 for one request"),
}

#: Every key of pillar:novadocker (the keys of defaults.yaml ``values``): a nested dict for a
#: section, ``(rule, description)`` for a leaf.
_SCHEMA = {
    "root": (_abspath_or_empty, "'' or an absolute path: the node's file-system prefix"),
    "state_dir": (_abspath, _ABSPATH),
    "unsafe_skip_readiness_gates": (_bool, "true or false"),
    "compute": {
        "enabled": (_bool, "true or false"),
        "nova_conf": (_abspath, _ABSPATH),
        "compute_driver": (_dotted_path, "a dotted Python path"),
        "docker": (_docker_options, "[docker] options of the selected driver:release"),
        "rootwrap_dir": (_abspath, _ABSPATH),
        "user": (_posix_name, "a POSIX user name"),
        "socket_group": (_posix_name, "a POSIX group name"),
        "service": (_service, "a service name, or false to leave it alone"),
    },
    "driver": {
        "release": (_driver_release, "a nova-docker release"),
        "source": (_source, "'' or a URL with scheme " + _one_of(_SOURCE_SCHEMES)),
        "source_hash": (_source_hash, "'' or sha256=<64 hex digits>"),
        "unsafe_skip_source_hash": (_bool, "true or false"),
        "version": (_version, "'' or a pbr version like 1.2.3 or 0.0.1.dev273"),
        "python": (_abspath, _ABSPATH),
        "pip_args": (_string_list, "a list of strings"),
        "api_version": (_api_version, "'' or a Docker API version like '1.19'"),
    },
    "image": {
        "enabled": (_bool, "true or false"),
        "release": (_glance_release, "an OpenStack release"),
        "glance_api_conf": (_abspath, _ABSPATH),
        "container_formats": (_container_formats, "a non-empty list of container formats"),
        "service": (_service, "a service name, or false to leave it alone"),
        "api": {
            "verify": (_bool, "true or false"),
            "url": (_http_url, "the http(s) URL of glance-api on this node"),
            **_CREDENTIALS,
            "wait": (_wait, "a number of seconds >= 0"),
        },
    },
    "runtime": {
        "manage": (_bool, "true or false"),
        "package": (_name, "a package name"),
        "service": (_name, "a service name"),
        "daemon_json": (_abspath, _ABSPATH),
        "daemon_config": (_daemon_config, "a mapping: Docker's daemon.json, free-form"),
    },
    "images": {
        "enabled": (_bool, "true or false"),
        "docker_host_url": (_docker_url, "a Docker URL (unix://, tcp://, http://, https://)"),
        **_CREDENTIALS,
        "region": (_optional_line, "'' or a region name"),
        "interface": (_interface, "'' or public, internal, admin"),
        "upload_timeout": (_seconds, "a number of seconds > 0"),
        "visibility": (_visibility, "one of " + _one_of(_VISIBILITIES)),
        "publish": (_publish, "a list of images: name, visibility, properties"),
    },
    "tofs": (_tofs, "TOFS overrides: path_prefix, files_switch, source_files, dirs"),
}


def _walk(value, schema, keys, ctx):
    path = _path(*keys)
    if not isinstance(value, dict):
        yield _expected(path, "a mapping with keys " + _one_of(schema), value)
        return
    for key, item in value.items():
        if key not in schema:
            yield "{}: unknown key {!r}{}; accepted keys: {}".format(
                _path(*keys, key), key, _suggest(key, schema), _one_of(schema)
            )
            continue
        sub = schema[key]
        if isinstance(sub, dict):
            yield from _walk(item, sub, keys + (key,), ctx)
        else:
            yield from sub[0](item, _path(*keys, key), ctx)


def _section(data, name):
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _fallback(data, defaults, section, key):
    """The pillar's ``section:key``, else the formula's default for it."""
    here = _section(data, section)
    return here[key] if key in here else _section(defaults, section).get(key)


def _credential_checks(data, ctx):
    """``images``: enabled needs credentials; ``auth_type: none`` needs Glance's
    ``endpoint``."""
    images = _section(data, "images")
    auth = images.get("auth") if isinstance(images.get("auth"), dict) else {}
    cloud = images.get("cloud", "")
    given = cloud or images.get("auth")  # a bad auth is reported by its own rule
    if _fallback(data, ctx["defaults"], "images", "enabled") is True and not given:
        yield (
            "{}: expected the name of a clouds.yaml entry, or keystoneauth options in "
            "novadocker:images:auth, because images:enabled is true; got neither".format(
                _path("images", "cloud")
            )
        )
    if auth.get("auth_type") in ("none", "noauth") and not (auth.get("endpoint") or cloud):
        yield "{}: auth_type {} needs endpoint (the URL of Glance)".format(
            _path("images", "auth"), auth["auth_type"]
        )


def _cross_checks(data, ctx):
    """Rules that tie several keys together."""
    yield from _credential_checks(data, ctx)
    driver = _section(data, "driver")
    source = driver.get("source", "")
    enabled = _fallback(data, ctx["defaults"], "compute", "enabled")
    if not (isinstance(source, str) and source and enabled is True):
        return
    why = "because driver:source is set and compute:enabled is true"
    if driver.get("source_hash", "") == "" and driver.get("unsafe_skip_source_hash") is not True:
        yield _expected(
            _path("driver", "source_hash"),
            "sha256=<64 hex digits> {} (or driver:unsafe_skip_source_hash: true)".format(why),
            driver.get("source_hash", ""),
        )
    if driver.get("version", "") == "":
        yield _expected(
            _path("driver", "version"),
            "the driver's pbr version like 1.2.3 or 0.0.1.dev273 {}".format(why),
            driver.get("version", ""),
        )


# -- the tables -------------------------------------------------------------------------------


def _context(data, defaults):
    """The release tables and the pillar's selected driver release."""
    driver_releases = releases.driver_releases()
    release = _fallback(data, defaults, "driver", "release")
    return {
        "defaults": defaults,
        "driver_releases": driver_releases,
        "release_options": {r: releases.driver_release(r)["options"] for r in driver_releases},
        "options": releases.docker_options(),
        "option_since": releases.option_since,
        "glance_releases": tuple(releases.glance_releases()),
        "container_formats": tuple(releases.container_formats()),
        # None when driver:release is itself invalid: options are then checked against
        # every release's.
        "release": release if release in driver_releases else None,
    }


# -- public ------------------------------------------------------------------------------------


def validate(data, defaults=None):
    """
    Validate the whole ``novadocker`` pillar and return every problem found.

    data
        The raw value of ``pillar:novadocker`` (``None`` when nothing is set, which is valid).

    defaults
        The formula's parameters (``values`` of parameters/defaults.yaml merged with the
        os_family file): what a key the pillar leaves unset falls back on in the rules that
        tie several keys together.

    Returns a list of messages, empty when the pillar is valid. Each message starts with the
    key path (``novadocker:compute:docker:privileged``) and says what is accepted and what
    was given; unknown keys come with a "did you mean" suggestion. ``[docker]`` options are
    checked against the options registered by the selected ``driver:release``.

    Reached as ``novadocker.validate_pillar``.
    """
    if data is None:
        return []
    if not isinstance(data, dict):
        return [_expected(_ROOT, "a mapping with keys " + _one_of(_SCHEMA), data)]
    ctx = _context(data, defaults if isinstance(defaults, dict) else {})
    problems = list(_walk(data, _SCHEMA, (), ctx))
    problems.extend(_cross_checks(data, ctx))
    return problems


def _describe(schema):
    return {key: _describe(sub) if isinstance(sub, dict) else sub[1] for key, sub in schema.items()}


def describe():
    """
    The tree of keys ``pillar:novadocker`` accepts, each leaf with what it accepts.

    ``compute:docker`` lists every ``[docker]`` option any driver release knows, with its type
    and the release that introduced it; ``runtime:daemon_config`` is free-form. Reached as
    ``novadocker.schema``.
    """
    tree = _describe(_SCHEMA)
    tree["compute"]["docker"] = {
        name: "{} (since {})".format(
            "true or false" if spec["type"] == "bool" else "a string", spec["since"]
        )
        for name, spec in releases.docker_options().items()
    }
    return tree
