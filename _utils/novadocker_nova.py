"""
What nova-compute reads, as the novadocker formula judges it: the one answer to "is this node
switched to the docker driver, and which daemon does the driver talk to?".

The grain, the beacon (through ``novadocker.switched``), the node report and the gates all ask
:py:func:`view`, which reads nova's config with the formula's one INI reader
(``novadocker_ini``) and judges ``compute_driver`` with the release facts
(``novadocker_releases``).

Pure: no Salt dunders.
"""

import sys

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_ini", "novadocker_releases"):
    sys.modules.pop(_name, None)
import novadocker_ini as ini  # noqa: E402
import novadocker_releases as releases  # noqa: E402

#: The keys of nova's config the formula judges a node by: the driver, and every ``[docker]``
#: option the driver registers (host_url and the TLS options decide how it reaches dockerd).
_KEYS = (("DEFAULT", "compute_driver"),) + tuple(
    ("docker", option) for option in sorted(releases.docker_options())
)


def view(settings):
    """How nova-compute reads this node's config, for ``settings`` (``novadocker_settings.
    compute``): ``{"nova_conf", "readable", "compute_driver", "switched", "host_url",
    "docker_options"}``.

    ``switched`` is true when ``compute_driver`` names nova-docker's driver (a spelling nova
    accepts, or the one pillar asks for); ``host_url`` is the daemon the driver talks to
    (nova.conf's ``[docker] host_url``, else the settings'); ``docker_options`` the ``[docker]``
    options nova reads (those nova.conf sets, as strings; the driver's defaults for the others;
    ``host_url`` always): how the driver reaches the daemon (``novadocker_docker.driver_tls``).
    An unreadable nova.conf gives the settings' ``[docker]`` options. Never raises for the
    file: an unreadable or missing nova.conf is ``readable: False``, not switched."""
    path = settings["paths"]["nova_conf"]
    found = ini.file_values(path, _KEYS)
    driver = (found or {}).get(_KEYS[0])
    host_url = (found or {}).get(("docker", "host_url")) or settings["docker_url"]
    docker = _docker(found) if found is not None else dict(settings["compute"]["docker"])
    return {
        "nova_conf": path,
        "readable": found is not None,
        "compute_driver": driver,
        "switched": releases.is_docker_driver(driver, settings["compute"]["compute_driver"]),
        "host_url": host_url,
        "docker_options": dict(docker, host_url=host_url),
    }


def _docker(found):
    return {key: value for (section, key), value in found.items() if section == "docker"}


def docker_options(path, written=None):
    """The ``[docker]`` options nova will read from its config ``path`` once ``written`` (the
    formula's ``[docker]`` keys, ``compute:docker``) are written there: the options ``path``
    sets now (strings, as oslo.config reads them), ``written`` over them. An unreadable file
    gives ``written`` alone. The daemon gate judges these, before the switch."""
    found = ini.file_values(path, _KEYS)
    options = _docker(found or {})
    options.update(written or {})
    return options


def planned_docker_options(settings):
    """:py:func:`docker_options` for ``settings``: nova.conf's ``[docker]`` options with the
    settings' over them, ``host_url`` the settings' (``docker_url``)."""
    options = docker_options(settings["paths"]["nova_conf"], settings["compute"]["docker"])
    options["host_url"] = settings["docker_url"]
    return options
