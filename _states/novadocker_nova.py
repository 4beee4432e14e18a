"""
States for nova's side of a docker compute node: nova loads the driver (the gate, with the
shim nova needs from newton on), the formula's keys written where nova-compute reads them,
and every file of its config chain put back.

.. code-block:: yaml

    novadocker-compute-driver-loadable:
      novadocker_nova.driver_loadable:
        - name: /opt/nova/bin/python3
        - compute_driver: novadocker.virt.docker.DockerDriver
        - record: /var/lib/novadocker/nova-shim.json
        - restart_marker: /var/lib/novadocker/compute-restart-owed.json

    novadocker-compute-nova-conf:
      novadocker_nova.switched:
        - name: /etc/nova/nova.conf
        - options: {DEFAULT: {compute_driver: novadocker.virt.docker.DockerDriver}}
        - python: /opt/nova/bin/python3
        - chain: {files: [/etc/nova/nova.conf, /etc/nova/nova-compute.conf], dirs: [],
                  dirs_first: true}
        - record: /var/lib/novadocker/nova.conf.json
        - state_dir: /var/lib/novadocker
        - restart_marker: /var/lib/novadocker/compute-restart-owed.json
"""

import copy

from salt.exceptions import CommandExecutionError, SaltInvocationError

__virtualname__ = "novadocker_nova"

_ENABLE_GATE = (
    "set pillar novadocker:unsafe_skip_readiness_gates to false once nova and the driver are "
    "installed in novadocker:driver:python, so that this gate really checks"
)


def __virtual__():
    return __virtualname__


def _release(info):
    release = info.get("release")
    return "nova {}{}".format(
        info.get("nova_version") or "?", " ({})".format(release) if release else ""
    )


def driver_loadable(
    name, compute_driver, version=None, record=None, restart_marker=None, skip_unready=False
):
    """
    Pass only when the nova of interpreter ``name`` (pillar ``novadocker:driver:python``) loads
    ``compute_driver`` the way its ``load_compute_driver`` does: the gate every later step of
    the switch requires. The loading rule is the installed nova's (up to mitaka a name is
    tried under ``nova.virt.`` then as given; from newton on only under ``nova.virt.``): on a
    newton or later nova the formula installs its shim package ``nova/virt/docker/`` in nova's
    tree (recorded in ``record`` for clean; the restart it owes in ``restart_marker``) and
    nova-docker's driver is loaded as ``docker.DockerDriver``.

    Fails, naming the exception, when ``nova`` does not import (``name`` is not nova's
    interpreter), or when the class does not load (a module of nova the driver expects and this
    nova no longer has, a dependency installed without, a package directory gone). The proof is
    remembered until nova's environment changes: a re-apply starts no process.

    version
        The driver version the run installs (pillar ``novadocker:driver:version``): with
        ``test=True`` and another version installed, the load is predicted, not proved (the
        install comes first).

    skip_unready
        Demo sandboxes: an interpreter without nova gives result True and a ``SKIPPED:``
        comment.
    """
    ret = _st("ret")(name)
    if __opts__["test"] and version and not _installed(name, version):
        ret["result"] = None
        ret["comment"] = (
            "nova-docker {} is not installed in {} yet: nova's load of the driver would be "
            "proved after the install".format(version, name)
        )
        return ret
    try:
        info = __salt__["novadocker_nova.load"](name)
    except (CommandExecutionError, SaltInvocationError) as exc:
        info = {"nova": False, "error": str(exc)}
    if not info.get("nova"):
        why = (
            "nova does not import with {} ({}): it is not the interpreter nova-compute runs "
            "with; set pillar novadocker:driver:python to it".format(name, info.get("error"))
        )
        if skip_unready:
            ret["result"] = True
            ret["comment"] = "SKIPPED: {}. To enable this gate, {}.".format(why, _ENABLE_GATE)
        else:
            ret["comment"] = why
        return ret
    spelling = __salt__["novadocker_nova.spelling"](name, compute_driver)
    rule = info.get("rule")
    needs = __utils__["novadocker_releases.needs_shim"](spelling, rule)
    shim_path = __salt__["novadocker_nova.shim_path"](name) if needs else None
    if needs:
        state = __utils__["novadocker_pyenv.shim_state"](shim_path)
        if state == "foreign":
            ret["comment"] = (
                "{} loads drivers only from nova.virt, and {} exists but is not the formula's "
                "shim: left alone, nothing was changed".format(_release(info), shim_path)
            )
            return ret
        if state == "absent":
            if __opts__["test"]:
                return _predict_shim(ret, name, info, shim_path)
            if not _write_shim(ret, shim_path, info, record, restart_marker):
                return ret
    proof = __salt__["novadocker_nova.load"](name, spelling)
    if not proof["ok"]:
        ret["comment"] = (
            "{} cannot load compute_driver = {} with {}: {}; the node is not switched".format(
                _release(proof), spelling, name, proof.get("error")
            )
        )
        return ret
    ret["result"] = True
    ret["comment"] = "{} loads {} (compute_driver = {}){}".format(
        _release(proof),
        proof["loaded"],
        spelling,
        "; proved earlier, nova's environment is unchanged" if proof.get("cached") else "",
    )
    return _st("finish")(ret)


def _installed(python, version):
    try:
        current = __salt__["novadocker_driver.version"](python)
    except (CommandExecutionError, SaltInvocationError):
        return False
    return __utils__["novadocker_pyenv.same_version"](current, version)


def _predict_shim(ret, name, info, shim_path):
    """test=True before the shim exists: prove the driver's own class, predict the shim."""
    driver = __utils__["novadocker_releases.driver_spellings"]("ns")[0]
    proof = __salt__["novadocker_nova.load"](name, driver, direct=True)
    if not proof["ok"]:
        ret["comment"] = "{} cannot import {}: {}; the node would not be switched".format(
            _release(info), driver, proof.get("error")
        )
        return ret
    ret["result"] = None
    ret["changes"] = {"shim": {"old": None, "new": shim_path}}
    ret["comment"] = (
        "{} loads drivers only from nova.virt: the shim {} would be installed and "
        "compute_driver set to docker.DockerDriver".format(_release(info), shim_path)
    )
    return ret


def _write_shim(ret, shim_path, info, record, restart_marker):
    try:
        _st("owe_restart")(restart_marker, "shim {} installed".format(shim_path))
        if record:
            __utils__["novadocker_records.write"](
                record, "file", {"path": shim_path, "created": True}
            )
        change = __salt__["novadocker_nova.shim"](shim_path)
    except CommandExecutionError as exc:
        ret["comment"] = str(exc)
        return False
    ret["changes"] = {"shim": {"old": None, "new": shim_path}}
    _st("warn")(
        ret,
        "{} loads drivers only from nova.virt: installed the formula's shim {} ({})".format(
            _release(info), shim_path, change["new"]
        ),
    )
    return True


def shim_absent(name, record, restart_marker=None):
    """
    Remove the formula's shim (the path ``record`` names) when the formula installed it, then
    the record; a ``nova/virt/docker`` that is not the formula's is left alone. ``name`` is
    nova's interpreter (for the comment).
    """
    ret = _st("ret")(name, True)
    data, readable = _st("read_record")(ret, record, "file")
    if not readable:
        return ret
    if data is None:
        ret["comment"] = "no record {}: the formula installed no shim".format(record)
        return ret
    path = data["path"]
    state = __utils__["novadocker_pyenv.shim_state"](path)
    changes = {"record": {"old": record, "new": None}}
    if state == "ours":
        changes["shim"] = {"old": path, "new": None}
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "would remove {}".format(
            " and ".join(filter(None, (path if state == "ours" else None, record)))
        )
        return ret
    try:
        if state == "ours":
            _st("owe_restart")(restart_marker, "shim {} removed".format(path))
            __salt__["novadocker_nova.shim_remove"](path)
        __utils__["novadocker_records.remove"](record)
    except CommandExecutionError as exc:
        ret["result"] = False
        ret["comment"] = str(exc)
        return ret
    ret["changes"] = changes
    ret["comment"] = (
        "removed the formula's shim {}".format(path)
        if state == "ours"
        else "{} is not the formula's shim ({}): left alone".format(path, state)
    ) + "; removed the record {}".format(record)
    return ret


def _edits_text(edits):
    return "; ".join(
        "{}: {}".format(
            path, ", ".join("[{}] {}".format(s, k) for s, keys in sects.items() for k in keys)
        )
        for path, sects in sorted(edits.items())
    )


def _predicted(edits, effective):
    """``{path: {section: {key: {"old", "new"}}}}`` for planned edits: ``old`` is the value the
    file holds today (the effective one when that file wins, else none)."""
    out = {}
    for path, sects in edits.items():
        for section, keys in sects.items():
            for key, value in keys.items():
                now = effective["[{}] {}".format(section, key)]
                old = now["value"] if now["path"] == path else None
                out.setdefault(path, {}).setdefault(section, {})[key] = {"old": old, "new": value}
    return out


def switched(
    name,
    options,
    python,
    chain,
    root="",
    record=None,
    state_dir=None,
    restart_marker=None,
    missing_message=None,
):
    """
    Make nova-compute read ``options`` (``{section: {key: value}}``: ``[DEFAULT]
    compute_driver`` and the ``[docker]`` options) over its whole config chain, changing the
    fewest bytes: each key is rewritten in the file whose value wins today; a key no file sets
    (or only a distribution file under ``/usr``) goes into ``name`` (``compute:nova_conf``).
    ``compute_driver`` is written in the spelling the nova of ``python`` loads
    (``novadocker_nova.spelling``). Every file keeps every other byte and gets a revert record
    (``record`` for ``name``, ``<state_dir>/nova-chain/`` for the others); the file holding
    ``compute_driver`` is written last. The restart owed to nova-compute is recorded before
    anything is written.

    chain
        ``{"files": [...], "dirs": [...], "dirs_first": bool}``, root-prefixed.
    """
    ret = _st("ret")(name)
    ret["comment"] = _st("config_missing")(name, missing_message)
    if ret["comment"]:
        return ret
    options = copy.deepcopy(options)
    wanted = options.get("DEFAULT", {}).get("compute_driver")
    if wanted:
        options["DEFAULT"]["compute_driver"] = __salt__["novadocker_nova.spelling"](python, wanted)
    try:
        planned = __salt__["novadocker_nova.plan"](name, options, chain, root)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    if planned["problems"]:
        ret["comment"] = "nova-compute would not read the formula's keys, nothing was changed: " + (
            "; ".join(planned["problems"])
        )
        return ret
    edits = planned["edits"]
    if not edits:
        ret["result"] = True
        ret["comment"] = "nova-compute reads the formula's keys already ({})".format(
            ", ".join(
                "{} from {}".format(k, v["path"]) for k, v in sorted(planned["effective"].items())
            )
        )
        return ret
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = _predicted(edits, planned["effective"])
        ret["comment"] = "would set {}".format(_edits_text(edits))
        return ret
    done, changes = _st("atomic_change")(
        ret,
        restart_marker,
        "nova-compute's config: set {}".format(_edits_text(edits)),
        lambda: __salt__["novadocker_nova.switch"](
            name, options, chain, root, record=record, state_dir=state_dir
        ),
    )
    if not done:
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = "set {}".format(_edits_text(edits))
    return _st("finish")(ret)


def unswitched(name, record, state_dir, restart_marker=None):
    """
    Put back every file of nova-compute's config chain the formula changed (``name`` from
    ``record``, the others from ``<state_dir>/nova-chain/``), byte for byte when nothing else
    changed in them; every line the formula did not own stays. The restart owed to
    nova-compute is recorded before a file is written.
    """
    ret = _st("ret")(name)
    try:
        changes = __salt__["novadocker_nova.unswitch"](name, record, state_dir, test=True)
        if __opts__["test"]:
            ret["result"] = None if changes else True
            ret["changes"] = changes
            ret["comment"] = (
                "would put back {}".format(", ".join(sorted(changes)))
                if changes
                else "nothing to put back in nova-compute's config"
            )
            return ret
        if changes:
            _st("owe_restart")(
                restart_marker,
                "nova-compute's config put back: {}".format(", ".join(sorted(changes))),
            )
        changes = __salt__["novadocker_nova.unswitch"](name, record, state_dir)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        "put back {}".format(", ".join(sorted(changes)))
        if changes
        else "nothing to put back in nova-compute's config"
    )
    return _st("finish")(ret)


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]
