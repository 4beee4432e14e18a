"""
Execution module for the novadocker formula: Docker images published into Glance.

A docker compute node boots only images that Glance holds with ``container_format=docker``
and the image's name in Docker; on spawn the driver downloads the image data (a ``docker
save`` tar) and ``docker load``s it. This module publishes the images pillar
``novadocker:images:publish`` lists, from the Docker daemon at ``novadocker:images:
docker_host_url``, with the credentials of ``novadocker:images:cloud`` (clouds.yaml) or
``novadocker:images:auth`` (keystoneauth options). The work is done by
``_utils/novadocker_glance_api.py`` (openstacksdk for Keystone and Glance's REST API) and
``_utils/novadocker_docker.py`` (the formula's one Docker client).

Needs openstacksdk in Salt's Python (``salt-pip install openstacksdk``).
"""

__virtualname__ = "novadocker_images"


def __virtual__():
    why = __utils__["novadocker_glance_api.missing_sdk"]()
    if why:
        return (False, "novadocker_images {}".format(why))
    return __virtualname__


def _settings():
    return __salt__["novadocker.settings"](cached_defaults=True, reveal=True)


def _entry(conf, name):
    """The pillar's publish entry for ``name`` (completed by the settings), or a bare one."""
    for entry in conf["images"]["publish"]:
        if entry["name"] == name:
            return entry
    return {"name": name, "visibility": conf["images"]["visibility"], "properties": {}}


def publish(name, visibility=None, properties=None, test=False):
    """
    Publish the Docker image ``name`` into Glance, the way nova-docker boots it: ``docker
    save`` streamed to Glance as ``container_format=docker``, ``disk_format=raw``, under the
    same name, with the Docker image ID in the image property ``docker_image_id``.

    Nothing is uploaded when Glance holds an active image of that name the formula published
    from the same Docker image ID (its visibility and properties are updated if they differ).
    A new Docker image under the same name is uploaded first and verified (status, size,
    sha512 against the stream); only then are the formula's older images of that name
    deleted, so that a spawn never finds none. An upload that fails deletes the image it
    created. Progress is logged every few seconds.

    Returns ``{"name", "docker_image_id", "glance_id", "uploaded", "bytes", "updated",
    "deleted", "kept", "warnings"}``. Errors (no such Docker image, credentials refused,
    Glance unreachable) raise with a message that never holds a credential.

    name
        The image's name in Docker (``busybox``, ``registry:5000/team/app:1.2``); an untagged
        name is its ``:latest``.

    visibility, properties
        Default to the pillar's entry for ``name`` (else ``novadocker:images:visibility`` and
        none).

    test
        Say what would be done: the daemon, Keystone and Glance are asked, nothing changes.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_images.publish busybox
        salt '*' novadocker_images.publish busybox test=True
    """
    conf = _settings()
    images = conf["images"]
    entry = _entry(conf, name)
    return __utils__["novadocker_glance_api.publish"](
        images["docker_host_url"],
        name,
        visibility or entry["visibility"],
        entry["properties"] if properties is None else properties,
        conf["access"]["images"],
        test=bool(test),
        budget=images["upload_timeout"],
    )


def published():
    """
    Report, for every image pillar ``novadocker:images:publish`` lists, whether Glance holds
    it as the formula publishes it (read only: what :py:func:`publish` would do).

    Returns ``{"ok", "images": {name: {"current", "docker_image_id", "glance_id",
    "would"}}, "problems"}``.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker_images.published
    """
    from salt.exceptions import CommandExecutionError  # noqa: PLC0415

    conf = _settings()
    report = {"ok": True, "images": {}, "problems": []}
    for entry in conf["images"]["publish"]:
        try:
            res = publish(entry["name"], test=True)
        except CommandExecutionError as exc:
            report["ok"] = False
            report["problems"].append(str(exc))
            continue
        would = [
            what
            for what, flag in (
                ("upload", res["uploaded"]),
                ("update", res["updated"]),
                ("delete", res["deleted"]),
            )
            if flag
        ]
        report["images"][entry["name"]] = {
            "current": not would,
            "docker_image_id": res["docker_image_id"],
            "glance_id": res["glance_id"],
            "would": would,
        }
        if would:
            report["ok"] = False
            report["problems"].append(
                "{}: Glance is not up to date (would {})".format(entry["name"], ", ".join(would))
            )
    return report
