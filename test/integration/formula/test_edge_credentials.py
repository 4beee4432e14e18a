"""
Issue 12, item 2: credentials of the driver's source never leak.

A real HTTP server on 127.0.0.1 wants HTTP Basic credentials. Whether they come in the URL
(``https://user:pass@host/...``, or a token in its query string) or from the pillar keys
``driver:source_username`` / ``driver:source_password``, the password is never in the run's
output (success, ``test=True``, every error), in the minion log (failed states are logged at
ERROR), in the formula's records and markers, or in a cache file's name; with the pillar keys
it is not in any cache file at all (the state reads the password from pillar at run time: it
is not a state argument, so Salt's compiled-state cache does not hold it). ``pip_args`` with
credentials get the same treatment (item 3 refuses ``-r``; the refusal names the value
redacted).
"""

import shutil

import pytest

from .edge_helpers import (
    NOVA,
    STATE_DIR,
    cachedir,
    failed,
    text_of_everything,
)
from fixtures.driver import driver_files_installed
from fixtures.http_edges import PASSWORD, USER, auth_http_server  # noqa: F401 (fixture)
from testpaths import DATA

pytestmark = pytest.mark.slow

TOKEN = "tok-3f9c1d0b7e2a4c55"


def assert_secret_free(node, ret, secret, cache_contents=False):
    everything = text_of_everything(node, ret)
    names = "\n".join(p.name for p in cachedir(node).rglob("*"))
    assert secret not in names
    state_dir = node.path(STATE_DIR)
    if state_dir.is_dir():
        for p in state_dir.iterdir():
            assert secret not in p.name and secret not in p.read_text(errors="replace")
    assert secret not in (ret.stdout or "")
    assert secret not in (ret.stderr or "")
    assert secret not in node.log_file.read_text(errors="replace")
    if cache_contents:
        assert secret not in everything


@pytest.fixture
def creds(compute_node, auth_http_server):  # noqa: F811 (fixture)
    """The compute node and an archive published behind HTTP Basic auth."""
    name = auth_http_server.publish(compute_node.archive)
    compute_node.auth = auth_http_server
    compute_node.auth_name = name
    return compute_node


def test_userinfo_in_the_url_never_shows_but_works(creds):
    c = creds
    url = c.auth.url(c.auth_name, userinfo=f"{USER}:{PASSWORD}")
    c.pillar(driver={"source": url})

    ret, states = c.node.apply(test=True)
    assert ret.returncode == 0, failed(states)
    assert "would be installed" in states["novadocker-compute-driver"]["comment"]
    assert_secret_free(c.node, ret, PASSWORD)

    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    comment = states["novadocker-compute-driver"]["comment"]
    assert "Installed nova-docker 1.0.0" in comment and "127.0.0.1" in comment
    assert c.auth.requests and all(ok for _path, ok in c.auth.requests)
    assert_secret_free(c.node, ret, PASSWORD)


def test_every_download_error_keeps_the_password_out(creds, unreachable_url):
    c = creds
    port = unreachable_url.split(":")[2].split("/")[0]
    cases = [
        # (source URL, what the failure must say)
        (c.auth.url("missing.zip", userinfo=f"{USER}:{PASSWORD}"), "404"),
        (c.auth.url(c.auth_name, userinfo=f"{USER}:wrong-{PASSWORD}"), "401"),
        (f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/nova-docker.zip", "127.0.0.1"),
    ]
    for source, fragment in cases:
        c.pillar(driver={"source": source})
        ret, states = c.node.apply()
        assert ret.returncode != 0
        state = states["novadocker-compute-driver"]
        assert state["result"] is False and fragment in state["comment"], state["comment"]
        assert_secret_free(c.node, ret, PASSWORD)
        assert not driver_files_installed(c.python)

    # A hash mismatch.
    c.pillar(
        driver={
            "source": c.auth.url(c.auth_name, userinfo=f"{USER}:{PASSWORD}"),
            "source_hash": "sha256=" + "0" * 64,
        }
    )
    ret, states = c.node.apply()
    comment = states["novadocker-compute-driver"]["comment"]
    assert "0" * 64 in comment and c.archive.sha256 in comment
    assert_secret_free(c.node, ret, PASSWORD)

    # A token in the query string.
    c.pillar(driver={"source": c.auth.url("missing.zip", query=f"private_token={TOKEN}")})
    ret, states = c.node.apply()
    assert (
        "404" in states["novadocker-compute-driver"]["comment"]
        or "401" in (states["novadocker-compute-driver"]["comment"])
    )
    assert_secret_free(c.node, ret, TOKEN)

    # A bad scheme, refused by the pillar validation (in test mode too).
    c.pillar(driver={"source": f"ftp://{USER}:{PASSWORD}@127.0.0.1/nova-docker.zip"})
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        valid = states["novadocker-pillar-valid"]
        assert valid["result"] is False
        assert "novadocker:driver:source" in valid["comment"]
        assert "ftp://" in valid["comment"]
        assert_secret_free(c.node, ret, PASSWORD)
    assert c.node.path(NOVA).read_bytes() == (DATA / "nova.conf").read_bytes()


def test_credentials_from_pillar_keys_reach_the_server_and_nothing_else(creds):
    c = creds
    c.pillar(
        driver={
            "source": c.auth.url(c.auth_name),
            "source_username": USER,
            "source_password": PASSWORD,
        }
    )
    ret, states = c.node.apply(test=True)
    assert ret.returncode == 0, failed(states)
    assert_secret_free(c.node, ret, PASSWORD, cache_contents=True)

    ret, states = c.node.apply()
    assert ret.returncode == 0, failed(states)
    assert c.auth.requests and all(ok for _path, ok in c.auth.requests)
    assert "Installed nova-docker 1.0.0" in states["novadocker-compute-driver"]["comment"]
    assert_secret_free(c.node, ret, PASSWORD, cache_contents=True)

    # A wrong password: a 401 that names the user, never the password. (The archive the
    # first run downloaded is kept in the minion cache under its hash: drop it.)
    c.node.apply("novadocker.clean")
    shutil.rmtree(cachedir(c.node) / "novadocker" / "downloads")
    c.pillar(
        driver={
            "source": c.auth.url(c.auth_name),
            "source_username": USER,
            "source_password": "not-" + PASSWORD,
        }
    )
    ret, states = c.node.apply()
    comment = states["novadocker-compute-driver"]["comment"]
    assert "401" in comment, comment
    assert_secret_free(c.node, ret, PASSWORD, cache_contents=True)


def test_pip_args_with_credentials_are_redacted(creds):
    c = creds
    index = f"http://{USER}:{PASSWORD}@127.0.0.1:9/simple"
    # -r is refused (item 3): the refusal quotes pip_args, redacted.
    c.pillar(driver={"pip_args": ["--index-url", index, "-r", "/etc/shadow"]})
    for test_mode in (True, False):
        ret, states = c.node.apply(test=test_mode)
        valid = states["novadocker-pillar-valid"]
        assert valid["result"] is False
        assert "novadocker:driver:pip_args" in valid["comment"]
        assert_secret_free(c.node, ret, PASSWORD)
    # Accepted, and pip fails (a dependency, nothing listening on port 9): pip's output is
    # quoted, redacted.
    needs = c.archives("stable-mitaka", filename="needs-dep.zip", requirements="pbr\nnd-missing\n")
    c.pillar(
        driver={
            "source": c.http.publish(needs),
            "source_hash": needs.source_hash,
            "pip_args": ["--no-build-isolation", "--index-url", index, "--retries", "0"],
        }
    )
    ret, states = c.node.apply()
    state = states["novadocker-compute-driver"]
    assert state["result"] is False and "pip could not install" in state["comment"]
    assert_secret_free(c.node, ret, PASSWORD)
