"""
The pillar rules of ``novadocker:images`` and ``novadocker:image:api`` (issue 15), the
settings they become, and the credential helpers of ``_utils/novadocker_glance_api.py``.
Pure: the utils are imported straight from _utils.
"""

import json
import pathlib

import novadocker_glance_api as glance_api
import novadocker_schema
import novadocker_settings
import pytest
import salt.utils.yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
SECRET = "s3cr3t-Pa55-nd"


def defaults():
    text = (REPO / "novadocker" / "parameters" / "defaults.yaml").read_text()
    return salt.utils.yaml.safe_load(text)["values"]


def validate(data):
    return novadocker_schema.validate(data, defaults())


def images(**keys):
    conf = {"enabled": True, "auth": {"auth_type": "password", "password": SECRET}}
    conf.update(keys)
    return {"images": conf}


#: (id, pillar, key path of the one problem, what it must say)
BAD = [
    ("no-credentials", {"images": {"enabled": True}}, "images:cloud", "clouds.yaml entry"),
    (
        "none-without-endpoint",
        images(auth={"auth_type": "none"}),
        "images:auth",
        "needs endpoint",
    ),
    ("auth-not-mapping", images(auth=SECRET), "images:auth", "got a string"),
    ("auth-password-list", images(auth={"password": [SECRET]}), "images:auth:password", "a list"),
    (
        "auth-password-newline",
        images(auth={"password": SECRET + "\nx"}),
        "images:auth:password",
        "on one line",
    ),
    ("auth-key", images(auth={"Pass Word": SECRET}), "images:auth", "'Pass Word'"),
    ("auth-type", images(auth={"auth_type": "pass word"}), "images:auth:auth_type", "plugin"),
    ("publish-not-list", images(publish={"name": "x"}), "images:publish", "a list of images"),
    ("entry-not-mapping", images(publish=["busybox"]), "images:publish:0", "'busybox'"),
    ("entry-no-name", images(publish=[{"visibility": "public"}]), "images:publish:0:name", "None"),
    ("name-upper", images(publish=[{"name": "BusyBox"}]), "images:publish:0:name", "'BusyBox'"),
    ("name-space", images(publish=[{"name": "busy box"}]), "images:publish:0:name", "name in"),
    (
        "name-digest",
        images(publish=[{"name": "busybox@sha256:" + "a" * 64}]),
        "images:publish:0:name",
        "busybox@",
    ),
    (
        "name-twice",
        images(publish=[{"name": "busybox"}, {"name": "busybox"}]),
        "images:publish:1:name",
        "published twice (also novadocker:images:publish:0)",
    ),
    (
        "entry-unknown-key",
        images(publish=[{"name": "busybox", "visiblity": "public"}]),
        "images:publish:0:visiblity",
        "did you mean 'visibility'",
    ),
    (
        "visibility",
        images(publish=[{"name": "busybox", "visibility": "everyone"}]),
        "images:publish:0:visibility",
        "public, private, shared, community",
    ),
    (
        "properties-not-mapping",
        images(publish=[{"name": "busybox", "properties": ["a"]}]),
        "images:publish:0:properties",
        "mapping of Glance image properties",
    ),
    (
        "property-number",
        images(publish=[{"name": "busybox", "properties": {"min_cpus": 2}}]),
        "images:publish:0:properties:min_cpus",
        "quote numbers",
    ),
    (
        "property-reserved",
        images(publish=[{"name": "busybox", "properties": {"docker_image_id": "x"}}]),
        "images:publish:0:properties:docker_image_id",
        "the formula's own attribute",
    ),
    (
        "property-os-glance",
        images(publish=[{"name": "busybox", "properties": {"os_glance_x": "y"}}]),
        "images:publish:0:properties:os_glance_x",
        "choose another",
    ),
    ("docker-url", images(docker_host_url="ftp://x"), "images:docker_host_url", "unix://"),
    ("timeout-zero", images(timeout=0), "images:timeout", "> 0"),
    ("timeout-bool", images(upload_timeout=True), "images:upload_timeout", "a boolean"),
    ("interface", images(interface="private"), "images:interface", "public, internal, admin"),
    ("clouds-yaml-relative", images(clouds_yaml="clouds.yaml"), "images:clouds_yaml", "absolute"),
    ("default-visibility", images(visibility="all"), "images:visibility", "'all'"),
    ("api-url", {"image": {"api": {"url": "ftp://glance"}}}, "image:api:url", "http://"),
    ("api-wait", {"image": {"api": {"wait": -1}}}, "image:api:wait", ">= 0"),
    ("api-verify", {"image": {"api": {"verify": "yes"}}}, "image:api:verify", "true or false"),
    (
        "api-auth-secret",
        {"image": {"api": {"auth": {"password": {"x": SECRET}}}}},
        "image:api:auth:password",
        "never echoed",
    ),
    (
        "api-unknown",
        {"image": {"api": {"urll": "http://x"}}},
        "image:api:urll",
        "did you mean 'url'",
    ),
]


@pytest.mark.parametrize("data,path,says", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_one_problem_naming_the_key(data, path, says):
    problems = validate(data)
    assert len(problems) == 1, problems
    assert problems[0].startswith("novadocker:" + path + ":"), problems
    assert says in problems[0], problems[0]
    assert SECRET not in problems[0]


GOOD = [
    ("off", {"images": {"enabled": False}}),
    ("cloud", {"images": {"enabled": True, "cloud": "mycloud", "publish": [{"name": "busybox"}]}}),
    (
        "password",
        images(
            auth={
                "auth_type": "password",
                "auth_url": "https://keystone:5000/v3",
                "username": "publisher",
                "password": SECRET,
                "project_name": "service",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            region="RegionOne",
            interface="internal",
            publish=[
                {
                    "name": "registry.example.org:5000/team/app:1.2",
                    "visibility": "community",
                    "properties": {"os_command_line": "/bin/sh -c 'sleep infinity'"},
                },
                {"name": "busybox"},
            ],
        ),
    ),
    (
        "app-credential",
        images(
            auth={
                "auth_type": "v3applicationcredential",
                "auth_url": "https://keystone:5000/v3",
                "application_credential_id": "abc",
                "application_credential_secret": SECRET,
            }
        ),
    ),
    ("none", images(auth={"auth_type": "none", "endpoint": "http://glance:9292"})),
    (
        "api",
        {
            "image": {
                "api": {
                    "verify": True,
                    "url": "https://glance.example.org:9292",
                    "cloud": "glance-check",
                    "clouds_yaml": "/etc/openstack/clouds.yaml",
                    "wait": 0,
                    "timeout": 2.5,
                }
            }
        },
    ),
]


@pytest.mark.parametrize("data", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_valid(data):
    assert validate(data) == []


def test_settings_complete_the_entries_and_give_each_client_its_access():
    raw = images(
        visibility="private",
        publish=[{"name": "busybox"}, {"name": "app:1", "visibility": "public", "properties": {}}],
    )
    conf = novadocker_settings.compute(defaults(), raw)
    assert conf["valid"], conf["errors"]
    assert conf["images"]["publish"] == [
        {"name": "busybox", "visibility": "private", "properties": {}},
        {"name": "app:1", "visibility": "public", "properties": {}},
    ]
    assert conf["access"]["images"]["auth"]["password"] == SECRET
    assert conf["access"]["images"]["timeout"] == 60
    assert conf["access"]["image_api"] == {
        "cloud": "",
        "clouds_yaml": "",
        "auth": {},
        "region": "",
        "interface": "",
        "timeout": 10,
    }
    shown = novadocker_settings.redacted(conf)
    assert SECRET not in json.dumps(shown)
    assert shown["images"]["auth"] == {"auth_type": "password", "password": "<redacted>"}
    assert shown["access"]["images"]["auth"]["password"] == "<redacted>"
    assert conf["images"]["auth"]["password"] == SECRET  # the original is untouched


def test_credential_helpers():
    auth = {
        "auth_type": "v3applicationcredential",
        "auth_url": "https://keystone/v3",
        "application_credential_id": "id-1",
        "application_credential_secret": SECRET,
        "passcode": "123456",
    }
    assert glance_api.secret_values(auth) == [SECRET, "123456"]
    assert glance_api.redact(auth) == dict(
        auth, application_credential_secret="<redacted>", passcode="<redacted>"
    )
    assert glance_api.scrub(f"refused {SECRET} and 123456", [SECRET, "123456"]) == (
        "refused <redacted> and <redacted>"
    )
    assert glance_api.redact({}) == {} and glance_api.redact("oops") == "<redacted>"


def test_an_older_parameters_copy_is_not_used(tmp_path):
    """A copy kept by a formula without images/image:api: the settings would lack them."""
    path = tmp_path / "defaults.json"
    old = defaults()
    del old["images"]
    path.write_text(json.dumps(old))
    assert novadocker_settings.read_parameters(str(path)) is None
    path.write_text(json.dumps(defaults()))
    assert novadocker_settings.read_parameters(str(path)) == defaults()
