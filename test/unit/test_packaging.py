"""
Packaging metadata: FORMULA (spm) and CHANGELOG.md agree, and FORMULA packs what a minion needs.
"""

import pathlib
import re

import salt.utils.yaml

REPO = pathlib.Path(__file__).resolve().parents[2]

HEADING = re.compile(r"^## (?P<version>\d+(?:\.\d+)*)(?: \((?P<date>[^)]*)\))?\s*$", re.M)


def _formula():
    return salt.utils.yaml.safe_load((REPO / "FORMULA").read_text())


def _changelog_versions():
    return [m.group("version") for m in HEADING.finditer((REPO / "CHANGELOG.md").read_text())]


def _key(version):
    return tuple(int(part) for part in version.split("."))


def test_formula_version_is_the_newest_changelog_entry():
    versions = _changelog_versions()
    assert versions, "CHANGELOG.md has no '## <version>' heading"
    assert str(_formula()["version"]) == versions[0]


def test_changelog_versions_are_unique_and_newest_first():
    versions = _changelog_versions()
    assert len(versions) == len(set(versions)), versions
    assert versions == sorted(versions, key=_key, reverse=True), versions


def test_changelog_headings_are_all_parsed():
    # A heading the pattern misses (a typo such as '## v0.2.0') would escape the checks above.
    text = (REPO / "CHANGELOG.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == len(_changelog_versions()), headings


def test_formula_has_what_spm_requires():
    formula = _formula()
    # spm build refuses a FORMULA without these; spm local install without the last four.
    for field in ("name", "version", "release", "summary", "description"):
        assert formula.get(field), field
    assert re.fullmatch(r"\d+(?:\.\d+)*", str(formula["version"])), formula["version"]
    assert isinstance(formula["release"], int) and formula["release"] >= 1
    assert formula["name"] == formula["top_level_dir"] == "novadocker"
    assert (REPO / formula["top_level_dir"] / "init.sls").is_file()


def test_formula_files_list_covers_every_salt_folder():
    files = _formula()["files"]
    for entry in files:
        assert (REPO / entry).exists(), "FORMULA files entry {} does not exist".format(entry)
    for required in ("FORMULA", "pillar.example", "novadocker"):
        assert required in files
    # Every top-level _<type> folder (_modules, _states, _grains, _beacons, ...) must ship.
    salt_dirs = sorted(p.name for p in REPO.glob("_*") if p.is_dir())
    assert "_modules" in salt_dirs and "_states" in salt_dirs
    missing = [d for d in salt_dirs if d not in files]
    assert not missing, "FORMULA files lacks {}".format(missing)
