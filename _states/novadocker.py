"""
States of the novadocker formula that guard a run and pay what it owes: the pillar is valid,
the config file a role edits exists, a file the formula creates is recorded (and removed by
clean only if it did), and a restart owed to a role's service is made.

The editing states live in ``novadocker_conf``, the driver in ``novadocker_driver``, the daemon
and socket access in ``novadocker_daemon``. Every state builds its return with the formula's
state contract (``_utils/novadocker_state.py``).
"""

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
    ret = _st("ret")(name, True)
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
    ret = _st("ret")(name, True)
    missing = _st("config_missing")(name, message)
    ret["result"] = missing is None
    ret["comment"] = missing or "{} exists".format(name)
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
    ret = _st("ret")(name, True)
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
        _records("write")(name, "file", record)
    except CommandExecutionError as exc:
        ret["result"] = False
        ret["comment"] = str(exc)
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
    ret = _st("ret")(name, True)
    data, readable = _st("read_record")(ret, record, "file")
    if not readable:
        return ret
    if data is None:
        ret["comment"] = "no record in {}: the formula did not create {}".format(record, name)
        return ret
    created = data["created"] is True and data["path"] == name
    changes = {"record": {"old": record, "new": None}}
    if created and os.path.exists(name):
        changes["removed"] = name
    what = " and ".join(([name] if "removed" in changes else []) + [record])
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "would remove {}".format(what)
        return ret
    try:
        if "removed" in changes:
            os.unlink(name)
        _records("remove")(record)
    except (OSError, CommandExecutionError) as exc:
        ret["result"] = False
        ret["comment"] = "could not remove {}: {}".format(name, exc)
        return ret
    ret["changes"] = changes
    ret["comment"] = "removed {}".format(what)
    return ret


def service_restarted(name, marker=None):
    """
    Restart the service ``name`` when a restart is owed to it, and only then: while its marker
    file exists. Every state of the formula that changes something the service reads records
    the restart there (``novadocker.owe_restart``) as it makes the change, so this is the one
    restart trigger: a run that fails after a change, or a failed restart, leaves the restart
    owed and the next run pays it, once. The marker is removed once the restart succeeded.
    Nothing owed: no restart, no changes. With ``test=True`` it says whether it would restart.

    .. code-block:: yaml

        novadocker-compute-service-restart:
          novadocker.service_restarted:
            - name: nova-compute
            - marker: /var/lib/novadocker/compute-restart-owed.json
            - require:
              - novadocker_conf: novadocker-compute-nova-conf
    """
    return _st("restart")(name, marker, __opts__["test"], __salt__["service.restart"])


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]


def _records(name):
    return __utils__["novadocker_records.{}".format(name)]
