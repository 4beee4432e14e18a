"""
The sample config files of test/data, as the unit tests of the INI reader and editor
(test/unit/utils/test_novadocker_ini.py) and of the modules and states that use it
(test/unit/{modules,states}/test_novadocker_conf.py, test_novadocker_glance.py) spell out
their expectations: byte for byte, so that any stray change to a line the formula does not own
fails a test. A plain module: ``from confsamples import NOVA, replace_once``.
"""

import pathlib

from testpaths import DATA

NOVA = (DATA / "nova.conf").read_bytes()
GLANCE = (DATA / "glance-api.conf").read_bytes()
EDGE = (DATA / "conf" / "edge.conf").read_bytes()
#: Values of keys the formula does not own in the samples: never in a record or a return.
SECRETS = ("S3cr%3Dt", "N0vaDBpass", "N0vaKSpass")
DRIVER = "novadocker.virt.docker.DockerDriver"
SOCKET = "unix:///var/run/docker.sock"
#: Glance mitaka's default container_formats.
MITAKA = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker"]


def read(path):
    return pathlib.Path(path).read_bytes()


def replace_once(data, old, new):
    assert data.count(old) == 1, old
    return data.replace(old, new)
