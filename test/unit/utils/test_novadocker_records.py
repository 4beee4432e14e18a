"""The records and restart markers (``_utils/novadocker_records.py``, imported directly): the
marker the formula's states write before a change a service reads (``owe``), read by
``owed`` (``novadocker.owe_restart`` and ``novadocker.restart_owed`` hand these on; their own
part is in test/unit/modules/test_novadocker.py)."""

import json

import novadocker_records as records
import pytest
from salt.exceptions import CommandExecutionError


def test_reasons_accumulate_once_each_in_a_private_marker(tmp_path):
    marker = tmp_path / "state" / "compute-restart-owed.json"
    assert records.owed(str(marker)) is None
    first = records.owe(str(marker), "nova-docker 1.0.0 -> 1.1.0")
    assert first["reasons"] == ["nova-docker 1.0.0 -> 1.1.0"] and first["since"].endswith("Z")
    records.owe(str(marker), "user nova joined group docker")
    again = records.owe(str(marker), "nova-docker 1.0.0 -> 1.1.0")
    assert again == {
        "reasons": ["nova-docker 1.0.0 -> 1.1.0", "user nova joined group docker"],
        "since": first["since"],
    }
    assert records.owed(str(marker)) == again
    assert marker.stat().st_mode & 0o777 == 0o600
    assert marker.parent.stat().st_mode & 0o777 == 0o700


def test_a_damaged_marker_still_owes_the_restart(tmp_path):
    marker = tmp_path / "owed.json"
    marker.write_text("{not json")
    owed = records.owed(str(marker))
    assert owed["since"] is None
    assert owed["reasons"][0].startswith(f"marker {marker} is damaged")
    marker.write_text(json.dumps(["a", "list"]))
    assert records.owed(str(marker))["reasons"] == [
        f"marker {marker} is damaged: not a restart record (not a JSON object)"
    ]


def test_an_unwritable_marker_raises(tmp_path):
    (tmp_path / "a-file").write_text("")  # the marker's directory is a file: no marker there
    with pytest.raises(CommandExecutionError, match="cannot write record"):
        records.owe(str(tmp_path / "a-file" / "owed.json"), "nova.conf changed")
