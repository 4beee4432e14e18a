"""
Execution module for the novadocker formula: release knowledge, settings and node checks.

This module is the formula's public face. It holds the one table of what each nova-docker
release knows (the Docker API version its client pins, the ``[docker]`` options it registers),
merges the formula's parameters with pillar (:py:func:`settings`), validates the whole
``novadocker`` pillar (:py:func:`validate_pillar`), and reports on a node
(:py:func:`driver_version`, :py:func:`check_driver`, :py:func:`validate_daemon`,
:py:func:`check`). The work behind the driver and daemon functions lives in the
``novadocker_driver`` and ``novadocker_daemon`` modules; nova.conf and glance-api.conf are read
and edited by ``novadocker_conf``.

:depends: docker (the Python SDK) for the daemon checks, only on docker compute nodes.
"""

import copy
import difflib
import logging
import os
import re
import urllib.parse

import salt.utils.yaml
from salt.exceptions import SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: The formula's knowledge of each nova-docker release, from the driver's own source
#: (openstack-archive/nova-docker branches). ``api_version`` is the Docker remote API version
#: the driver's client pins (it does not negotiate); ``options`` are the ``[docker]`` options
#: the release registers, each mapped to the release that introduced it.
_OPTION_SINCE = {
    "vif_driver": "icehouse",
    "snapshots_directory": "icehouse",
    "host_url": "juno",
    "api_insecure": "juno",
    "ca_file": "juno",
    "cert_file": "juno",
    "key_file": "juno",
    "root_directory": "kilo",
    "inject_key": "kilo",
    "shared_directory": "liberty",
    "privileged": "liberty",
}

#: Option value types, for pillar validation.
_OPTION_TYPES = {
    "vif_driver": "str",
    "snapshots_directory": "str",
    "host_url": "str",
    "api_insecure": "bool",
    "ca_file": "str",
    "cert_file": "str",
    "key_file": "str",
    "root_directory": "str",
    "inject_key": "bool",
    "shared_directory": "str",
    "privileged": "bool",
}

#: Driver releases in order; ``newton`` and ``ocata`` are the last master (2016).
DRIVER_RELEASES = ("icehouse", "juno", "kilo", "liberty", "mitaka", "newton", "ocata")

_API_PIN = {
    # icehouse has its own client with a hard-coded socket path and no host_url option; its
    # requests use the 1.13-era API like juno's client.
    "icehouse": "1.13",
    "juno": "1.13",
    "kilo": "1.13",
    "liberty": "1.19",
    "mitaka": "1.19",
    "newton": "1.19",
    "ocata": "1.19",
}

#: OpenStack releases Glance is known under, in order. Glance reads container_formats from
#: [image_format] since icehouse ([DEFAULT] before).
GLANCE_RELEASES = (
    "grizzly",
    "havana",
    "icehouse",
    "juno",
    "kilo",
    "liberty",
    "mitaka",
    "newton",
    "ocata",
    "pike",
    "queens",
    "rocky",
    "stein",
    "train",
    "ussuri",
    "victoria",
    "wallaby",
    "xena",
    "yoga",
    "zed",
    "antelope",
    "bobcat",
    "caracal",
    "dalmatian",
    "epoxy",
    "flamingo",
)

#: Container formats Glance has ever accepted, plus the formula's two.
KNOWN_CONTAINER_FORMATS = (
    "ami",
    "ari",
    "aki",
    "bare",
    "ovf",
    "ova",
    "docker",
    "dockerref",
    "compressed",
)


def __virtual__():
    return __virtualname__


def _release_index(release, table):
    return table.index(release)


def release_info(release="mitaka"):
    """
    Return what the formula knows about one nova-docker driver release.

    release
        One of icehouse, juno, kilo, liberty, mitaka, newton, ocata.

    The result has ``release``, ``api_version`` (the Docker API version the driver's client
    pins), ``options`` (the ``[docker]`` options the release registers, each with the release
    that introduced it and its type) and ``host_url`` (whether the release reads
    ``[docker] host_url``; icehouse hard-codes the socket path).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.release_info liberty
    """
    if release not in DRIVER_RELEASES:
        raise SaltInvocationError(
            "unknown nova-docker release {!r}: accepted are {}".format(
                release, ", ".join(DRIVER_RELEASES)
            )
        )
    idx = _release_index(release, DRIVER_RELEASES)
    options = {
        name: {"since": since, "type": _OPTION_TYPES[name]}
        for name, since in _OPTION_SINCE.items()
        if _release_index(since, DRIVER_RELEASES) <= idx
    }
    return {
        "release": release,
        "api_version": _API_PIN[release],
        "options": options,
        "host_url": "host_url" in options,
    }


def releases():
    """
    Return the table of every nova-docker release the formula knows, in order.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.releases
    """
    return [release_info(rel) for rel in DRIVER_RELEASES]


def option_since(option):
    """
    Return the driver release that introduced a ``[docker]`` option, or ``None`` when no
    release of the driver knows it.

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.option_since privileged
    """
    return _OPTION_SINCE.get(option)


def glance_info(release="mitaka"):
    """
    Return where a Glance release reads ``container_formats`` and its default list.

    The result has ``release``, ``section`` (``image_format`` from icehouse on, ``DEFAULT``
    before) and ``default_formats`` (Glance's own default list for that release).

    CLI Example:

    .. code-block:: bash

        salt '*' novadocker.glance_info havana
    """
    if release not in GLANCE_RELEASES:
        raise SaltInvocationError(
            "unknown OpenStack release {!r} for Glance: accepted are {}".format(
                release, ", ".join(GLANCE_RELEASES)
            )
        )
    idx = GLANCE_RELEASES.index(release)
    formats = ["ami", "ari", "aki", "bare", "ovf"]
    if idx >= GLANCE_RELEASES.index("icehouse"):
        formats.append("ova")
    if idx >= GLANCE_RELEASES.index("mitaka"):
        formats.append("docker")
    if idx >= GLANCE_RELEASES.index("train"):
        formats.append("compressed")
    section = "image_format" if idx >= GLANCE_RELEASES.index("icehouse") else "DEFAULT"
    return {"release": release, "section": section, "default_formats": formats}
