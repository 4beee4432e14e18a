"""The restart bookkeeping (novadocker.owe_restart / restart_owed) through Salt's real loader:
the marker the formula's states write after a change a service reads."""

import json

import pytest
from salt.exceptions import CommandExecutionError


@pytest.fixture(scope="module")
def mods(loader_mods):
    return loader_mods


def test_reasons_accumulate_once_each_in_a_private_marker(mods, tmp_path):
    marker = tmp_path / "state" / "compute-restart-owed.json"
    assert mods["novadocker.restart_owed"](str(marker)) is None
    first = mods["novadocker.owe_restart"](str(marker), "nova-docker 1.0.0 -> 1.1.0")
    assert first["reasons"] == ["nova-docker 1.0.0 -> 1.1.0"] and first["since"].endswith("Z")
    mods["novadocker.owe_restart"](str(marker), "user nova joined group docker")
    again = mods["novadocker.owe_restart"](str(marker), "nova-docker 1.0.0 -> 1.1.0")
    assert again == {
        "reasons": ["nova-docker 1.0.0 -> 1.1.0", "user nova joined group docker"],
        "since": first["since"],
    }
    assert mods["novadocker.restart_owed"](str(marker)) == again
    assert marker.stat().st_mode & 0o777 == 0o600
    assert marker.parent.stat().st_mode & 0o777 == 0o700


def test_a_damaged_marker_still_owes_the_restart(mods, tmp_path):
    marker = tmp_path / "owed.json"
    marker.write_text("{not json")
    owed = mods["novadocker.restart_owed"](str(marker))
    assert owed["since"] is None
    assert owed["reasons"][0].startswith(f"marker {marker} is damaged")
    marker.write_text(json.dumps(["a", "list"]))
    assert mods["novadocker.restart_owed"](str(marker))["reasons"] == [
        f"marker {marker} is damaged: not a restart record (not a JSON object)"
    ]


def test_an_unwritable_marker_raises_unless_told_not_to(mods, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    marker = blocker / "owed.json"  # its directory is a file: it cannot be written
    with pytest.raises(CommandExecutionError, match="cannot write record"):
        mods["novadocker.owe_restart"](str(marker), "nova.conf changed")
    assert mods["novadocker.owe_restart"](str(marker), "nova.conf changed", strict=False) is None


def test_role_must_be_compute_or_image(mods):
    from salt.exceptions import SaltInvocationError

    with pytest.raises(SaltInvocationError, match="role must be compute or image, not 'glance'"):
        mods["novadocker.restart_owed"](role="glance")
