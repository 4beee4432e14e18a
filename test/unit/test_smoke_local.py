"""Smoke: the loader finds the formula's modules through salt-call --local."""


def test_release_table_through_salt_call(node):
    ret = node.call("novadocker.release_info", "liberty")
    assert ret.returncode == 0, ret
    assert ret.data["api_version"] == "1.19"
    assert "privileged" in ret.data["options"]
    assert node.call("service.restart", "nova-compute").data is True
    assert node.restarts()[0][:2] == ["restart", "nova-compute"]
