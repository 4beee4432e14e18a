"""
``_utils/novadocker_records.py``: the driver record keeps what the formula's installs added
(``added``), and a record written by formula 0.1 (without it) is still read.
"""

import json

import novadocker_records as records
import pytest


def test_driver_record_with_and_without_added(tmp_path):
    path = tmp_path / "driver.json"
    records.write(str(path), "driver", {"python": "/p", "previous_version": None, "added": ["six"]})
    assert records.read(str(path), "driver")["added"] == ["six"]
    path.write_text(json.dumps({"python": "/p", "previous_version": "1.0"}))
    assert records.read(str(path), "driver") == {"python": "/p", "previous_version": "1.0"}


def test_driver_record_with_a_bad_added_is_damaged(tmp_path):
    path = tmp_path / "driver.json"
    path.write_text(json.dumps({"python": "/p", "previous_version": None, "added": "six"}))
    with pytest.raises(records.RecordError, match="'added' is 'six'"):
        records.read(str(path), "driver")
    with pytest.raises(ValueError, match="not a driver record"):
        records.write(str(path), "driver", {"python": "/p", "previous_version": None, "added": 1})
