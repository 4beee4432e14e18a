"""
States for the novadocker formula: set the formula's keys in nova.conf and glance-api.conf
without touching anything else, and put the originals back.

The work is done by the ``novadocker_conf`` execution module, a lossless line-based editor
(see its documentation). These states never create a config file: the file belongs to the
package that installs the service, and a missing one means that package is not there.

Comments and changes name the formula's own keys and values only, never another line of the
file (nova.conf holds passwords).

.. code-block:: yaml

    nova-conf-docker-driver:
      novadocker_conf.options:
        - name: /etc/nova/nova.conf
        - options:
            DEFAULT:
              compute_driver: novadocker.virt.docker.DockerDriver
            docker:
              host_url: unix:///var/run/docker.sock
        - record: /var/lib/novadocker/revert/nova.conf.json
        - missing_message: "nova.conf not found at {path}: is nova-compute installed?"

    nova-conf-restored:
      novadocker_conf.reverted:
        - name: /etc/nova/nova.conf
        - record: /var/lib/novadocker/revert/nova.conf.json

Glance's ``container_formats`` is set by ``novadocker_glance.container_formats``.
"""

import os

from salt.exceptions import CommandExecutionError, SaltInvocationError

__virtualname__ = "novadocker_conf"


def __virtual__():
    if "novadocker_conf.apply" in __salt__:
        return __virtualname__
    return (False, "the novadocker_conf execution module is not available")


def _keys(changes):
    """``[section] key`` for each key of ``{section: {key: ...}}``: names only, no values."""
    if not isinstance(changes, dict):
        return "the formula's options"
    return ", ".join(
        "[{}] {}".format(section, key) for section, keys in changes.items() for key in keys
    )


def options(
    name, options, record=None, missing_message=None, restart_marker=None, refresh_grains=False
):
    """
    Set ``options`` in the INI file ``name``, changing only those keys.

    name
        The config file, e.g. ``/etc/nova/nova.conf``. It must exist: this state never
        creates it.

    options
        ``{section: {key: value}}``. A value is a string, a boolean (written ``True`` or
        ``False``), a number or a list (written comma-joined, no spaces).

    record
        Path of the revert record (JSON, 0600) that keeps what each key was before the formula
        first changed it, for ``novadocker_conf.reverted``.

    missing_message
        Comment when ``name`` does not exist; ``{path}`` is replaced by ``name``.

    restart_marker
        Marker of the restart owed to the service that reads this (``novadocker.owe_restart``),
        written before the change is made; ``novadocker.service_restarted`` pays it.

    refresh_grains
        The file is one the ``novadocker`` grain reads (nova.conf): a change makes the running
        minion reload its grains.
    """
    ret = _st("ret")(name)
    ret["comment"] = _st("config_missing")(name, missing_message)
    if ret["comment"]:
        return ret
    try:
        changes = __salt__["novadocker_conf.plan"](name, options)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    if not changes:
        ret["result"] = True
        ret["comment"] = "{}: {} already set".format(name, _keys(options))
        return ret
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "{}: would set {}".format(name, _keys(changes))
        return ret
    done, changes = _st("atomic_change")(
        ret,
        restart_marker,
        "{}: set {}".format(name, _keys(changes)),
        lambda: __salt__["novadocker_conf.apply"](name, options, record=record),
    )
    if not done:
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        "{}: set {}".format(name, _keys(changes))
        if changes
        else "{}: {} already set".format(name, _keys(options))
    )
    if changes and refresh_grains:
        _st("grains_changed")(__opts__, __salt__["saltutil.refresh_grains"])
    return _st("finish")(ret)


def reverted(name, record, restart_marker=None, refresh_grains=False):
    """
    Put back what the INI file ``name`` held before the formula first changed it, from the
    revert record written by ``novadocker_conf.options`` or ``novadocker_conf.container_formats``,
    and delete the record. Every line the formula did not own stays as it is.

    name
        The config file.

    record
        The revert record.

    restart_marker
        Marker of the restart owed to the service that reads this (``novadocker.owe_restart``),
        written before the file is changed; ``novadocker.service_restarted`` pays it.

    refresh_grains
        As for :py:func:`options`: a change makes the running minion reload its grains.
    """
    ret = _st("ret")(name)
    if not os.path.exists(record):
        ret["result"] = True
        ret["comment"] = "{}: nothing to revert, no record at {}".format(name, record)
        return ret
    if not os.path.exists(name):
        ret["result"] = True
        ret["comment"] = "{} not found: nothing to revert into; the record {} is kept".format(
            name, record
        )
        return ret
    try:
        changes = __salt__["novadocker_conf.revert"](name, record, test=True)
        if __opts__["test"]:
            ret["result"] = None if changes else True
            ret["changes"] = changes
            ret["comment"] = (
                "{}: would put back {}".format(name, _keys(changes))
                if changes
                else "{}: already as before the formula; would remove the record {}".format(
                    name, record
                )
            )
            return ret
        if changes:
            _st("owe_restart")(restart_marker, "{}: put back {}".format(name, _keys(changes)))
        changes = __salt__["novadocker_conf.revert"](name, record)
    except (CommandExecutionError, SaltInvocationError) as exc:
        # Owed already if the file was changed before the error: at worst one extra restart.
        ret["comment"] = str(exc)
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        "{}: put back {}; removed the record {}".format(name, _keys(changes), record)
        if changes
        else "{}: already as before the formula; removed the record {}".format(name, record)
    )
    if changes and refresh_grains:
        _st("grains_changed")(__opts__, __salt__["saltutil.refresh_grains"])
    return _st("finish")(ret)


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]
