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

#: Every spelling of the driver's class in ``[DEFAULT] compute_driver`` that some nova accepts:
#: up to mitaka nova tries ``nova.virt.<name>`` then ``<name>`` (``import_object_ns``); from
#: newton on only ``nova.virt.<name>`` (:py:data:`NOVA_VIRT_ONLY_SINCE`), which reaches
#: nova-docker only through the formula's shim ``nova/virt/docker/`` (:py:data:`SHIM_SPELLING`).
DRIVER_CLASSES = (
    "novadocker.virt.docker.DockerDriver",
    "novadocker.virt.docker.driver.DockerDriver",
    "docker.DockerDriver",
    "docker.driver.DockerDriver",
    "nova.virt.docker.DockerDriver",
    "nova.virt.docker.driver.DockerDriver",
)

#: nova's major version from which ``load_compute_driver`` imports only
#: ``nova.virt.<compute_driver>`` (nova commit 8eb03de1, first released in 14.0.0, newton):
#: an out-of-tree driver named by its own module path no longer loads.
NOVA_VIRT_ONLY_SINCE = 14

#: What ``compute_driver`` says with the formula's shim package ``nova/virt/docker/`` in nova's
#: tree (the shim re-exports nova-docker's ``DockerDriver``).
SHIM_SPELLING = "docker.DockerDriver"

#: The nova-docker class the shim re-exports (the driver's own module path).
DRIVER_CLASS = "novadocker.virt.docker.DockerDriver"

#: nova's major version of each OpenStack release (13 mitaka ... 34 hibiscus).
NOVA_RELEASES = dict(
    zip(
        range(13, 35),
        (
            "mitaka newton ocata pike queens rocky stein train ussuri victoria wallaby xena "
            "yoga zed antelope bobcat caracal dalmatian epoxy flamingo gazpacho hibiscus"
        ).split(),
    )
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


def nova_load_rule(nova_version):
    """How a nova of ``nova_version`` (``"34.0.0"``) loads ``compute_driver``: ``"ns"`` (tries
    ``nova.virt.<name>``, then ``<name>``: mitaka and before), ``"nova.virt"`` (only
    ``nova.virt.<name>``: newton on), ``None`` when the version is unknown."""
    try:
        major = int(str(nova_version).split(".")[0])
    except (TypeError, ValueError):
        return None
    return "nova.virt" if major >= NOVA_VIRT_ONLY_SINCE else "ns"


def nova_release(nova_version):
    """The OpenStack release of a nova version (``"34.0.0"`` -> ``"hibiscus"``), ``None`` when
    unknown."""
    try:
        return NOVA_RELEASES.get(int(str(nova_version).split(".")[0]))
    except (TypeError, ValueError):
        return None


def driver_spellings(rule=None):
    """The spellings of nova-docker's class in ``compute_driver`` that a nova loading by
    ``rule`` (:py:func:`nova_load_rule`) accepts: under ``nova.virt`` only the shim's; every
    known spelling for ``ns``, and when the rule is unknown."""
    if rule == "nova.virt":
        return [SHIM_SPELLING]
    return list(DRIVER_CLASSES)


def driver_spelling(wanted, rule):
    """What to write in ``compute_driver`` for the driver pillar asks for (``wanted``) on a
    nova loading by ``rule``: nova-docker's own module path becomes the shim's spelling when
    nova loads only from ``nova.virt``; anything else is written as given."""
    if (
        rule == "nova.virt"
        and wanted in DRIVER_CLASSES
        and not wanted.startswith(("docker.", "nova.virt."))
    ):
        return SHIM_SPELLING
    return wanted


def needs_shim(spelling, rule):
    """True when nova (loading by ``rule``) reaches ``spelling`` only through the shim."""
    return rule == "nova.virt" and spelling == SHIM_SPELLING


def is_docker_driver(value, wanted=None, rule=None):
    """True when ``compute_driver`` ``value`` names nova-docker's driver in a spelling a nova
    loading by ``rule`` accepts (every known spelling when the rule is unknown), or is the
    spelling the formula was told to write (``wanted``)."""
    if not isinstance(value, str) or not value:
        return False
    return value in driver_spellings(rule) or (
        bool(wanted) and value == driver_spelling(wanted, rule)
    )


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
