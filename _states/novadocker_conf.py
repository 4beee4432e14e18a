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

    glance-accepts-docker-images:
      novadocker_conf.container_formats:
        - name: /etc/glance/glance-api.conf
        - formats: [docker, dockerref]
        - default_formats: [ami, ari, aki, bare, ovf, ova, docker]
        - record: /var/lib/novadocker/revert/glance-api.conf.json

    nova-conf-restored:
      novadocker_conf.reverted:
        - name: /etc/nova/nova.conf
        - record: /var/lib/novadocker/revert/nova.conf.json
"""

import os

from salt.exceptions import CommandExecutionError, SaltInvocationError

__virtualname__ = "novadocker_conf"


def __virtual__():
    if "novadocker_conf.apply" in __salt__:
        return __virtualname__
    return (False, "the novadocker_conf execution module is not available")


def _ret(name):
    return {"name": name, "result": False, "changes": {}, "comment": ""}


def _missing(name, missing_message):
    if missing_message:
        try:
            return missing_message.format(path=name)
        except (KeyError, IndexError, ValueError):
            return missing_message
    return "{} not found".format(name)


def _keys(changes):
    """``[section] key`` for each key of ``{section: {key: ...}}``: names only, no values."""
    if not isinstance(changes, dict):
        return "the formula's options"
    return ", ".join(
        "[{}] {}".format(section, key) for section, keys in changes.items() for key in keys
    )


def options(name, options, record=None, missing_message=None, restart_marker=None):
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
        written right after a change; ``novadocker.service_restarted`` pays it.
    """
    ret = _ret(name)
    if not os.path.exists(name):
        ret["comment"] = _missing(name, missing_message)
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
    try:
        changes = __salt__["novadocker_conf.apply"](name, options, record=record)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    if changes:
        if restart_marker and not __salt__["novadocker.owe_restart"](
            restart_marker, "{}: set {}".format(name, _keys(changes)), strict=False
        ):
            ret.setdefault("warnings", []).append(
                f"could not record the restart owed in {restart_marker} (see the minion log)"
            )
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        "{}: set {}".format(name, _keys(changes))
        if changes
        else "{}: {} already set".format(name, _keys(options))
    )
    return ret


def container_formats(
    name,
    formats,
    section="image_format",
    default_formats=None,
    record=None,
    missing_message=None,
    restart_marker=None,
):
    """
    Make Glance accept the container ``formats``: write ``container_formats`` in ``section``
    as the list Glance reads today plus each missing format, order kept. The list read today
    is ``[section] container_formats``, else the deprecated ``[DEFAULT]`` alias, else
    ``default_formats`` (the release's default). Nothing is written when Glance already
    accepts every format.

    Changes are ``{section: {"container_formats": {"old": [...], "new": [...]}}}`` with the
    lists Glance reads before and after.

    name
        glance-api.conf. It must exist.

    formats
        The formats Glance must accept, e.g. ``[docker, dockerref]``.

    section
        ``image_format`` (Glance icehouse on) or ``DEFAULT`` (before).

    default_formats
        The release's default list (``novadocker.glance_info``).

    record
        Revert record, as for ``novadocker_conf.options``.

    missing_message
        Comment when ``name`` does not exist; ``{path}`` is replaced by ``name``.

    restart_marker
        Marker of the restart owed to the service that reads this (``novadocker.owe_restart``),
        written right after a change; ``novadocker.service_restarted`` pays it.
    """
    ret = _ret(name)
    if not os.path.exists(name):
        ret["comment"] = _missing(name, missing_message)
        return ret
    try:
        info = __salt__["novadocker_conf.container_formats"](
            name, formats, section=section, default_formats=default_formats
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    source = "the release default" if info["source"] == "default" else "[{}]".format(info["source"])
    if info["new"] == info["old"]:
        ret["result"] = True
        ret["comment"] = "{}: Glance already accepts {} (container_formats from {})".format(
            name, ", ".join(info["new"]), source
        )
        return ret
    changes = {section: {"container_formats": {"old": info["old"], "new": info["new"]}}}
    added = [fmt for fmt in info["new"] if fmt not in info["old"]]
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "{}: would add {} to [{}] container_formats (read from {})".format(
            name, ", ".join(added), section, source
        )
        return ret
    try:
        __salt__["novadocker_conf.apply"](
            name, {section: {"container_formats": ",".join(info["new"])}}, record=record
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    if restart_marker and not __salt__["novadocker.owe_restart"](
        restart_marker,
        "{}: added {} to container_formats".format(name, ", ".join(added)),
        strict=False,
    ):
        ret.setdefault("warnings", []).append(
            f"could not record the restart owed in {restart_marker} (see the minion log)"
        )
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = "{}: added {} to [{}] container_formats (read from {})".format(
        name, ", ".join(added), section, source
    )
    return ret


def reverted(name, record):
    """
    Put back what the INI file ``name`` held before the formula first changed it, from the
    revert record written by ``novadocker_conf.options`` or ``novadocker_conf.container_formats``,
    and delete the record. Every line the formula did not own stays as it is.

    name
        The config file.

    record
        The revert record.
    """
    ret = _ret(name)
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
        changes = __salt__["novadocker_conf.revert"](name, record)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        "{}: put back {}; removed the record {}".format(name, _keys(changes), record)
        if changes
        else "{}: already as before the formula; removed the record {}".format(name, record)
    )
    return ret
