"""
States of the novadocker formula that guard a run: the pillar is valid, the config file a role
edits exists. The editing states live in ``novadocker_conf``, the driver in
``novadocker_driver``, the daemon and socket access in ``novadocker_daemon``.
"""

import json
import os

from salt.exceptions import CommandExecutionError

__virtualname__ = "novadocker"


def __virtual__():
    if "novadocker.validate_pillar" in __salt__:
        return __virtualname__
    return (False, "the novadocker execution module is not loaded: run saltutil.sync_all")


def pillar_valid(name="novadocker"):
    """
    Pass only when the whole ``novadocker`` pillar is valid; otherwise fail with every problem
    found, each naming the key path, the bad value and what is accepted. Every other state of
    the formula requires this one, so a bad pillar changes nothing on the node (in test mode
    too: a bad pillar is an error, not a prediction).

    .. code-block:: yaml

        novadocker-pillar-valid:
          novadocker.pillar_valid
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    problems = __salt__["novadocker.validate_pillar"]()
    if problems:
        ret["result"] = False
        ret["comment"] = "Invalid pillar, nothing was changed:\n" + "\n".join(
            "- {}".format(p) for p in problems
        )
        return ret
    ret["comment"] = "pillar novadocker is valid"
    return ret


def config_present(name, message=None):
    """
    Fail, without creating anything, when the config file ``name`` a role edits is missing:
    the formula configures an installed service, it never invents its config file.

    message
        The failure text; ``{path}`` is replaced by ``name``.

    .. code-block:: yaml

        novadocker-compute-nova-conf-present:
          novadocker.config_present:
            - name: /etc/nova/nova.conf
            - message: "nova.conf not found at {path}: is nova-compute installed?"
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    if os.path.isfile(name):
        ret["comment"] = "{} exists".format(name)
        return ret
    ret["result"] = False
    ret["comment"] = (message or "{path} not found").format(path=name)
    return ret


def file_creation_recorded(name, path):
    """
    Record, in the JSON file ``name``, that the formula is about to create ``path`` — only when
    ``path`` does not exist yet and nothing is recorded. The clean SLS
    (:py:func:`recorded_file_absent`) then removes ``path`` only if the formula created it, so a
    file the operator had before survives. No process, no file-server call: cheap on re-apply.

    .. code-block:: yaml

        novadocker-compute-rootwrap-record:
          novadocker.file_creation_recorded:
            - name: /var/lib/novadocker/rootwrap.json
            - path: /etc/nova/rootwrap.d/docker.filters
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    if os.path.exists(name):
        ret["comment"] = "{} is recorded in {} already".format(path, name)
        return ret
    if os.path.exists(path):
        ret["comment"] = "{} exists already: the formula did not create it".format(path)
        return ret
    record = {"path": path, "created": True}
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = {"record": {"old": None, "new": record}}
        ret["comment"] = "would record that the formula creates {} in {}".format(path, name)
        return ret
    try:
        __salt__["novadocker_conf.write_record"](name, record)
    except (CommandExecutionError, OSError) as exc:
        ret["result"] = False
        ret["comment"] = "could not write {}: {}".format(name, exc)
        return ret
    ret["changes"] = {"record": {"old": None, "new": record}}
    ret["comment"] = "recorded that the formula creates {} in {}".format(path, name)
    return ret


def recorded_file_absent(name, record):
    """
    Remove ``name`` if, and only if, the JSON ``record`` says the formula created it; then
    remove the record. No record: nothing to do (a file the operator had stays).

    .. code-block:: yaml

        novadocker-compute-clean-rootwrap-filter:
          novadocker.recorded_file_absent:
            - name: /etc/nova/rootwrap.d/docker.filters
            - record: /var/lib/novadocker/rootwrap.json
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    if not os.path.exists(record):
        ret["comment"] = "no record in {}: the formula did not create {}".format(record, name)
        return ret
    try:
        with open(record, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        ret["result"] = False
        ret["comment"] = "could not read the record {}: {}".format(record, exc)
        return ret
    created = data.get("created") is True and data.get("path") == name
    changes = {"record": {"old": record, "new": None}}
    if created and os.path.exists(name):
        changes["removed"] = name
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "would remove {}".format(
            " and ".join(([name] if "removed" in changes else []) + [record])
        )
        return ret
    try:
        if "removed" in changes:
            os.unlink(name)
        os.unlink(record)
    except OSError as exc:
        ret["result"] = False
        ret["comment"] = "could not remove {}: {}".format(name, exc)
        return ret
    ret["changes"] = changes
    ret["comment"] = "removed {}".format(
        " and ".join(([name] if "removed" in changes else []) + [record])
    )
    return ret


def _watched_changes():
    """``<state>: <id>`` of each watched state that changed in this run (from ``__running__``)."""
    watched = {
        (req.get("state"), req.get("__id__") or req.get("name"))
        for req in (__low__.get("__reqs__") or {}).get("watch", [])
    }
    found = []
    for result in (__running__ or {}).values():
        if not isinstance(result, dict) or not result.get("changes"):
            continue
        for state, sid in watched:
            if result.get("__id__") == sid and "{}: {}".format(state, sid) not in found:
                found.append("{}: {}".format(state, sid))
    return found


def _restart(ret, name, marker, reasons):
    why = "; ".join(reasons)
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = {"old": "restart owed: {}".format(why), "new": "{} restarted".format(name)}
        ret["comment"] = "{} would be restarted ({})".format(name, why)
        return ret
    try:
        done = __salt__["service.restart"](name)
    except CommandExecutionError as exc:
        done, why_not = False, str(exc)
    else:
        why_not = "service.restart returned {!r}".format(done)
    if done is not True:
        ret["result"] = False
        ret["comment"] = (
            "Could not restart {} ({}); the restart stays owed in {} and the next run "
            "retries it".format(name, why_not, marker)
            if marker
            else "Could not restart {} ({})".format(name, why_not)
        )
        if marker and not os.path.exists(marker):
            # Triggered by watch alone: keep the restart owed for the next run.
            try:
                __salt__["novadocker.owe_restart"](marker, why)
            except CommandExecutionError as exc:
                ret["comment"] += "; could not keep it owed: {}".format(exc)
        return ret
    if marker:
        try:
            os.unlink(marker)
        except FileNotFoundError:
            pass
        except OSError as exc:
            ret["warnings"] = ["could not remove {}: {}".format(marker, exc)]
    ret["result"] = True
    ret["changes"] = {"old": "restart owed: {}".format(why), "new": "{} restarted".format(name)}
    ret["comment"] = "Restarted {} ({})".format(name, why)
    return ret


def service_restarted(name, marker=None):
    """
    Restart the service ``name`` when a restart is owed to it, and only then: while the marker
    file exists (see ``novadocker.owe_restart``: the formula's states write it right after a
    change the service reads), or, through ``watch``, when a watched state changed in this run.
    The marker is removed once the restart succeeded; a failed restart keeps it owed, so the
    next run retries. Nothing owed: no restart, no changes. With ``test=True`` it says whether
    it would restart.

    .. code-block:: yaml

        novadocker-compute-service-restart:
          novadocker.service_restarted:
            - name: nova-compute
            - marker: /var/lib/novadocker/compute-restart-owed.json
            - require:
              - novadocker_conf: novadocker-compute-nova-conf
            - watch:
              - novadocker_conf: novadocker-compute-nova-conf
              - novadocker_driver: novadocker-compute-driver
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    owed = __salt__["novadocker.restart_owed"](marker) if marker else None
    if not owed:
        ret["comment"] = "No restart of {} is owed".format(name)
        return ret
    return _restart(ret, name, marker, owed["reasons"])


def mod_watch(name, marker=None, sfun=None, **kwargs):
    """
    ``watch`` of :py:func:`service_restarted`: a watched state changed in this run, so the
    service is restarted (with the reasons owed in ``marker``, if any), once.
    """
    ret = {"name": name, "result": True, "changes": {}, "comment": ""}
    if sfun != "service_restarted":
        ret["result"] = False
        ret["comment"] = "watch is only available for novadocker.service_restarted"
        return ret
    reasons = ["changed: {}".format(c) for c in _watched_changes()] or ["a watched state changed"]
    owed = __salt__["novadocker.restart_owed"](marker) if marker else None
    if owed:
        reasons = owed["reasons"] + [r for r in reasons if r not in owed["reasons"]]
    return _restart(ret, name, marker, reasons)
