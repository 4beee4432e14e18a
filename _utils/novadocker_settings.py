"""
The formula's settings (the map), computed in one place for every module type.

Parameters are merged in this order::

    parameters/defaults.yaml < parameters/os_family/<os_family>.yaml < pillar:novadocker

(mappings merge, everything else replaces), then validated (``novadocker_schema``) and
completed with what the states derive from them (:py:func:`compute`): paths under ``root``,
the records (``novadocker_records``), the release facts (``novadocker_releases``), the Docker
URL and socket, and the nova.conf keys the formula owns.

Where the parameters come from:

* the states read the two YAML files from the file server (``novadocker.defaults``, through
  ``map.jinja`` and ``novadocker.settings``), and every such read leaves a copy of the merged
  parameters in the minion's cache (:py:func:`keep_copy`);
* the node reports, the grain and the beacon read that copy (:py:func:`read_copy`): they see
  the parameters the last state run used, without a file client. The grain, which cannot ask
  the file server, reports nothing the parameters decide until a first run left the copy.

Pure: no Salt dunders (the caller passes the cache directory, the pillar and the YAML text).
"""

import copy
import os
import re
import sys

import salt.utils.yaml

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in (
    "novadocker_files",
    "novadocker_glance_api",
    "novadocker_records",
    "novadocker_releases",
    "novadocker_schema",
    "novadocker_secrets",
):
    sys.modules.pop(_name, None)
import novadocker_files as files  # noqa: E402
import novadocker_glance_api as glance_api  # noqa: E402
import novadocker_records as records  # noqa: E402
import novadocker_releases as releases  # noqa: E402
import novadocker_schema as schema  # noqa: E402
import novadocker_secrets as secrets  # noqa: E402


def parameters(text):
    """The ``values`` mapping of a parameters YAML file's text; ``{}`` for an empty one."""
    if not text:
        return {}
    data = salt.utils.yaml.safe_load(text) or {}
    values = data.get("values", {}) if isinstance(data, dict) else {}
    return values if isinstance(values, dict) else {}


def merge(base, over):
    """Deep-merge ``over`` into a copy of ``base``: dicts merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in (over or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def prefixed(root, path):
    """The absolute path of the absolute ``path`` under ``root``: ``''``, ``/``, ``//`` are
    the real root, a trailing slash changes nothing, and a run of slashes counts as one (a
    managed path is never relative to the working directory)."""
    joined = "/" + (root or "").strip("/") + "/" + path.lstrip("/")
    return re.sub("/{2,}", "/", joined)


# -- the copy of the parameters in the minion cache -------------------------------------------


def copy_path(cachedir, tplroot="novadocker", saltenv=None, os_family=""):
    """Where the parameters a state run read are kept on the minion (one file per formula
    name, saltenv and os_family)."""
    name = "defaults.{}.{}.{}.json".format(tplroot, saltenv or "base", os_family or "")
    return os.path.join(cachedir, "novadocker", name)


def read_copy(path):
    """The parameters kept at ``path``; ``None`` when there are none (or they are damaged)."""
    try:
        data = files.read_json(path)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_parameters(path):
    """The parameters a state run kept at ``path`` (:py:func:`read_copy`); ``None`` as well
    when an older formula kept them (they lack a section this one needs: the file server is
    read instead, and the next state run keeps a new copy)."""
    data = read_copy(path)
    if data is None or not isinstance(data.get("images"), dict):
        return None
    return data if isinstance(data.get("image"), dict) and "api" in data["image"] else None


def keep_copy(path, merged):
    """Keep ``merged`` at ``path`` for the reports, the grain and the beacon: written only when
    it changed, atomically, readable by root alone. Best effort: ``False`` when it could not be
    written."""
    if read_copy(path) == merged:
        return True
    try:
        files.write_private_json(path, merged)
    except OSError:
        return False
    return True


# -- the settings ------------------------------------------------------------------------------


def compute(base, raw):
    """The settings for parameters ``base`` and pillar ``raw`` (``pillar:novadocker``).

    The result is ``base`` merged with ``raw`` plus:

    ``valid`` / ``errors``
        the pillar validation; when it fails, the settings are the defaults alone so that the
        formula renders nothing but the failing validation state.
    ``paths``
        every file the formula manages, prefixed with ``root``.
    ``records`` / ``restart_marker``
        the formula's records (``novadocker_records.paths``) and each role's restart marker
        (``None`` when the role's service is left alone).
    ``driver_release`` / ``api_version`` / ``glance``
        release facts for the selected driver and Glance releases.
    ``docker_url`` / ``socket``
        where the driver reaches dockerd, and the unix socket path if any.
    ``nova_options``
        the nova.conf keys the formula owns, section by section (``compute_driver`` as pillar
        gives it: what nova loads is decided on the node, see ``novadocker_nova``).
    ``nova_chain``
        the files nova-compute reads (``files``, ``dirs``, ``dirs_first``), root-prefixed.
    ``images:publish``
        each entry completed: ``name``, ``visibility`` (``images:visibility`` when it gives
        none), ``properties`` (``{}``).
    ``access``
        the credentials of each Glance client: ``images`` (publishing) and ``image_api``
        (the image role's live schema), as ``novadocker_glance_api`` takes them.
    """
    errors = schema.validate({} if raw is None else raw, base)
    merged = merge(base, raw) if not errors and isinstance(raw, dict) else copy.deepcopy(base)
    merged["valid"] = not errors
    merged["errors"] = errors
    # The password is read from pillar by the driver state itself: the settings (printed by
    # novadocker.settings, rendered into the SLS) only say whether there is one.
    if merged["driver"].get("source_password"):
        merged["driver"]["source_password"] = secrets.MASK

    root = merged["root"]
    compute_, driver, image = merged["compute"], merged["driver"], merged["image"]
    release = releases.driver_release(driver["release"])
    merged["driver_release"] = release
    merged["api_version"] = str(driver["api_version"] or release["api_version"])
    merged["glance"] = releases.glance_release(
        image["release"],
        image["container_formats_section"] or None,
        image["default_container_formats"] or None,
    )

    # [docker] options: the defaults' host_url is dropped for a release that does not know it
    # (icehouse hard-codes the socket path); anything pillar set was validated against the
    # release already.
    pillar_docker = ((raw or {}).get("compute") or {}).get("docker") or {} if not errors else {}
    docker_opts = {
        k: v for k, v in compute_["docker"].items() if k in release["options"] or k in pillar_docker
    }
    compute_["docker"] = docker_opts
    url = merged["docker_url"] = docker_opts.get("host_url", releases.DEFAULT_HOST_URL)
    merged["socket"] = url[len("unix://") :] if url.startswith("unix://") else None
    merged["nova_options"] = {"DEFAULT": {"compute_driver": compute_["compute_driver"]}}
    if docker_opts:
        merged["nova_options"]["docker"] = docker_opts

    merged["nova_chain"] = {
        "files": [prefixed(root, p) for p in compute_["config_files"]],
        "dirs": [prefixed(root, p) for p in compute_["config_dirs"]],
        "dirs_first": bool(compute_["config_dirs_first"]),
    }

    state_dir = prefixed(root, merged["state_dir"])
    rootwrap_dir = prefixed(root, compute_["rootwrap_dir"])
    merged["paths"] = {
        "nova_conf": prefixed(root, compute_["nova_conf"]),
        "rootwrap_dir": rootwrap_dir,
        "rootwrap_filter": os.path.join(rootwrap_dir, "docker.filters"),
        "glance_api_conf": prefixed(root, image["glance_api_conf"]),
        "daemon_json": prefixed(root, merged["runtime"]["daemon_json"]),
        "state_dir": state_dir,
    }
    images = merged["images"]
    images["publish"] = [
        {
            "name": entry["name"],
            "visibility": entry.get("visibility", images["visibility"]),
            "properties": dict(entry.get("properties") or {}),
        }
        for entry in images["publish"]
    ]
    keys = ("cloud", "clouds_yaml", "auth", "region", "interface", "timeout")
    merged["access"] = {
        "images": {key: images[key] for key in keys},
        "image_api": {key: image["api"].get(key, "") for key in keys},
    }
    merged["records"] = records.paths(state_dir)
    # Where a killed run may have left a temporary file of the formula (removed by the next
    # run or clean, once it holds the lock).
    # (A directory stands for every temporary file of the formula in it.)
    merged["stray_paths"] = sorted(
        set(
            [merged["paths"][k] for k in ("nova_conf", "rootwrap_filter", "glance_api_conf")]
            + merged["nova_chain"]["files"]
            + merged["nova_chain"]["dirs"]
            + list(merged["records"].values())
        )
    )
    merged["restart_marker"] = {
        role: merged["records"]["{}_restart".format(role)] if merged[role]["service"] else None
        for role in ("compute", "image")
    }
    return merged


def redacted(settings):
    """A copy of ``settings`` whose credentials (``images:auth``, ``image:api:auth`` and their
    copies under ``access``) show :py:data:`novadocker_glance_api.REDACTED` for every secret:
    what ``novadocker.settings`` prints."""
    out = copy.deepcopy(settings)
    for section in (out.get("images"), (out.get("image") or {}).get("api")) + tuple(
        (out.get("access") or {}).values()
    ):
        if isinstance(section, dict) and "auth" in section:
            section["auth"] = glance_api.redact(section["auth"])
    return out


#: The settings ``novadocker_nova.view`` reads: where nova-compute's config chain is, nova's
#: interpreter, the driver spelling pillar asks for, the daemon URL. Paths and names only: no
#: secret is ever among them.
_VIEW_KEYS = {
    "root": None,
    "paths": ("nova_conf",),
    "nova_chain": None,
    "driver": ("python",),
    "compute": ("compute_driver",),
    "docker_url": None,
}


def view_path(cachedir):
    """Where the last state run keeps the settings the grain judges the node by."""
    return os.path.join(cachedir, "novadocker", "node-view.json")


def view_inputs(settings):
    """The part of ``settings`` that ``novadocker_nova.view`` reads (see :py:data:`_VIEW_KEYS`)."""
    out = {}
    for key, sub in _VIEW_KEYS.items():
        out[key] = {k: settings[key][k] for k in sub} if sub else copy.deepcopy(settings[key])
    return out


def keep_view(cachedir, settings):
    """Keep :py:func:`view_inputs` of a state run's settings for the grain (which sees no pillar
    when it is computed); written when it changed. ``False`` when it could not be written."""
    return keep_copy(view_path(cachedir), view_inputs(settings))


def read_view(cachedir):
    """The settings the last state run kept for the grain; ``None`` before the first run."""
    return read_copy(view_path(cachedir))
