"""
What nova-compute reads, as the novadocker formula judges it: the whole config chain, the
effective value of each key, and whether the node is switched to nova-docker's driver.

nova-compute reads several files, and oslo.config lets a later one override an earlier one
(research and sources: README, "What nova-compute reads"):

* ``compute:config_files``, in order (Ubuntu/Debian: ``nova.conf`` then the packaged
  ``nova-compute.conf``, which sets ``compute_driver=libvirt.LibvirtDriver``; RDO: the
  distribution's ``/usr/share/nova/nova-dist.conf`` first);
* ``compute:config_dirs``: every ``*.conf`` in each, in sorted order, after the files, or before
  them when ``compute:config_dirs_first`` is true (oslo.config's default ``nova.conf.d``
  directories when nova-compute gets explicit ``--config-file`` arguments, as on Debian).

A file of the chain that does not exist is skipped. :py:func:`chain` lists the files in the order
nova reads them, :py:func:`effective` the value of each key and the file it comes from,
:py:func:`view` the verdict the grain, the beacon, ``novadocker.check`` and the gates share, and
:py:func:`plan_switch` where each key the formula owns must be written to take effect: in the file
that wins today (the fewest bytes changed, and no new file nova-compute might not read), else,
for a key no file sets or one set only in a distribution file (under ``/usr``), in
``compute:nova_conf``.

Pure: no Salt dunders.
"""

import glob
import os
import sys

from salt.exceptions import CommandExecutionError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_ini", "novadocker_pyenv", "novadocker_releases"):
    sys.modules.pop(_name, None)
import novadocker_ini as ini  # noqa: E402
import novadocker_pyenv as pyenv  # noqa: E402
import novadocker_releases as releases  # noqa: E402

DRIVER_KEY = ("DEFAULT", "compute_driver")
HOST_URL_KEY = ("docker", "host_url")


def chain(settings):
    """The files nova-compute reads, in order: ``[{"path", "exists", "dir"}]`` (``dir`` is the
    config dir a file comes from, ``None`` for a config file). Missing config files are listed
    (``exists`` false) and skipped when reading; a missing dir contributes nothing."""
    nova = settings["nova_chain"]
    files = [{"path": p, "exists": os.path.isfile(p), "dir": None} for p in nova["files"]]
    dirs = []
    for folder in nova["dirs"]:
        for path in sorted(glob.glob(os.path.join(glob.escape(folder), "*.conf"))):
            dirs.append({"path": path, "exists": os.path.isfile(path), "dir": folder})
    return dirs + files if nova["dirs_first"] else files + dirs


def _read(entries):
    """``{path: Doc}`` of the existing files and ``{path: error}`` of those that cannot be
    read."""
    docs, errors = {}, {}
    for entry in entries:
        if not entry["exists"]:
            continue
        try:
            docs[entry["path"]] = ini.read(entry["path"])[2]
        except CommandExecutionError as exc:
            errors[entry["path"]] = str(exc)
    return docs, errors


def effective(settings, keys, entries=None, docs=None):
    """``{(section, key): {"value", "path"}}`` for each of ``keys``: the value nova reads (the
    last file of the chain setting it wins) and that file (``None`` for both when none sets
    it)."""
    entries = chain(settings) if entries is None else entries
    if docs is None:
        docs, _errors = _read(entries)
    found = {tuple(k): {"value": None, "path": None} for k in keys}
    for entry in entries:
        doc = docs.get(entry["path"])
        if doc is None:
            continue
        for section, key in found:
            value = ini.value(doc, section, key)
            if value is not None:
                found[(section, key)] = {"value": value, "path": entry["path"]}
    return found


def load_rule(settings):
    """How the nova in ``driver:python``'s environment loads ``compute_driver`` (from its
    version on disk, no process): ``"ns"``, ``"nova.virt"`` or ``None`` (nova not found)."""
    return releases.nova_load_rule(pyenv.nova_version_on_disk(settings["driver"]["python"]))


def view(settings):
    """How nova-compute reads this node's config: ``{"nova_conf", "files_read",
    "files_missing", "unreadable", "readable", "compute_driver", "compute_driver_from",
    "rule", "switched", "host_url", "docker_options"}``.

    ``switched`` is true when the effective ``compute_driver`` names nova-docker's driver in a
    spelling the installed nova accepts (every known spelling when nova's version is unknown);
    ``host_url`` is the daemon the driver talks to (the effective ``[docker] host_url``, else
    the settings'); ``docker_options`` the ``[docker]`` options nova reads (those the chain
    sets, as strings, and ``host_url``): how the driver reaches the daemon
    (``novadocker_docker.driver_tls``); the settings' when nova.conf cannot be read. Never
    raises for the files."""
    entries = chain(settings)
    docs, errors = _read(entries)
    options = [DRIVER_KEY] + [("docker", k) for k in releases.DOCKER_OPTIONS]
    found = effective(settings, options, entries, docs)
    rule = load_rule(settings)
    driver = found[DRIVER_KEY]["value"]
    wanted = settings["compute"]["compute_driver"]
    host_url = found[HOST_URL_KEY]["value"] or settings["docker_url"]
    if settings["paths"]["nova_conf"] in docs:
        docker = _docker(found)
    else:
        docker = dict(settings["compute"].get("docker") or {})
    return {
        "nova_conf": settings["paths"]["nova_conf"],
        "files_read": [e["path"] for e in entries if e["path"] in docs],
        "files_missing": [e["path"] for e in entries if not e["exists"]],
        "unreadable": errors,
        "readable": settings["paths"]["nova_conf"] in docs,
        "compute_driver": driver,
        "compute_driver_from": found[DRIVER_KEY]["path"],
        "rule": rule,
        "switched": releases.is_docker_driver(driver, wanted, rule),
        "host_url": host_url,
        "docker_options": dict(docker, host_url=host_url),
    }


def _docker(found):
    """The ``[docker]`` options an :py:func:`effective` result sets (strings, as oslo.config
    reads them)."""
    return {
        key: now["value"]
        for (section, key), now in found.items()
        if section == "docker" and now["value"] is not None
    }


def docker_options(settings, written=None):
    """The ``[docker]`` options nova-compute will read once ``written`` (the formula's
    ``[docker]`` keys, ``compute:docker``) take effect: those its config chain sets now, with
    ``written`` over them. The daemon gate judges these, before the switch."""
    keys = [("docker", k) for k in releases.DOCKER_OPTIONS]
    options = _docker(effective(settings, keys))
    options.update(written or {})
    return options


def planned_docker_options(settings):
    """:py:func:`docker_options` for ``settings``: the chain's ``[docker]`` options with the
    settings' over them, ``host_url`` the settings' (``docker_url``)."""
    options = docker_options(settings, settings["compute"]["docker"])
    options["host_url"] = settings["docker_url"]
    return options


def _distribution_file(settings, path):
    """True for a file the distribution owns (under ``/usr`` below the root): never edited."""
    rel = "/" + os.path.relpath(path, settings["root"] or "/").lstrip("/")
    return rel.startswith("/usr/")


def plan_switch(settings, options):
    """Where each of ``options`` (``{section: {key: value}}``, values as text) must be written
    for nova-compute to read it: ``{"edits": {path: {section: {key: value}}}, "problems":
    [...], "effective": {"[section] key": {"value", "path"}}}``. Keys already effective get no
    edit. ``problems`` (the switch must not happen) name a key that cannot take effect:
    ``compute:nova_conf`` missing from the chain, or a later file that may not be edited."""
    entries = chain(settings)
    docs, errors = _read(entries)
    order = [e["path"] for e in entries if e["path"] in docs]
    primary = settings["paths"]["nova_conf"]
    keys = [(s, k) for s, kv in options.items() for k in kv]
    found = effective(settings, keys, entries, docs)
    edits, problems = {}, []
    for path, error in errors.items():
        problems.append("{} cannot be read: {}".format(path, error))
    for section, key in keys:
        value = options[section][key]
        now = found[(section, key)]
        if now["value"] == value:
            continue
        target = now["path"]
        if target is None or _distribution_file(settings, target):
            target = primary
        if target not in order:
            problems.append(
                "[{}] {} cannot be set: {} is not among the files nova-compute reads ({}); "
                "check compute:nova_conf and compute:config_files".format(
                    section, key, target, ", ".join(order) or "none exists"
                )
            )
            continue
        if now["path"] is not None and order.index(target) < order.index(now["path"]):
            problems.append(
                "[{}] {} is set in {}, read after {}, and that file belongs to the "
                "distribution: put compute:nova_conf after it in compute:config_files".format(
                    section, key, now["path"], target
                )
            )
            continue
        edits.setdefault(target, {}).setdefault(section, {})[key] = value
    return {
        "edits": edits,
        "problems": problems,
        "effective": {"[{}] {}".format(s, k): dict(found[(s, k)]) for s, k in keys},
    }
