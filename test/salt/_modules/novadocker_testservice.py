"""
Test-only ``service`` provider for the novadocker suite.

Why a stand-in: this sandbox has no init system (PID 1 is not systemd and there are no
nova-compute/glance-api units to manage), so Salt's real service providers cannot run here.
The suite's minion config maps ``service`` to this module (``providers: {service:
novadocker_testservice}``); it appends every call to the file named by the minion option
``novadocker_testservice_log`` so tests can assert exactly which services were restarted and
when. Everything else in the runs is real.

A test that runs the service for real (a glance-api under uWSGI, test/fixtures/openstack.py)
makes its restart real too: ``<log>.hooks`` (JSON ``{service: unix socket path}``) names a
socket where the test listens (test/fixtures/publishing.py, ``RestartHook``); a restart of
that service sends its name there and returns once the test answers ``ok`` (the service is
back), or fails with the test's answer, as ``systemctl restart`` does.
"""

import json
import socket
import time

from salt.exceptions import CommandExecutionError

__virtualname__ = "novadocker_testservice"


def __virtual__():
    if __opts__.get("novadocker_testservice_log"):
        return __virtualname__
    return (False, "test-only module: novadocker_testservice_log is not configured")


def _log(action, name):
    with open(__opts__["novadocker_testservice_log"], "a", encoding="utf-8") as fh:
        fh.write("{} {} {:.6f}\n".format(action, name, time.time()))
    return True


def _failing(name):
    """A test makes the restart of ``name`` fail by listing it in ``<log>.fail``."""
    try:
        with open(__opts__["novadocker_testservice_log"] + ".fail", encoding="utf-8") as fh:
            return name in fh.read().split()
    except FileNotFoundError:
        return False


def _hook(name):
    """Have the test restart ``name`` when ``<log>.hooks`` names a socket for it."""
    try:
        with open(__opts__["novadocker_testservice_log"] + ".hooks", encoding="utf-8") as fh:
            path = json.load(fh).get(name)
    except FileNotFoundError:
        return
    if not path:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(180)
        sock.connect(path)
        sock.sendall((name + "\n").encode())
        answer = sock.makefile("r", encoding="utf-8").readline().strip()
    if answer != "ok":
        raise CommandExecutionError(f"Job for {name}.service failed (test hook: {answer})")


def restart(name, **kwargs):
    """
    Record a restart of ``name`` (or fail, as a unit that does not come back would, when a
    test listed ``name`` in ``<log>.fail``); a test that runs ``name`` for real restarts it
    (``<log>.hooks``).

    CLI Example:

    .. code-block:: bash

        salt-call --local service.restart nova-compute
    """
    if _failing(name):
        raise CommandExecutionError(f"Job for {name}.service failed (test)")
    _hook(name)
    return _log("restart", name)


def start(name, **kwargs):
    """
    Record a start of ``name``.

    CLI Example:

    .. code-block:: bash

        salt-call --local service.start nova-compute
    """
    return _log("start", name)


def stop(name, **kwargs):
    """
    Record a stop of ``name``.

    CLI Example:

    .. code-block:: bash

        salt-call --local service.stop nova-compute
    """
    return _log("stop", name)


def status(name, sig=None, **kwargs):
    """
    Report every service as running.

    CLI Example:

    .. code-block:: bash

        salt-call --local service.status nova-compute
    """
    return True


def available(name):
    """
    Report every service as available.

    CLI Example:

    .. code-block:: bash

        salt-call --local service.available nova-compute
    """
    return True
