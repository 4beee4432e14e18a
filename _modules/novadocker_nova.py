"""
Execution module for the novadocker formula: nova's side of a docker compute node.

* What nova-compute reads: its whole config chain (``compute:config_files``,
  ``compute:config_dirs``), the effective value of each key and where it comes from
  (:py:func:`chain`), where the formula's keys must be written to take effect
  (:py:func:`plan`), writing them there (:py:func:`switch`) and putting every file back
  (:py:func:`unswitch`).
* Whether the nova in nova's interpreter loads the driver the way its ``load_compute_driver``
  does (:py:func:`load`, proved once per change of nova's environment), which spelling of
  ``compute_driver`` it needs (:py:func:`spelling`) and, from newton on, the formula's shim
  package ``nova/virt/docker/`` in nova's tree (:py:func:`shim`, :py:func:`shim_remove`).

The facts and rules are in ``_utils/novadocker_nova.py`` (the chain), ``_utils/novadocker_pyenv.py``
(nova's environment, the load proof, the shim) and ``_utils/novadocker_releases.py`` (nova's
loading rule per version); files are written by ``novadocker_conf``.
"""

import logging
import os

from salt.exceptions import CommandExecutionError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_nova"


def __virtual__():
    return __virtualname__


def _settings_for(name, chain, root):
    """The part of the settings the chain functions read, from a state's arguments."""
    return {"nova_chain": chain, "paths": {"nova_conf": name}, "root": root or ""}


def chain(settings=None):
    """
    Return what nova-compute reads on this node: the files of its config chain in read order
    (which exist, which were read), the effective ``compute_driver`` and ``[docker]`` options
    with the file each comes from, how the installed nova loads drivers and whether the node is
    switched to nova-docker's driver. Read with the settings the node reports use.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.chain
    """
    conf = settings or __salt__["novadocker.settings"](cached_defaults=True)
    view = _nova("view")(conf)
    view["chain"] = _nova("chain")(conf)
    return view


def plan(name, options, chain, root=""):
    """
    Return where each of ``options`` (``{section: {key: value}}``) must be written in
    nova-compute's config chain to take effect, without writing anything: ``{"edits": {path:
    {section: {key: value}}}, "problems": [...], "effective": {...}}``.

    name
        ``compute:nova_conf``: where a key no file sets (or only a distribution file) goes.

    chain
        ``{"files": [...], "dirs": [...], "dirs_first": bool}`` (the settings' ``nova_chain``).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.plan /etc/nova/nova.conf \\
            '{"DEFAULT": {"compute_driver": "docker.DockerDriver"}}' \\
            '{"files": ["/etc/nova/nova.conf", "/etc/nova/nova-compute.conf"], "dirs": [],
              "dirs_first": false}'
    """
    opts = __utils__["novadocker_ini.normalize_options"](options)
    return _nova("plan_switch")(_settings_for(name, chain, root), opts)


def _record_for(path, name, record, state_dir):
    if path == name:
        return record
    return __utils__["novadocker_records.chain_record"](state_dir, path)


def switch(name, options, chain, root="", record=None, state_dir=None):
    """
    Write ``options`` where nova-compute reads them (see :py:func:`plan`), each file changed
    atomically with only those keys; the file that receives ``compute_driver`` is written last,
    so that a run stopped half-way leaves the node on its old driver. Each file gets a revert
    record: ``record`` for ``name``, ``<state_dir>/nova-chain/<file>.json`` for the others.
    Returns ``{path: {section: {key: {"old", "new"}}}}``; raises when a key cannot take effect.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.switch /etc/nova/nova.conf \\
            '{"DEFAULT": {"compute_driver": "docker.DockerDriver"}}' \\
            '{"files": ["/etc/nova/nova.conf"], "dirs": [], "dirs_first": false}' \\
            record=/var/lib/novadocker/nova.conf.json state_dir=/var/lib/novadocker
    """
    planned = plan(name, options, chain, root)
    if planned["problems"]:
        raise CommandExecutionError("; ".join(planned["problems"]))
    edits = planned["edits"]
    last = [p for p, sects in edits.items() if "compute_driver" in sects.get("DEFAULT", {})]
    changes = {}
    for path in sorted(edits, key=lambda p: p in last):
        rec = _record_for(path, name, record, state_dir) if record else None
        done = __salt__["novadocker_conf.apply"](path, edits[path], record=rec)
        if done:
            changes[path] = done
    return changes


def unswitch(name, record, state_dir, test=False):
    """
    Put back every file of nova-compute's config chain the formula changed, byte for byte when
    nothing else changed in them since (``novadocker_conf.revert``): ``name`` from ``record``,
    the others from their records under ``<state_dir>/nova-chain/`` (each names its file).
    Returns ``{path: changes}``; ``test``: compute them only.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.unswitch /etc/nova/nova.conf \\
            /var/lib/novadocker/nova.conf.json /var/lib/novadocker
    """
    todo = []
    for rec in __utils__["novadocker_records.chain_records"](state_dir):
        data = __utils__["novadocker_records.read"](rec, "conf")
        if data is not None:
            todo.append((data["path"], rec))
    if os.path.exists(record):
        todo.append((name, record))
    changes = {}
    for path, rec in todo:
        if not os.path.exists(path):
            log.warning("novadocker_nova: %s is gone, its record %s is kept", path, rec)
            continue
        done = __salt__["novadocker_conf.revert"](path, rec, test=test)
        if done:
            changes[path] = done
    return changes


# -- does nova load the driver ----------------------------------------------------------------


def _load_cache():
    return os.path.join(__opts__["cachedir"], "novadocker", "nova-load.json")


def _load_key(python, compute_driver, direct):
    env = _env("import_key")(python, _env("disk_version")(python))
    if env is None:
        return None
    env["nova"] = _env("nova_version_on_disk")(python)
    env["compute_driver"] = compute_driver
    env["direct"] = bool(direct)
    return env


def _slot(python, key):
    """One proof per interpreter, driver spelling and way of importing it."""
    return "{}|{}|{}".format(python, key["compute_driver"], key["direct"])


def _cached(python, key):
    try:
        data = __utils__["novadocker_files.read_json"](_load_cache()) or {}
    except (OSError, ValueError):
        return None
    found = data.get(_slot(python, key)) if isinstance(data, dict) else None
    if isinstance(found, dict) and found.get("key") == key:
        return found.get("result")
    return None


def _keep(python, key, result):
    path = _load_cache()
    try:
        try:
            data = __utils__["novadocker_files.read_json"](path)
        except (OSError, ValueError):
            data = None
        data = data if isinstance(data, dict) else {}
        data[_slot(python, key)] = {"key": key, "result": result}
        __utils__["novadocker_files.write_private_json"](path, data)
    except OSError as exc:
        log.debug("novadocker_nova: could not keep the load proof in %s: %s", path, exc)


def load(python, compute_driver="", direct=False, cached=True):
    """
    Prove, in nova's interpreter ``python``, that nova loads ``compute_driver`` the way its
    ``load_compute_driver`` does (the ``nova.virt.`` namespace, and from newton on nothing
    else; the module and the class, a ``ComputeDriver``). An interpreter where ``nova`` does not
    import is not nova's. A success is remembered until nova's environment changes (its site
    directories, nova's and the driver's versions), so that a re-apply starts no process.

    Returns ``{"python", "compute_driver", "nova" (bool), "nova_version", "release", "rule",
    "nova_virt_dir", "loaded", "ok", "error", "cached"}``.

    direct
        Import ``compute_driver`` by that path alone, whatever nova's rule (the driver's own
        class before the shim exists).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.load /opt/nova/bin/python3 docker.DockerDriver
    """
    key = _load_key(python, compute_driver, direct) if cached else None
    found = _cached(python, key) if key is not None else None
    if found is not None:
        return dict(found, cached=True)
    result = _env("load_as_nova")(python, compute_driver, direct=direct)
    result.update(
        python=python,
        compute_driver=compute_driver,
        release=__utils__["novadocker_releases.nova_release"](result.get("nova_version")),
        ok=bool(result.get("nova") and (not compute_driver or result.get("loaded"))),
        cached=False,
    )
    if result["ok"] and key is not None:
        _keep(python, key, result)
    return result


def spelling(python, wanted):
    """
    The ``compute_driver`` to write for the driver pillar asks for (``wanted``) in nova's
    environment ``python``: nova-docker's own path on a nova that still loads it (mitaka and
    before), the shim's ``docker.DockerDriver`` from newton on; ``wanted`` as given when nova's
    version is not found on disk. No process is started.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.spelling /opt/nova/bin/python3 novadocker.virt.docker.DockerDriver
    """
    rule = __utils__["novadocker_releases.nova_load_rule"](_env("nova_version_on_disk")(python))
    return __utils__["novadocker_releases.driver_spelling"](wanted, rule)


# -- the shim ---------------------------------------------------------------------------------


def shim_path(python):
    """
    Where the formula's shim package lives in ``python``'s nova (``.../nova/virt/docker/
    __init__.py``), ``None`` when nova's tree is not found on disk.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.shim_path /opt/nova/bin/python3
    """
    virt = _env("nova_virt_dir")(python)
    return _env("shim_file")(virt) if virt else None


def shim(path):
    """
    Make ``path`` (see :py:func:`shim_path`) the formula's shim, root 0644 in a 0755 folder,
    written atomically. Returns ``{"old": <"absent" or "ours">, "new": "ours"}``; refuses a
    ``nova/virt/docker`` that is not the formula's.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.shim "$(salt-call --local --out=newline_values_only \\
            novadocker_nova.shim_path /opt/nova/bin/python3)"
    """
    old = _env("shim_state")(path)
    if old == "foreign":
        raise CommandExecutionError(
            "{} exists and is not the novadocker formula's shim: it is left alone; remove it or "
            "set compute:compute_driver to the class it provides".format(os.path.dirname(path))
        )
    if old == "ours":
        return {"old": old, "new": "ours"}
    try:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        __utils__["novadocker_files.atomic_write"](
            path, _env("shim_source")().encode("utf-8"), 0o644, 0, 0
        )
    except OSError as exc:
        raise CommandExecutionError("cannot write {}: {}".format(path, exc)) from None
    return {"old": old, "new": "ours"}


def shim_remove(path):
    """
    Remove the formula's shim at ``path`` (and its folder, when nothing else is left in it);
    a ``nova/virt/docker`` that is not the formula's is left alone. Returns ``{"old", "new"}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_nova.shim_remove "$(salt-call --local --out=newline_values_only \\
            novadocker_nova.shim_path /opt/nova/bin/python3)"
    """
    old = _env("shim_state")(path)
    if old != "ours":
        return {"old": old, "new": old}
    folder = os.path.dirname(path)
    try:
        os.unlink(path)
        cache = os.path.join(folder, "__pycache__")
        if os.path.isdir(cache):
            for entry in os.listdir(cache):
                if entry.startswith("__init__."):
                    os.unlink(os.path.join(cache, entry))
            if not os.listdir(cache):
                os.rmdir(cache)
        if not os.listdir(folder):
            os.rmdir(folder)
    except OSError as exc:
        raise CommandExecutionError("cannot remove {}: {}".format(path, exc)) from None
    return {"old": "ours", "new": "absent"}


# -- the formula's shared code (_utils), through the loader --------------------


def _nova(name):
    return __utils__["novadocker_nova.{}".format(name)]


def _env(name):
    return __utils__["novadocker_pyenv.{}".format(name)]
