"""
novadocker_schema.validate: the whole pillar checked at once.

``_utils/novadocker_schema.py`` is imported directly (it is pure), and so are the release facts
it is checked against (``novadocker_releases``): the execution-module facades
(``novadocker.validate_pillar``, ``novadocker.schema``, ``novadocker.releases``) hand their
answers on unchanged; ``novadocker.validate_pillar`` through ``salt-call`` is in
test/integration/formula/test_execution_modules.py.
"""

import datetime
import os

import novadocker_releases
import novadocker_schema
import pytest
import salt.utils.yaml
from testpaths import REPO

DEFAULTS = REPO / "novadocker" / "parameters" / "defaults.yaml"
PILLAR_EXAMPLE = REPO / "pillar.example"

SHA = "sha256=" + "ab" * 32


@pytest.fixture(scope="module")
def validate():
    """``novadocker_schema.validate`` (imported straight from _utils) with the formula's
    defaults as the fallbacks, as novadocker.validate_pillar calls it."""
    defaults = defaults_values()
    return lambda data: novadocker_schema.validate(data, defaults)


def defaults_values():
    return salt.utils.yaml.safe_load(DEFAULTS.read_text())["values"]


def release_table():
    """What ``novadocker.releases`` returns: every driver release's facts, oldest first."""
    return [
        novadocker_releases.driver_release(release)
        for release in novadocker_releases.driver_releases()
    ]


# -- one bad input, one problem ---------------------------------------------------------------
#
# (id, pillar, key path, fragment of what is accepted, the bad value whose repr is reported)

BAD = [
    ("enabled-string", {"compute": {"enabled": "yes"}}, "compute:enabled", "true or false", "yes"),
    ("enabled-int", {"image": {"enabled": 1}}, "image:enabled", "true or false", 1),
    (
        "gates-string",
        {"unsafe_skip_readiness_gates": "false"},
        "unsafe_skip_readiness_gates",
        "true or false",
        "false",
    ),
    ("root-relative", {"root": "srv/node"}, "root", "'' or an absolute path", "srv/node"),
    ("state-dir-dotdot", {"state_dir": "/var/lib/../etc"}, "state_dir", "'..'", "/var/lib/../etc"),
    (
        "nova-conf-newline",
        {"compute": {"nova_conf": "/etc/nova/nova.conf\n[DEFAULT]"}},
        "compute:nova_conf",
        "absolute path",
        "/etc/nova/nova.conf\n[DEFAULT]",
    ),
    (
        "rootwrap-relative",
        {"compute": {"rootwrap_dir": "etc/nova/rootwrap.d"}},
        "compute:rootwrap_dir",
        "absolute path",
        "etc/nova/rootwrap.d",
    ),
    (
        "compute-driver-not-dotted",
        {"compute": {"compute_driver": "DockerDriver"}},
        "compute:compute_driver",
        "dotted Python path",
        "DockerDriver",
    ),
    ("user-upper", {"compute": {"user": "Nova"}}, "compute:user", "POSIX user", "Nova"),
    (
        "group-too-long",
        {"compute": {"socket_group": "d" * 33}},
        "compute:socket_group",
        "at most 32",
        "d" * 33,
    ),
    ("compute-service-true", {"compute": {"service": True}}, "compute:service", "or false", True),
    ("image-service-empty", {"image": {"service": ""}}, "image:service", "or false", ""),
    (
        "docker-not-mapping",
        {"compute": {"docker": "unix:///var/run/docker.sock"}},
        "compute:docker",
        "mapping of [docker] options",
        "unix:///var/run/docker.sock",
    ),
    (
        "host-url-scheme",
        {"compute": {"docker": {"host_url": "ftp://dockerd"}}},
        "compute:docker:host_url",
        "unix://, tcp://, http://, https://",
        "ftp://dockerd",
    ),
    (
        "host-url-unix-relative",
        {"compute": {"docker": {"host_url": "unix://var/run/docker.sock"}}},
        "compute:docker:host_url",
        "absolute socket path",
        "unix://var/run/docker.sock",
    ),
    (
        "docker-bool-option-string",
        {"compute": {"docker": {"api_insecure": "false"}}},
        "compute:docker:api_insecure",
        "true or false",
        "false",
    ),
    (
        "docker-option-newline",
        {"compute": {"docker": {"vif_driver": "a.B\nprivileged = True"}}},
        "compute:docker:vif_driver",
        "single line",
        "a.B\nprivileged = True",
    ),
    (
        "docker-str-option-number",
        {"compute": {"docker": {"ca_file": 3}}},
        "compute:docker:ca_file",
        "a string",
        3,
    ),
    (
        "driver-release",
        {"driver": {"release": "zed"}},
        "driver:release",
        "icehouse, juno, kilo, liberty, mitaka, newton, ocata",
        "zed",
    ),
    (
        "driver-source-scheme",
        {"driver": {"source": "ftp://example.com/nova-docker.zip"}},
        "driver:source",
        "https, http, salt, file",
        "ftp://example.com/nova-docker.zip",
    ),
    (
        "driver-source-no-host",
        {"driver": {"source": "https:///nova-docker.zip"}},
        "driver:source",
        "https, http, salt, file",
        "https:///nova-docker.zip",
    ),
    (
        "source-hash-md5",
        {"driver": {"source_hash": "md5=0123"}},
        "driver:source_hash",
        "sha256=<64 hex digits>",
        "md5=0123",
    ),
    (
        "source-hash-short",
        {"driver": {"source_hash": "sha256=abc"}},
        "driver:source_hash",
        "sha256=<64 hex digits>",
        "sha256=abc",
    ),
    (
        "skip-hash-string",
        {"driver": {"unsafe_skip_source_hash": "true"}},
        "driver:unsafe_skip_source_hash",
        "true or false",
        "true",
    ),
    ("version-v", {"driver": {"version": "v1.2.3"}}, "driver:version", "pbr version", "v1.2.3"),
    ("version-float", {"driver": {"version": 1.2}}, "driver:version", "quote it in YAML", 1.2),
    (
        "api-version-float",
        {"driver": {"api_version": 1.19}},
        "driver:api_version",
        "<major>.<minor>",
        1.19,
    ),
    (
        "api-version-three",
        {"driver": {"api_version": "1.19.0"}},
        "driver:api_version",
        "<major>.<minor>",
        "1.19.0",
    ),
    ("python-relative", {"driver": {"python": "python3"}}, "driver:python", "absolute", "python3"),
    (
        "pip-args-string",
        {"driver": {"pip_args": "--no-deps"}},
        "driver:pip_args",
        "a list of strings",
        "--no-deps",
    ),
    (
        "pip-args-item",
        {"driver": {"pip_args": ["--no-deps", 3]}},
        "driver:pip_args:1",
        "a string",
        3,
    ),
    (
        "image-release",
        {"image": {"release": "folsom"}},
        "image:release",
        "grizzly, havana, icehouse",
        "folsom",
    ),
    (
        "container-formats-empty",
        {"image": {"container_formats": []}},
        "image:container_formats",
        "docker, dockerref",
        [],
    ),
    (
        "container-formats-string",
        {"image": {"container_formats": "docker"}},
        "image:container_formats",
        "non-empty list",
        "docker",
    ),
    (
        "container-format-unknown",
        {"image": {"container_formats": ["docker", "vhd"]}},
        "image:container_formats:1",
        "ami, ari, aki, bare, ovf, ova, docker, dockerref, compressed",
        "vhd",
    ),
    (
        "glance-conf-empty",
        {"image": {"glance_api_conf": ""}},
        "image:glance_api_conf",
        "absolute path",
        "",
    ),
    ("runtime-manage", {"runtime": {"manage": "no"}}, "runtime:manage", "true or false", "no"),
    ("runtime-package", {"runtime": {"package": ""}}, "runtime:package", "non-empty", ""),
    (
        "runtime-service-space",
        {"runtime": {"service": "docker engine"}},
        "runtime:service",
        "without whitespace",
        "docker engine",
    ),
    (
        "daemon-json-relative",
        {"runtime": {"daemon_json": "daemon.json"}},
        "runtime:daemon_json",
        "absolute path",
        "daemon.json",
    ),
    (
        "daemon-config-list",
        {"runtime": {"daemon_config": ["log-driver"]}},
        "runtime:daemon_config",
        "daemon.json",
        ["log-driver"],
    ),
    (
        "daemon-config-date",
        {"runtime": {"daemon_config": {"labels": {"since": datetime.date(2016, 1, 1)}}}},
        "runtime:daemon_config:labels:since",
        "a JSON value",
        datetime.date(2016, 1, 1),
    ),
    (
        "section-empty",
        {"compute": None},
        "compute",
        "a mapping with keys enabled, nova_conf",
        None,
    ),
    (
        "option-from-later-release",
        {"driver": {"release": "kilo"}, "compute": {"docker": {"privileged": True}}},
        "compute:docker:privileged",
        "introduced in liberty",
        "privileged",
    ),
    (
        "hash-required-with-source",
        {
            "compute": {"enabled": True},
            "driver": {"source": "salt://dist/nova-docker.zip", "version": "0.0.1.dev273"},
        },
        "driver:source_hash",
        "unsafe_skip_source_hash: true",
        "",
    ),
    (
        "version-required-with-source",
        {
            "compute": {"enabled": True},
            "driver": {"source": "https://example.com/nova-docker.zip", "source_hash": SHA},
        },
        "driver:version",
        "pbr version",
        "",
    ),
    (
        "unknown-key",
        {"compute": {"compute_drvier": "novadocker.virt.docker.DockerDriver"}},
        "compute:compute_drvier",
        "did you mean 'compute_driver'?",
        "compute_drvier",
    ),
]


@pytest.mark.parametrize("data,path,accepted,bad", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_one_problem_naming_path_value_and_accepted(
    validate, data, path, accepted, bad
):
    problems = validate(data)
    assert len(problems) == 1, problems
    message = problems[0]
    assert message.startswith("novadocker:{}: ".format(path)), message
    assert accepted in message
    assert repr(bad) in message


def test_enough_distinct_bad_cases():
    assert len({c[0] for c in BAD}) == len(BAD) >= 20
    assert len({c[2] for c in BAD}) >= 20


# -- all at once ------------------------------------------------------------------------------


def test_all_problems_are_reported_at_once(validate):
    data = {
        "root": "relative",
        "compute": {"enabled": "yes", "compute_drvier": "x.Y", "docker": {"privileged": "no"}},
        "driver": {"release": "zed"},
    }
    problems = validate(data)
    paths = sorted(p.split(": ", 1)[0] for p in problems)
    assert paths == [
        "novadocker:compute:compute_drvier",
        "novadocker:compute:docker:privileged",
        "novadocker:compute:enabled",
        "novadocker:driver:release",
        "novadocker:root",
    ], problems


def test_option_from_later_release_and_bad_value_are_two_problems(validate):
    problems = validate({"driver": {"release": "kilo"}, "compute": {"docker": {"privileged": 1}}})
    assert len(problems) == 2, problems
    assert "introduced in liberty" in problems[0]
    assert "true or false" in problems[1]


def test_source_without_hash_and_version_is_two_problems(validate):
    problems = validate({"compute": {"enabled": True}, "driver": {"source": "file:///srv/nd.zip"}})
    assert [p.split(": ", 1)[0] for p in problems] == [
        "novadocker:driver:source_hash",
        "novadocker:driver:version",
    ]


@pytest.mark.parametrize("data", ["compute: {}", ["compute"], 3, True], ids=repr)
def test_not_a_mapping(validate, data):
    problems = validate(data)
    assert len(problems) == 1
    assert problems[0].startswith("novadocker: expected a mapping")
    assert repr(data) in problems[0]
    assert "compute, driver, image, runtime" in problems[0]


# -- valid ------------------------------------------------------------------------------------

GOOD = [
    ("none", None),
    ("empty", {}),
    ("empty-sections", {"compute": {}, "driver": {}, "image": {}, "runtime": {}}),
    (
        "sandbox",
        {"root": "/tmp/node", "unsafe_skip_readiness_gates": True, "compute": {"enabled": True}},
    ),
    (
        "full-driver",
        {
            "compute": {"enabled": True, "service": False},
            "driver": {
                "release": "liberty",
                "source": "salt://novadocker-dist/nova-docker-stable-liberty.zip",
                "source_hash": SHA.upper().replace("SHA256", "sha256"),
                "version": "0.0.1.dev273",
                "pip_args": ["--index-url", "https://pypi.internal/simple", "--no-deps"],
                "api_version": "1.24",
            },
        },
    ),
    (
        "skip-hash",
        {
            "compute": {"enabled": True},
            "driver": {
                "source": "http://mirror.example.com/nd.zip",
                "unsafe_skip_source_hash": True,
                "version": "2.0.0.0rc1",
            },
        },
    ),
    ("source-but-compute-off", {"driver": {"source": "https://example.com/nd.zip"}}),
    (
        "all-options-ocata",
        {
            "driver": {"release": "ocata"},
            "compute": {
                "docker": {
                    "host_url": "tcp://127.0.0.1:2375",
                    "api_insecure": False,
                    "ca_file": "/etc/nova/docker-ca.pem",
                    "cert_file": "/etc/nova/docker-cert.pem",
                    "key_file": "/etc/nova/docker-key.pem",
                    "root_directory": "/var/lib/docker",
                    "inject_key": True,
                    "shared_directory": "/srv/shared",
                    "privileged": False,
                    "vif_driver": "novadocker.virt.docker.vifs.DockerGenericVIFDriver",
                    "snapshots_directory": "$instances_path/snapshots",
                }
            },
        },
    ),
    ("icehouse-no-options", {"driver": {"release": "icehouse"}, "compute": {"docker": {}}}),
    (
        "glance-havana",
        {
            "image": {
                "enabled": True,
                "release": "havana",
                "container_formats": ["docker"],
                "service": "openstack-glance-api",
            }
        },
    ),
    ("posix-names", {"compute": {"user": "_nova-1", "socket_group": "docker$"}}),
    ("daemon-config", {"runtime": {"manage": True, "daemon_config": {"debug": True, "x": [1]}}}),
]


@pytest.mark.parametrize("data", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_valid(validate, data):
    assert validate(data) == []


def test_defaults_are_valid(validate):
    assert validate(defaults_values()) == []


def test_os_family_parameters_are_valid(validate):
    for path in sorted((REPO / "novadocker" / "parameters" / "os_family").glob("*.yaml")):
        values = salt.utils.yaml.safe_load(path.read_text())["values"]
        assert validate(values) == [], path.name


def test_pillar_example_is_valid(validate):
    if not PILLAR_EXAMPLE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("pillar.example is missing at the repository root")
        pytest.skip("pillar.example not written yet")
    pillar = salt.utils.yaml.safe_load(PILLAR_EXAMPLE.read_text())
    assert validate(pillar["novadocker"]) == []


# -- did you mean -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,path,suggestion",
    [
        ({"compute": {"compute_drvier": "a.B"}}, "compute:compute_drvier", "compute_driver"),
        ({"image": {"enabeld": True}}, "image:enabeld", "enabled"),
        ({"computer": {}}, "computer", "compute"),
        ({"driver": {"source_hahs": SHA}}, "driver:source_hahs", "source_hash"),
        ({"compute": {"docker": {"privilegd": True}}}, "compute:docker:privilegd", "privileged"),
        ({"compute": {"docker": {"hosturl": "tcp://x:1"}}}, "compute:docker:hosturl", "host_url"),
    ],
)
def test_did_you_mean(validate, data, path, suggestion):
    problems = validate(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith("novadocker:{}: unknown".format(path))
    assert "did you mean {!r}?".format(suggestion) in problems[0]


def test_unknown_key_without_close_match_lists_accepted_keys(validate):
    (problem,) = validate({"runtime": {"zzz": 1}})
    assert "did you mean" not in problem
    assert "accepted keys: manage, package, service, daemon_json, daemon_config" in problem


def test_unknown_option_lists_options_of_selected_release(validate):
    (problem,) = validate({"driver": {"release": "juno"}, "compute": {"docker": {"debug": True}}})
    assert problem.startswith("novadocker:compute:docker:debug: unknown [docker] option 'debug'")
    assert "accepted for driver:release juno: " in problem
    assert "host_url" in problem and "privileged" not in problem


def test_non_string_key_is_unknown(validate):
    (problem,) = validate({"compute": {1: True}})
    assert problem.startswith("novadocker:compute:1: unknown key 1")


# -- release-dependent [docker] options -------------------------------------------------------


@pytest.mark.parametrize(
    "release,option,value,since",
    [
        ("kilo", "privileged", True, "liberty"),
        ("juno", "shared_directory", "/srv/shared", "liberty"),
        ("juno", "inject_key", False, "kilo"),
        ("icehouse", "host_url", "unix:///var/run/docker.sock", "juno"),
    ],
)
def test_option_introduced_later_names_that_release(validate, release, option, value, since):
    (problem,) = validate({"driver": {"release": release}, "compute": {"docker": {option: value}}})
    assert problem.startswith("novadocker:compute:docker:{}: ".format(option))
    assert "the [docker] option {!r} was introduced in {}".format(option, since) in problem
    assert "driver:release {} does not know it".format(release) in problem


def test_option_known_from_its_release_on(validate):
    for info in release_table():
        for option, spec in info["options"].items():
            value = True if spec["type"] == "bool" else "tcp://dockerd:2375"
            if option in ("ca_file", "cert_file", "key_file"):
                value = "/etc/nova/docker-tls.pem"  # absolute paths only
            data = {"driver": {"release": info["release"]}, "compute": {"docker": {option: value}}}
            assert validate(data) == [], (info["release"], option)


def test_default_release_decides_options(validate):
    """Without driver:release, options are checked against defaults.yaml's release."""
    default = defaults_values()["driver"]["release"]
    known = novadocker_releases.driver_release(default)["options"]
    later = sorted(set(release_table()[-1]["options"]) - set(known))
    for option in later:
        (problem,) = validate({"compute": {"docker": {option: True}}})
        assert "driver:release {} does not know it".format(default) in problem
    assert validate({"compute": {"docker": {option: True for option in known}}}) == [
        "novadocker:compute:docker:{}: expected a string; got True (a boolean)".format(option)
        for option, spec in known.items()
        if spec["type"] == "str"
    ]


def test_invalid_release_checks_options_against_every_release(validate):
    problems = validate({"driver": {"release": "zed"}, "compute": {"docker": {"privileged": True}}})
    assert [p.split(": ", 1)[0] for p in problems] == ["novadocker:driver:release"]


# -- schema and defaults agree ----------------------------------------------------------------


def _keys(tree, prefix=()):
    for key, value in tree.items():
        path = prefix + (key,)
        yield ":".join(path)
        # compute:docker holds [docker] options and runtime:daemon_config is free-form: their
        # keys are not pillar schema keys.
        if isinstance(value, dict) and path not in (
            ("compute", "docker"),
            ("runtime", "daemon_config"),
        ):
            yield from _keys(value, path)


def test_schema_and_defaults_have_the_same_keys():
    schema = novadocker_schema.describe()
    defaults = defaults_values()
    assert sorted(_keys(schema)) == sorted(_keys(defaults))
    assert set(defaults["compute"]["docker"]) <= set(schema["compute"]["docker"])
    assert isinstance(schema["runtime"]["daemon_config"], str)


def test_schema_lists_every_docker_option():
    options = release_table()[-1]["options"]
    docker = novadocker_schema.describe()["compute"]["docker"]
    assert sorted(docker) == sorted(options)
    assert docker["privileged"] == "true or false (since liberty)"


def test_cross_key_rules_fall_back_on_the_formula_defaults():
    """A key the pillar leaves unset is judged by the defaults passed in (defaults.yaml's, as
    novadocker.validate_pillar passes them), never by a copy of them in the schema."""
    pillar = {"driver": {"source": "https://example.org/nd.zip"}}
    defaults = defaults_values()
    assert defaults["compute"]["enabled"] is False
    assert novadocker_schema.validate(pillar, defaults) == []
    enabled = dict(defaults, compute=dict(defaults["compute"], enabled=True))
    problems = novadocker_schema.validate(pillar, enabled)
    assert [p.split(":")[1:3] for p in problems] == [
        ["driver", "source_hash"],
        ["driver", "version"],
    ]
    later = dict(defaults, driver=dict(defaults["driver"], release="icehouse"))
    assert novadocker_schema.validate({"compute": {"docker": {"privileged": True}}}, later)


# -- tofs ---------------------------------------------------------------------------------------


def test_tofs_overrides_are_accepted(validate):
    assert (
        validate(
            {
                "tofs": {
                    "path_prefix": "site/novadocker",
                    "files_switch": ["id", "os_family"],
                    "source_files": {"novadocker-compute-rootwrap-filter": ["docker.filters"]},
                }
            }
        )
        == []
    )


@pytest.mark.parametrize(
    "bad,path",
    [
        ({"tofs": {"files_swich": ["id"]}}, "novadocker:tofs:files_swich"),
        ({"tofs": {"files_switch": "id"}}, "novadocker:tofs:files_switch"),
        ({"tofs": ["id"]}, "novadocker:tofs"),
    ],
)
def test_tofs_bad_overrides(validate, bad, path):
    problems = validate(bad)
    assert len(problems) == 1 and problems[0].startswith(path + ": "), problems
