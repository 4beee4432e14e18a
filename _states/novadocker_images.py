"""
States for the novadocker formula: Docker images published into Glance.

.. code-block:: yaml

    novadocker-images-published-busybox:
      novadocker_images.published:
        - name: busybox
        - visibility: public
        - properties:
            os_command_line: /bin/sh -c 'sleep infinity'

The Docker daemon and the credentials come from pillar ``novadocker:images`` (never from
arguments, so that a password stays out of rendered states); the work is
``novadocker_images.publish``. Needs openstacksdk in Salt's Python.
"""

from salt.exceptions import CommandExecutionError, SaltInvocationError

__virtualname__ = "novadocker_images"


def __virtual__():
    if "novadocker_images.publish" in __salt__:
        return __virtualname__
    why = __utils__["novadocker_glance_api.missing_sdk"]()
    return (False, "novadocker_images {}".format(why or "execution module is not available"))


def _ids(images):
    return ", ".join(image["id"] for image in images)


def published(name, visibility=None, properties=None):
    """
    Ensure Glance holds the Docker image ``name`` as nova-docker boots it (see
    ``novadocker_images.publish``): uploaded when Glance has no active image of that name the
    formula published from the daemon's current image ID, the older ones deleted only once
    the new one is verified. A second run uploads nothing.

    Changes: ``image`` (``old``: the formula's images of that name before, ``new``: the
    uploaded one), ``updated`` (visibility and properties brought in line) and ``deleted``
    (the formula's older images of that name). ``test=True`` uploads nothing and says what
    would be done (the daemon, Keystone and Glance are asked).

    name
        The image's name in Docker, which is its name in Glance.

    visibility, properties
        As the pillar's publish entry gives them (``novadocker:images:publish``).
    """
    ret = _st("ret")(name)
    test = __opts__["test"]
    try:
        res = __salt__["novadocker_images.publish"](
            name, visibility=visibility, properties=properties, test=test
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    docker_id = res["docker_image_id"]
    changes = {}
    if res["uploaded"]:
        changes["image"] = {
            "old": [image["id"] for image in res["deleted"]] or None,
            "new": {"id": res["glance_id"], "docker_image_id": docker_id, "size": res["bytes"]},
        }
    if res["updated"]:
        changes["updated"] = res["updated"]
    if res["deleted"]:
        changes["deleted"] = res["deleted"]
    ret["result"] = None if test and changes else True
    ret["changes"] = changes
    if res["uploaded"]:
        head = (
            "would upload {} (Docker image {}, {} bytes) to Glance"
            if test
            else ("published {} (Docker image {}, {} bytes) as Glance image {}")
        )
        parts = [head.format(name, docker_id, res["bytes"], res["glance_id"])]
    else:
        parts = [
            "Glance holds {} as image {} (Docker image {}){}".format(
                name, res["glance_id"], docker_id, "" if changes else ": nothing uploaded"
            )
        ]
    if res["updated"]:
        parts.append(
            "{} {}".format("would update" if test else "updated", ", ".join(res["updated"]))
        )
    if res["deleted"]:
        verb = "would then delete" if test else "then deleted"
        parts.append("{} {}".format(verb, _ids(res["deleted"])))
    ret["comment"] = "; ".join(parts)
    return _st("finish")(ret, res["warnings"])


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]
