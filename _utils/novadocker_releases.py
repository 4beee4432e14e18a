"""
Release knowledge of the novadocker formula, as plain data with public accessors.

Every fact about a nova-docker release (the Docker API version its client pins, the ``[docker]``
options it registers), about Glance releases (where ``container_formats`` is read, the default
list) and about the spellings of the driver's class lives here, once. The execution modules,
the pillar schema, the settings, the grain and the beacon all read it through these functions;
none keeps a copy.

This module is pure: no Salt dunders, no I/O. It is reached as ``__utils__["novadocker_releases.
<function>"]`` from execution, state, runner and grain modules, and imported by its sibling utils
(see ``novadocker_settings``).
"""

import copy

from salt.exceptions import SaltInvocationError

#: Driver releases in order; ``newton`` and ``ocata`` are the last master (2016).
DRIVER_RELEASES = ("icehouse", "juno", "kilo", "liberty", "mitaka", "newton", "ocata")

#: ``[docker]`` options the driver registers: the release that introduced each, and its type.
#: From the driver's own source (openstack-archive/nova-docker branches).
DOCKER_OPTIONS = {
    "vif_driver": {"since": "icehouse", "type": "str"},
    "snapshots_directory": {"since": "icehouse", "type": "str"},
    "host_url": {"since": "juno", "type": "str"},
    "api_insecure": {"since": "juno", "type": "bool"},
    "ca_file": {"since": "juno", "type": "str"},
    "cert_file": {"since": "juno", "type": "str"},
    "key_file": {"since": "juno", "type": "str"},
    "root_directory": {"since": "kilo", "type": "str"},
    "inject_key": {"since": "kilo", "type": "bool"},
    "shared_directory": {"since": "liberty", "type": "str"},
    "privileged": {"since": "liberty", "type": "bool"},
}

#: The Docker remote API version each release's client pins (it does not negotiate). icehouse
#: has its own client with a hard-coded socket path and no host_url option; its requests use
#: the 1.13-era API like juno's client.
API_PIN = {
    "icehouse": "1.13",
    "juno": "1.13",
    "kilo": "1.13",
    "liberty": "1.19",
    "mitaka": "1.19",
    "newton": "1.19",
    "ocata": "1.19",
}

#: Where the driver's daemon is when nova.conf names none (``[docker] host_url``'s default).
DEFAULT_HOST_URL = "unix:///var/run/docker.sock"

#: Every spelling of the driver's class that nova accepts in ``[DEFAULT] compute_driver``
#: (nova prefixes ``nova.virt.`` to a relative name).
DRIVER_CLASSES = (
    "novadocker.virt.docker.DockerDriver",
    "novadocker.virt.docker.driver.DockerDriver",
    "docker.DockerDriver",
    "docker.driver.DockerDriver",
    "nova.virt.docker.DockerDriver",
    "nova.virt.docker.driver.DockerDriver",
)

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
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "dockerref", "compressed")

#: Glance's default container_formats list grew with these releases.
_GLANCE_FORMATS_SINCE = (("ova", "icehouse"), ("docker", "mitaka"), ("compressed", "train"))


def driver_releases():
    """The nova-docker releases the formula knows, oldest first."""
    return list(DRIVER_RELEASES)


def docker_options():
    """Every ``[docker]`` option any release knows: ``{name: {"since", "type"}}``."""
    return copy.deepcopy(DOCKER_OPTIONS)


def option_since(option):
    """The driver release that introduced ``[docker] option``; ``None`` when none knows it."""
    spec = DOCKER_OPTIONS.get(option) if isinstance(option, str) else None
    return spec["since"] if spec else None


def driver_release(release):
    """What the formula knows about one driver release: ``release``, ``branch``,
    ``api_version`` (the pin), ``options`` (``{name: {"since", "type"}}`` the release
    registers) and ``host_url`` (whether it reads ``[docker] host_url``)."""
    if release not in DRIVER_RELEASES:
        raise SaltInvocationError(
            "unknown nova-docker release {!r}: accepted are {}".format(
                release, ", ".join(DRIVER_RELEASES)
            )
        )
    idx = DRIVER_RELEASES.index(release)
    options = {
        name: dict(spec)
        for name, spec in DOCKER_OPTIONS.items()
        if DRIVER_RELEASES.index(spec["since"]) <= idx
    }
    return {
        "release": release,
        "branch": "master" if release in ("newton", "ocata") else "stable/" + release,
        "api_version": API_PIN[release],
        "options": options,
        "host_url": "host_url" in options,
    }


def is_docker_driver(value, wanted=None):
    """True when ``compute_driver`` ``value`` names nova-docker's driver: one of the spellings
    nova accepts, or the spelling the formula was told to write (``wanted``)."""
    if not isinstance(value, str) or not value:
        return False
    return value in DRIVER_CLASSES or (bool(wanted) and value == wanted)


def glance_releases():
    """The OpenStack releases Glance is known under, oldest first."""
    return list(GLANCE_RELEASES)


def glance_release(release):
    """Where a Glance release reads ``container_formats`` and its default list:
    ``{"release", "section", "default_formats"}``."""
    if release not in GLANCE_RELEASES:
        raise SaltInvocationError(
            "unknown OpenStack release {!r} for Glance: accepted are {}".format(
                release, ", ".join(GLANCE_RELEASES)
            )
        )
    idx = GLANCE_RELEASES.index(release)
    formats = ["ami", "ari", "aki", "bare", "ovf"]
    formats += [fmt for fmt, since in _GLANCE_FORMATS_SINCE if idx >= GLANCE_RELEASES.index(since)]
    section = "image_format" if idx >= GLANCE_RELEASES.index("icehouse") else "DEFAULT"
    return {"release": release, "section": section, "default_formats": formats}


def container_formats():
    """Every container format Glance has accepted, plus ``docker`` and ``dockerref``."""
    return list(CONTAINER_FORMATS)
