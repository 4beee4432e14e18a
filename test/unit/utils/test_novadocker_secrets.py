"""novadocker_secrets: credentials never shown (issue 12, item 2). Pure: imported from _utils."""

import pytest

import novadocker_secrets as secrets


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://user:p%40ss@host/x.zip", "https://***@host/x.zip"),
        ("https://TOKEN@host:8443/x.zip", "https://***@host:8443/x.zip"),
        (
            "https://host/x.zip?private_token=abc&ref=v1",
            "https://host/x.zip?private_token=***&ref=***",
        ),
        ("https://host/x.zip?abcdef", "https://host/x.zip?***"),
        ("https://host/x.zip#access_token=abc", "https://host/x.zip#access_token=***"),
        ("https://u:p@[::1]:8080/a?b=c", "https://***@[::1]:8080/a?b=***"),
        ("https://host/a@b/x.zip", "https://host/a@b/x.zip"),
        ("salt://novadocker-dist/x.zip", "salt://novadocker-dist/x.zip"),
        ("/srv/x.zip", "/srv/x.zip"),
        ("", ""),
    ],
)
def test_redact_url(url, shown):
    assert secrets.redact_url(url) == shown


def test_known_secrets_raw_and_decoded_longest_first():
    found = secrets.known("https://deploy:p%40ss-word@h/x?token=t0k", password="Pillar-PW")
    assert found == ["p%40ss-word", "Pillar-PW", "p@ss-word", "t0k"]
    assert "deploy" not in found  # a user with a password is not a secret
    assert secrets.known("https://t0ken-as-user@h/x") == ["t0ken-as-user"]


def test_redact_text_hides_urls_and_known_secrets_in_free_text():
    text = (
        "Error reading http://deploy:S3cret@127.0.0.1:9/x.zip: refused. pip said: "
        "Looking in indexes: https://deploy:S3cret@pypi.internal/simple, and S3cret again."
    )
    out = secrets.redact_text(text, secrets.known("http://deploy:S3cret@h/"))
    assert "S3cret" not in out
    assert "http://***@127.0.0.1:9/x.zip: refused." in out  # the colon after the URL stays
    assert "https://***@pypi.internal/simple," in out


def test_redact_args_covers_index_urls_and_proxies():
    args = [
        "--index-url",
        "https://u:pw1@pypi.internal/simple",
        "--extra-index-url=https://u:pw2@mirror/simple",
        "--proxy",
        "u:pw3@proxy:3128",
        "--proxy=u:pw4@proxy:3128",
        "--no-deps",
    ]
    known = secrets.known(args=args)
    assert {"pw1", "pw2", "pw3", "pw4"} <= set(known)
    out = " ".join(secrets.redact_args(args, known))
    for secret in ("pw1", "pw2", "pw3", "pw4"):
        assert secret not in out
    assert "--proxy ***@proxy:3128" in out and "--proxy=***@proxy:3128" in out
    assert "--no-deps" in out


def test_redact_data_walks_a_state_return():
    data = {"comment": "from https://u:pw@h/x", "changes": {"new": ["https://u:pw@h/x"]}}
    assert "pw" not in repr(secrets.redact_data(data, ["pw"]))
