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

import logging
import re
import sys

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in (
    "novadocker_releases",
    "novadocker_schema_driver",
    "novadocker_schema_glance",
    "novadocker_schema_text",
):
    sys.modules.pop(_name, None)
import novadocker_releases as releases  # noqa: E402
import novadocker_schema_driver as driver_rules  # noqa: E402
import novadocker_schema_glance as glance_rules  # noqa: E402
import novadocker_schema_text as text  # noqa: E402

log = logging.getLogger(__name__)

# How the rules speak (novadocker_schema_text), under the names the rules below use.
_ROOT, _WHITESPACE, _ABSPATH = text.ROOT, text.WHITESPACE, text.ABSPATH
_path, _got, _expected, _one_of, _suggest = (
    text.path,
    text.got,
    text.expected,
    text.one_of,
    text.suggest,
)
_line, _bool, _abspath, _abspath_or_empty = (
    text.line,
    text.boolean,
    text.abspath,
    text.abspath_or_empty,
)

_POSIX_NAME = re.compile(r"[a-z_][a-z0-9_-]*\$?")
_POSIX_NAME_MAX = 32
_DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", re.ASCII)
#: A pbr / PEP 440 release: 1.2.3, 0.0.1.dev273, 2.0.0.0rc1, 1!2.0.post1, 1.0+g1a2b3c.
_VERSION = re.compile(
    r"(?:\d+!)?\d+(?:\.\d+)*"
    r"(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
    r"(?:\+[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?",
    re.ASCII,
)
_API_VERSION = re.compile(r"\d+\.\d+", re.ASCII)
_FORMAT_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*", re.ASCII)

#: Seconds a timeout of the pillar may be (a day at most).
_MAX_SECONDS = 86400

_HOST_URL_SCHEMES = ("unix", "tcp", "http", "https")
#: ``[docker]`` options naming a TLS file the driver reads (from nova-compute's working
#: directory if relative, which the formula cannot check: absolute paths only).
_TLS_FILE_OPTIONS = ("ca_file", "cert_file", "key_file")


# -- leaf rules --------------------------------------------------------------------------------
#
# Each rule is ``rule(value, path, ctx)`` and yields problem strings; ``ctx`` holds the release
# tables and the cross-key facts of the pillar being validated.


def _abspath_list(value, path, ctx, allow_empty=False):
    accepted = ("a list" if allow_empty else "a non-empty list") + " of absolute paths"
    if not isinstance(value, list) or (not value and not allow_empty):
        yield _expected(path, accepted, value)
        return
    for idx, item in enumerate(value):
        yield from _abspath(item, "{}:{}".format(path, idx), ctx)


def _abspath_list_or_empty(value, path, ctx):
    return _abspath_list(value, path, ctx, allow_empty=True)


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


def _list_of(value, path, accepted, item_problems):
    """Problems of a list whose items ``item_problems(item, item_path)`` judges."""
    if not isinstance(value, list):
        yield _expected(path, accepted, value)
        return
    for idx, item in enumerate(value):
        yield from item_problems(item, "{}:{}".format(path, idx))


def _driver_release(value, path, ctx):
    if value not in ctx["driver_releases"]:
        yield _expected(
            path, "a nova-docker release: one of " + _one_of(ctx["driver_releases"]), value
        )


def _glance_release(value, path, ctx):
    if value in ctx["glance_releases"] or ctx["glance_version"](value)[0]:
        return
    if ctx["glance_explicit"] and isinstance(value, str) and _POSIX_NAME.fullmatch(value):
        return  # a release the formula does not know, with its facts given in pillar
    yield _expected(
        path,
        "an OpenStack release: one of {}; or Glance's version number, such as '33' or "
        "'33.0.0' (glance-api --version; a newer one is read as {}); or any release name "
        "with image:container_formats_section and image:default_container_formats "
        "set".format(_one_of(ctx["glance_releases"]), ctx["glance_releases"][-1]),
        value,
    )


def _section_name(value, path, ctx):
    if value not in ("",) + ctx["glance_sections"]:
        yield _expected(
            path,
            "'' (the release's) or the section Glance reads container_formats from: "
            + _one_of(ctx["glance_sections"]),
            value,
        )


def _format_name(item, path):
    if not (isinstance(item, str) and _FORMAT_NAME.fullmatch(item)):
        yield _expected(path, "a container format name", item)


def _format_names(value, path, ctx):
    """image:default_container_formats: any format names (a newer Glance may know more)."""
    accepted = "[] (the release's) or a list of container format names like bare, docker"
    return _list_of(value, path, accepted, _format_name)


def _version(value, path, ctx):
    if value != "" and not (isinstance(value, str) and _VERSION.fullmatch(value)):
        yield _expected(path, "'' or a pbr version like 1.2.3 or 0.0.1.dev273 (PEP 440)", value)


def _api_version(value, path, ctx):
    if value != "" and not (isinstance(value, str) and _API_VERSION.fullmatch(value)):
        yield _expected(
            path, "'' or a Docker API version <major>.<minor> like '1.19' (quoted)", value
        )


def _seconds(value, path, ctx):
    accepted = "a number of seconds, more than 0 and at most {}".format(_MAX_SECONDS)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        yield _expected(path, accepted, value)
    elif not 0 < value <= _MAX_SECONDS:
        yield "{}: expected {}; got {!r}".format(path, accepted, value)


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
    if option in _TLS_FILE_OPTIONS:
        yield from _abspath(value, path, None, allow_empty=True)
    elif option == "host_url":
        scheme, sep, rest = value.partition("://")
        accepted = "a Docker URL with scheme " + _one_of(s + "://" for s in _HOST_URL_SCHEMES)
        if not sep or scheme not in _HOST_URL_SCHEMES or not rest:
            yield _expected(path, accepted, value)
        elif scheme == "unix" and not rest.startswith("/"):
            yield _expected(path, accepted + "; unix:// needs an absolute socket path", value)


def _docker_url(value, path, ctx):
    yield from _docker_option_value("host_url", "str", value, path)


# -- the schema --------------------------------------------------------------------------------

#: Every key of pillar:novadocker (the keys of defaults.yaml ``values``): a nested dict for a
#: section, ``(rule, description)`` for a leaf.
_SCHEMA = {
    "root": (_abspath_or_empty, "'' or an absolute path: the node's file-system prefix"),
    "state_dir": (_abspath, _ABSPATH),
    "lock_timeout": (_seconds, "seconds a run waits for another run of the formula"),
    "unsafe_skip_readiness_gates": (_bool, "true or false"),
    "compute": {
        "enabled": (_bool, "true or false"),
        "nova_conf": (_abspath, _ABSPATH),
        "config_files": (_abspath_list, "a non-empty list of absolute paths, in read order"),
        "config_dirs": (_abspath_list_or_empty, "a list of absolute paths of directories"),
        "config_dirs_first": (_bool, "true or false"),
        "compute_driver": (_dotted_path, "a dotted Python path"),
        "docker": (_docker_options, "[docker] options of the selected driver:release"),
        "rootwrap_dir": (_abspath, _ABSPATH),
        "user": (_posix_name, "a POSIX user name"),
        "socket_group": (_posix_name, "a POSIX group name"),
        "service": (_service, "a service name, or false to leave it alone"),
        "unsafe_unverified_tls": (_bool, "true or false"),
        "unsafe_plain_tcp": (_bool, "true or false"),
    },
    "driver": {
        "release": (_driver_release, "a nova-docker release"),
        "source": (driver_rules.source, "'' or a URL (https, http, salt, file)"),
        "source_username": (driver_rules.source_username, "'' or the user for an http(s) source"),
        "source_password": (driver_rules.source_password, "'' or the http(s) source's password"),
        "source_hash": (driver_rules.source_hash, "'' or sha256=<64 hex digits>"),
        "download_timeout": (_seconds, "seconds for the whole download"),
        "unsafe_skip_source_hash": (_bool, "true or false"),
        "version": (_version, "'' or a pbr version like 1.2.3 or 0.0.1.dev273"),
        "python": (_abspath, _ABSPATH),
        "pip_args": (driver_rules.pip_args, "a list of pip install options (PIP_OPTIONS)"),
        "wheelhouse": (
            driver_rules.wheelhouse,
            "'' or a folder of wheels (salt://, file://, a path)",
        ),
        "api_version": (_api_version, "'' or a Docker API version like '1.19'"),
    },
    "image": {
        "enabled": (_bool, "true or false"),
        "release": (_glance_release, "an OpenStack release or Glance's version number"),
        "container_formats_section": (_section_name, "'', image_format or DEFAULT"),
        "default_container_formats": (_format_names, "[] or a list of container formats"),
        "glance_api_conf": (_abspath, _ABSPATH),
        "container_formats": (_container_formats, "a non-empty list of container formats"),
        "service": (_service, "a service name, or false to leave it alone"),
        "api": {
            "verify": (_bool, "true or false"),
            "url": (glance_rules.http_url, "the http(s) URL of glance-api on this node"),
            **glance_rules.CREDENTIALS,
            "wait": (glance_rules.wait, "a number of seconds >= 0"),
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
        **glance_rules.CREDENTIALS,
        "region": (glance_rules.optional_line, "'' or a region name"),
        "interface": (glance_rules.interface, "'' or public, internal, admin"),
        "upload_timeout": (glance_rules.seconds, "a number of seconds > 0"),
        "visibility": (glance_rules.visibility, "one of " + _one_of(glance_rules.VISIBILITIES)),
        "publish": (glance_rules.publish, "a list of images: name, visibility, properties"),
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


def _chain_checks(data, ctx):
    """compute:nova_conf is one of the files nova-compute reads (compute:config_files)."""
    nova_conf = _fallback(data, ctx["defaults"], "compute", "nova_conf")
    files = _fallback(data, ctx["defaults"], "compute", "config_files")
    if list(_abspath(nova_conf, "", ctx)) or list(_abspath_list(files, "", ctx)):
        return  # the key's own rule says what is wrong with it
    if nova_conf not in files:
        yield _expected(
            _path("compute", "nova_conf"),
            "one of compute:config_files (the files nova-compute reads: {})".format(
                _one_of(files) if files else "none"
            ),
            nova_conf,
        )


def _cross_checks(data, ctx):
    """Rules that tie several keys together."""
    yield from glance_rules.credential_problems(
        _section(data, "images"), _fallback(data, ctx["defaults"], "images", "enabled") is True
    )
    yield from _chain_checks(data, ctx)
    driver = _section(data, "driver")
    yield from driver_rules.credential_problems(driver)
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
        "glance_version": releases.glance_version,
        "glance_sections": tuple(releases.GLANCE_SECTIONS),
        # Both facts of the Glance release given in pillar: any release name is accepted.
        "glance_explicit": bool(
            _fallback(data, defaults, "image", "container_formats_section")
            and _fallback(data, defaults, "image", "default_container_formats")
        ),
        "container_formats": tuple(releases.container_formats()),
        # None when driver:release is itself invalid: options are then checked against
        # every release's.
        "release": release if release in driver_releases else None,
    }


# -- public ------------------------------------------------------------------------------------

#: The pip options ``driver:pip_args`` accepts (``novadocker_schema_driver``).
PIP_OPTIONS, PIP_SHORT = driver_rules.PIP_OPTIONS, driver_rules.PIP_SHORT


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
