"""
``_utils/novadocker_pyenv.py``: what nova's environment holds and whether pip can install
there, read on disk: the distributions (what an install added, what a clean may remove), pip's
presence, PEP 668's marker (a real venv, a stand-in system prefix, and this Debian machine's
own /usr/bin/python3).
"""

import os
import subprocess
import sys

import novadocker_pyenv as pyenv


def test_distributions_from_metadata_names(tmp_path):
    site = tmp_path / "site-packages"
    site.mkdir()
    for entry in (
        "nova_docker-0.0.1.dev273.dist-info",
        "Six-1.17.0.dist-info",
        "oslo.config-10.7.0.dist-info",
        "idna-3.20-py3.11.egg-info",
        "pbr",  # a package, not metadata
        "README.txt",
    ):
        (site / entry).mkdir() if "." not in entry[-4:] else (site / entry).write_text("")
    assert pyenv.distributions([str(site), str(tmp_path / "missing")]) == {
        "nova-docker": "0.0.1.dev273",
        "six": "1.17.0",
        "oslo-config": "10.7.0",
        "idna": "3.20",
    }


def test_a_real_venv_lists_what_pip_lists(tmp_path, nova_python):
    sites = pyenv.site_dirs(nova_python)
    found = pyenv.distributions(sites)
    listed = subprocess.run(
        [nova_python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found == {pyenv.norm_name(n): v for n, v in (line.split("==") for line in listed)}
    assert pyenv.has_pip(sites)
    assert pyenv.externally_managed(nova_python) is None  # a venv never is


def test_externally_managed_system_layout(tmp_path):
    prefix = tmp_path / "usr"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib" / "python3.11").mkdir(parents=True)
    python = prefix / "bin" / "python3.11"
    python.write_text("")
    assert pyenv.externally_managed(str(python)) is None
    marker = prefix / "lib" / "python3.11" / "EXTERNALLY-MANAGED"
    marker.write_text("[externally-managed]\n")
    assert pyenv.externally_managed(str(python)) == str(marker)
    assert not pyenv.has_pip([str(tmp_path)])


def test_this_debian_system_python_is_externally_managed():
    """The machine's own /usr/bin/python3 (Debian 12), as pip itself sees it."""
    marker = pyenv.externally_managed("/usr/bin/python3")
    probe = subprocess.run(
        [
            "/usr/bin/python3",
            "-c",
            "import os, sysconfig; p = os.path.join(sysconfig.get_path('stdlib'), "
            "'EXTERNALLY-MANAGED'); print(p if os.path.exists(p) else '')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert probe, "this machine's /usr/bin/python3 is expected to carry PEP 668's marker"
    assert os.path.realpath(marker) == os.path.realpath(probe)
    assert pyenv.externally_managed(sys.executable) is None  # the suite's own venv
