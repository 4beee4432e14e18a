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

#: The keys of nova's config the formula judges a node by.
_KEYS = (("DEFAULT", "compute_driver"), ("docker", "host_url"))


def view(settings):
    """How nova-compute reads this node's config, for ``settings`` (``novadocker_settings.
    compute``): ``{"nova_conf", "readable", "compute_driver", "switched", "host_url"}``.

    ``switched`` is true when ``compute_driver`` names nova-docker's driver (a spelling nova
    accepts, or the one pillar asks for); ``host_url`` is the daemon the driver talks to
    (nova.conf's ``[docker] host_url``, else the settings'). Never raises for the file: an
    unreadable or missing nova.conf is ``readable: False``, not switched."""
    path = settings["paths"]["nova_conf"]
    found = ini.file_values(path, _KEYS)
    driver = (found or {}).get(_KEYS[0])
    return {
        "nova_conf": path,
        "readable": found is not None,
        "compute_driver": driver,
        "switched": releases.is_docker_driver(driver, settings["compute"]["compute_driver"]),
        "host_url": (found or {}).get(_KEYS[1]) or settings["docker_url"],
    }
