"""
Grains of the novadocker formula: is this node a docker compute node, and with what.

``novadocker:compute``
    True when nova.conf's ``[DEFAULT] compute_driver`` is nova-docker's driver, i.e. the node
    has been switched (not merely when pillar asks for it).
``novadocker:driver_version``
    The nova-docker version installed in nova's Python environment (``None``: not installed).
``novadocker:docker_api_version`` / ``novadocker:docker_version``
    The API version (highest) and the server version of the Docker daemon nova-docker talks to
    (``[docker] host_url`` in nova.conf; a ``tcp://`` daemon over TLS with the ``[docker]``
    options nova reads, as the driver's client builds them), ``None`` when it does not answer.

So that operators can target, e.g.::

    salt -G 'novadocker:compute:True' novadocker.check
    salt -G 'novadocker:docker_api_version:1.4*' test.ping

The node is judged exactly as ``novadocker.check`` and the beacon judge it, by the formula's
shared code (``_utils``): where nova-compute's config chain and nova's interpreter are, as the
formula's last state run set them (``novadocker_settings.read_view``: grains are computed before
the minion has its pillar), nova's config read over the whole chain by the one INI reader
(``novadocker_nova``, ``novadocker_ini``), which spellings of the driver the installed nova
accepts, the driver's metadata on disk (``novadocker_pyenv``) and the one Docker client
(``novadocker_docker``).

Grains are computed when the minion loads them (at start and on ``saltutil.refresh_grains``),
before templates or pillar rendering, so they stay cheap and never raise or hang: no process is
started, and the daemon gets one ``GET /version`` (unix socket, TCP or TLS) with a bounded
total time (minion option ``novadocker_grains_timeout``, 1 second by default). Before the
formula's first state run on a node every value is ``None``: the grain cannot know where nova's
config is.
"""

import logging

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: Total time allowed to the daemon query, in seconds.
_DEFAULT_TIMEOUT = 1.0


def __virtual__():
    return __virtualname__


def _timeout():
    try:
        timeout = float(__opts__.get("novadocker_grains_timeout", _DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        timeout = _DEFAULT_TIMEOUT
    return min(max(timeout, 0.05), 10.0)


def novadocker():
    """
    Return the ``novadocker`` grain: ``compute``, ``driver_version``, ``docker_api_version``,
    ``docker_version`` (see the module's documentation). Never raises: anything it cannot
    read is ``None``.

    CLI Example:

    .. code-block:: bash

        salt '*' grains.get novadocker
        salt -G 'novadocker:compute:True' test.ping
    """
    grain = {
        "compute": None,
        "driver_version": None,
        "docker_api_version": None,
        "docker_version": None,
    }
    try:
        conf = __utils__["novadocker_settings.read_view"](__opts__["cachedir"])
        if conf is None:
            log.debug("novadocker grains: the formula has not run on this node yet")
            return {"novadocker": grain}
        view = __utils__["novadocker_nova.view"](conf)
        grain["compute"] = view["switched"]
        grain["driver_version"] = __utils__["novadocker_pyenv.disk_version"](
            conf["driver"]["python"]
        )
        # Reached as the driver reaches it: over TLS with the [docker] options nova reads.
        state = __utils__["novadocker_docker.driver_probe"](view["docker_options"], _timeout())
        grain["docker_api_version"], grain["docker_version"] = (
            state["api_version"],
            state["version"],
        )
    except Exception:  # a grain never raises
        log.warning("novadocker grains: could not compute every value", exc_info=True)
    return {"novadocker": grain}
