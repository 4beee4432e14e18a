"""
The ``novadocker_driver`` states through Salt's states loader in this process (the
``formula_loader`` fixture of test/conftest.py), on a real virtualenv (``nova_python``) and a
real driver archive (``driver_archive``). The states through ``salt-call --local`` are in
test/integration/formula/test_driver_states.py.
"""

NO_BUILD = ["--no-build-isolation", "--no-deps"]


def test_state_noop_in_process_starts_no_process(
    formula_loader, nova_python, driver_archive, monkeypatch, no_process
):
    """The ``installed`` state's check, loaded in this process: with the wanted version in
    place it returns without a download, pip or any process."""
    mods, states = formula_loader.mods, formula_loader.states
    archive = driver_archive("1.0.0")
    mods["novadocker_driver.install"](
        nova_python, archive.url, archive.source_hash, version="1.0.0", pip_args=NO_BUILD
    )
    no_process()

    def no_download(*args, **kwargs):
        raise AssertionError("cp.cache_file was called")

    monkeypatch.setitem(mods, "cp.cache_file", no_download)
    ret = states["novadocker_driver.installed"](
        nova_python,
        source="http://127.0.0.1:9/never-fetched.zip",
        source_hash=archive.source_hash,
        version="1.0.0",
        pip_args=NO_BUILD,
    )
    assert ret["result"] is True and ret["changes"] == {}, ret
