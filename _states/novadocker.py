"""
States of the novadocker formula that guard a run: the pillar is valid, the config file a role
edits exists. The editing states live in ``novadocker_conf``, the driver in
``novadocker_driver``, the daemon and socket access in ``novadocker_daemon``.
"""

import os

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
