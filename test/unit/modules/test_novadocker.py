"""
The ``novadocker`` execution module (``_modules/novadocker.py``): its own part of the restart
bookkeeping (``owe_restart``, ``restart_owed``) over the records util.

The module is imported from its file and wired by pytest-salt-factories'
``configure_loader_modules`` (test/unit/conftest.py): its ``__utils__`` are the formula's real
utils. What the marker holds is the util's part: test/unit/utils/test_novadocker_records.py.
"""

import pytest
from salt.exceptions import CommandExecutionError, SaltInvocationError
from testpaths import formula_module

novadocker = formula_module("modules", "novadocker")


@pytest.fixture
def configure_loader_modules(loader_modules):
    return loader_modules(novadocker)


def test_an_unwritable_marker_raises_unless_told_not_to(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    marker = blocker / "owed.json"  # its directory is a file: it cannot be written
    with pytest.raises(CommandExecutionError, match="cannot write record"):
        novadocker.owe_restart(str(marker), "nova.conf changed")
    assert novadocker.owe_restart(str(marker), "nova.conf changed", strict=False) is None


def test_role_must_be_compute_or_image():
    with pytest.raises(SaltInvocationError, match="role must be compute or image, not 'glance'"):
        novadocker.restart_owed(role="glance")
