"""
Shared fixtures for the novadocker suite (every tier sees them).

Everything here is real: salt-call --local through pytest-salt-factories, with the formula's
repository as file_roots, its _modules/_states synced by saltutil.sync_all, and a sandbox node
root per test (pillar ``novadocker:root``) so that no test touches the machine's /etc
(``node``, ``compute_node``: the integration tier); Salt's real loader in this process
(``formula_loader``, ``loader_mods``: the functional tier); the services of test/fixtures/.

The helpers behind them are plain modules (test/testnode.py, test/testloader.py,
test/testpaths.py): import those, never this file (every conftest.py of the suite is imported
by pytest, and ``from conftest import`` would not say which).

The suite's tiers (see README, Architecture):

* ``test/unit/<type>/``: pure, in this process, no service and no Salt process; utils are
  imported directly, module types are imported from their folder and wired with
  pytest-salt-factories' ``configure_loader_modules`` (test/unit/conftest.py);
* ``test/functional/<type>/``: module types through Salt's real loader (``formula_loader``)
  against real services (dockerd, venvs, system users, the OpenStack referees);
* ``test/integration/formula/``: ``salt-call --local`` on a sandbox node;
  ``test/integration/fleet/``: a real master and minions.
"""

import os

import pytest

from testloader import FormulaLoader
from testnode import LocalNode, lay_sandbox, local_minion_overrides
from testpaths import formula_root

pytest_plugins = [
    "fixtures.dockerd",
    "fixtures.dockerd_tls",
    "fixtures.nova_tls",
    "fixtures.driver",
    "fixtures.openstack",
]


@pytest.fixture(scope="session")
def salt_factories_config(tmp_path_factory):
    """Keep every factory file under this run's own temporary folder, never shared /tmp paths."""
    return {
        "root_dir": str(tmp_path_factory.mktemp("salt-factories")),
        "start_timeout": 120,
    }


@pytest.fixture(scope="session")
def local_minion_factory(salt_factories, tmp_path_factory):
    """A minion config for ``salt-call --local`` with the formula's repo as file_roots."""
    base = tmp_path_factory.mktemp("local-minion")
    pillar_dir = base / "pillar"
    pillar_dir.mkdir()
    service_log = base / "service.log"
    file_root = formula_root(base / "formula")
    overrides = local_minion_overrides(file_root, pillar_dir, service_log)
    factory = salt_factories.salt_minion_daemon("local-node", overrides=overrides)
    cli = factory.salt_call_cli(timeout=600)
    ret = cli.run("--local", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    factory._novadocker = (cli, pillar_dir, service_log, factory.config["log_file"], file_root)
    return factory


@pytest.fixture
def node(local_minion_factory, tmp_path):
    """A fresh sandbox node: ``<tmp>/node`` holding etc/nova/nova.conf and glance-api.conf."""
    cli, pillar_dir, service_log, log_file, file_root = local_minion_factory._novadocker
    if service_log.exists():
        service_log.unlink()
    root = tmp_path / "node"
    lay_sandbox(root)
    n = LocalNode(cli, pillar_dir, root, service_log, log_file, file_root)
    n.set_pillar({"novadocker": {"root": str(root)}})
    return n


@pytest.fixture(scope="session")
def formula_loader(tmp_path_factory):
    """A :py:class:`FormulaLoader` for the session (its cache in a temporary folder)."""
    return FormulaLoader(tmp_path_factory.mktemp("loader"))


@pytest.fixture(scope="session")
def loader_mods(formula_loader):
    """The execution modules of :py:class:`FormulaLoader` (cross-module ``__salt__`` and
    ``__utils__`` calls are real)."""
    return formula_loader.mods


@pytest.fixture
def compute_node(node, nova_user, dockerd, real_nova_python, driver_archive, http_server):
    """A sandbox docker compute node with every part real: a driver archive (pbr stand-in)
    published over HTTP on 127.0.0.1, a fresh venv with a real nova 34 as nova's, the session's
    dockerd, the test nova user (out of the socket group at the start), nova.conf root:nova
    0640. ``pillar(compute=..., driver=..., **top)`` writes the node's pillar over the good
    defaults."""
    import grp
    import types

    nova_user.reset()
    archive = driver_archive("stable-mitaka")
    nova_gid = grp.getgrnam(nova_user.user).gr_gid
    nova_conf = node.path("/etc/nova/nova.conf")
    os.chown(nova_conf, 0, nova_gid)
    os.chmod(nova_conf, 0o640)
    c = types.SimpleNamespace(
        node=node,
        user=nova_user,
        dockerd=dockerd,
        python=real_nova_python,
        http=http_server,
        archives=driver_archive,
        archive=archive,
        url=http_server.publish(archive),
        nova_gid=nova_gid,
    )

    def pillar(compute=None, driver=None, **top):
        compute_conf = {
            "enabled": True,
            "user": nova_user.user,
            "socket_group": nova_user.socket_group,
            "docker": {"host_url": dockerd.url},
            "service": "nova-compute",
        }
        compute_conf.update(compute or {})
        driver_conf = {
            "source": c.url,
            "source_hash": archive.source_hash,
            "version": "1.0.0",
            "python": real_nova_python,
            "pip_args": ["--no-build-isolation", "--no-deps"],
        }
        driver_conf.update(driver or {})
        data = {"root": str(node.root), "compute": compute_conf, "driver": driver_conf}
        data.update(top)
        node.set_pillar({"novadocker": data})

    c.pillar = pillar
    yield c
    nova_user.reset()


def pytest_sessionfinish(session, exitstatus):
    """Drop the records Salt's DeferredStreamHandler buffered in this process.

    Importing Salt installs a temporary handler that queues log records and flushes them to
    sys.stderr at exit; under pytest that stream is closed by then, which printed a spurious
    "Logging error ... I/O operation on closed file" after every run. The records are test
    harness chatter (pytest's own log capture already showed what matters).
    """
    import logging

    from salt._logging.handlers import DeferredStreamHandler

    for handler in list(logging.root.handlers):
        if isinstance(handler, DeferredStreamHandler):
            handler.sync_with_handlers([])
