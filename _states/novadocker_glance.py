"""
States for the novadocker formula on Glance's side: the container formats glance-api accepts.

.. code-block:: yaml

    glance-accepts-docker-images:
      novadocker_glance.container_formats:
        - name: /etc/glance/glance-api.conf
        - formats: [docker, dockerref]
        - default_formats: [ami, ari, aki, bare, ovf, ova, docker]
        - record: /var/lib/novadocker/glance-api.conf.json
        - restart_marker: /var/lib/novadocker/image-restart-owed.json

The list is worked out by the ``novadocker_glance`` execution module and written by
``novadocker_conf.apply`` (only that key changes; the revert record lets
``novadocker_conf.reverted`` put it back).

``novadocker_glance.api_accepts`` is the proof that the running glance-api took the change:
its live image schema lists the formats.

.. code-block:: yaml

    glance-api-accepts-docker-images:
      novadocker_glance.api_accepts:
        - name: http://127.0.0.1:9292
        - formats: [docker, dockerref]
        - wait: 60
"""

from salt.exceptions import CommandExecutionError, SaltInvocationError

__virtualname__ = "novadocker_glance"


def __virtual__():
    if "novadocker_glance.container_formats" in __salt__:
        return __virtualname__
    return (False, "the novadocker_glance execution module is not available")


def container_formats(
    name,
    formats,
    section="image_format",
    default_formats=None,
    record=None,
    missing_message=None,
    restart_marker=None,
    note=None,
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

    record, missing_message, restart_marker
        As for ``novadocker_conf.options``: the revert record, the comment when ``name`` does
        not exist, and the marker of the restart owed to glance-api (written before the
        change is made).

    note
        A warning about ``default_formats`` (a Glance newer than the formula knows), shown
        when the list Glance reads today is that default (the file sets none).
    """
    ret = _st("ret")(name)
    ret["comment"] = _st("config_missing")(name, missing_message)
    if ret["comment"]:
        return ret
    try:
        info = __salt__["novadocker_glance.container_formats"](
            name, formats, section=section, default_formats=default_formats
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    source = "the release default" if info["source"] == "default" else "[{}]".format(info["source"])
    warnings = [note] if note and info["source"] == "default" else []
    if info["new"] == info["old"]:
        ret["result"] = True
        ret["comment"] = "{}: Glance already accepts {} (container_formats from {})".format(
            name, ", ".join(info["new"]), source
        )
        return _st("finish")(ret, warnings)
    changes = {section: {"container_formats": {"old": info["old"], "new": info["new"]}}}
    added = [fmt for fmt in info["new"] if fmt not in info["old"]]
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "{}: would add {} to [{}] container_formats (read from {})".format(
            name, ", ".join(added), section, source
        )
        return _st("finish")(ret, warnings)
    done, _applied = _st("atomic_change")(
        ret,
        restart_marker,
        "{}: added {} to container_formats".format(name, ", ".join(added)),
        lambda: __salt__["novadocker_conf.apply"](
            name, {section: {"container_formats": ",".join(info["new"])}}, record=record
        ),
    )
    if not done:
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = "{}: added {} to [{}] container_formats (read from {})".format(
        name, ", ".join(added), section, source
    )
    return _st("finish")(ret, warnings)


def api_accepts(
    name,
    formats,
    wait=60,
    conf=None,
    section="image_format",
    default_formats=None,
    marker=None,
    skip_unready=False,
):
    """
    Pass only when the running glance-api at ``name`` (its URL) accepts every one of
    ``formats``: its live image schema (``GET /v2/schemas/image``) lists them, asked again
    every second for up to ``wait`` seconds while it does not (a glance-api coming back from
    the restart that precedes this state). Fails naming what it answered otherwise: a
    glance-api that was not restarted, or reads another file than glance-api.conf. Changes
    nothing, ever. Credentials for a Keystone-protected glance-api come from pillar
    ``novadocker:image:api`` (never from arguments: they stay out of rendered states).

    With ``test=True``: when the run would change ``conf``'s formats or a restart is owed in
    ``marker``, the answer can only come after the restart (``None``); otherwise the schema is
    read now and the state fails where the real run would.

    skip_unready
        Report a failure as a ``SKIPPED:`` line and pass (the demo's
        ``unsafe_skip_readiness_gates``).
    """
    ret = _st("ret")(name, True)
    if __opts__["test"]:
        pending = bool(marker and __utils__["novadocker_records.owed"](marker))
        if conf and not pending:
            try:
                info = __salt__["novadocker_glance.container_formats"](
                    conf, formats, section=section, default_formats=default_formats
                )
                pending = info["new"] != info["old"]
            except (CommandExecutionError, SaltInvocationError):
                pending = True
        if pending:
            ret["result"] = None
            ret["comment"] = (
                "would ask glance-api at {} whether it accepts {} once it is restarted".format(
                    name, ", ".join(formats)
                )
            )
            return ret
        wait = 0
    report = __salt__["novadocker_glance.live_container_formats"](name, formats, wait=wait)
    if report["ok"]:
        ret["comment"] = "the running glance-api at {} accepts {} (its image schema)".format(
            name, ", ".join(formats)
        )
        return ret
    problems = "; ".join(report["problems"])
    if skip_unready:
        ret["comment"] = (
            "SKIPPED: {} To enable this check, set pillar novadocker:unsafe_skip_readiness_gates "
            "to false once glance-api runs.".format(problems.rstrip(".") + ".")
        )
        return ret
    ret["result"] = False
    ret["comment"] = problems
    return ret


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]
