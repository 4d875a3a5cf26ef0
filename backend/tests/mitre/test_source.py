"""Fetching a bundle: the URL policy (https, source prefixes, redirects), the size cap, gzip
and the SHA-256 check — against a real HTTPS server on localhost."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from violet.core.errors import ApiError, Unprocessable
from violet.mitre.sync.source import (
    BundleTooLarge,
    FetchFailed,
    FetchPolicy,
    check_url,
    fetch_url,
    unpack,
    verify,
)

ALLOWED = (
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/",
    "https://github.com/mitre-attack/attack-stix-data",
)
MITRE_FILE = "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/a.json"


@pytest.mark.parametrize(
    "url, message",
    [
        (MITRE_FILE.replace("https", "http"), "Only https://"),
        (MITRE_FILE.replace("https", "ftp"), "Only https://"),
        ("file:///etc/passwd", "Only https://"),
        ("/etc/passwd", "Only https://"),
        ("https://", "no host"),
        ("https://evil.example.com/a.json", "is not under an allowed source"),
        ("https://raw.githubusercontent.com.evil.com/a.json", "is not under an allowed source"),
        ("https://127.0.0.1/a.json", "is not under an allowed source"),
        ("https://[::1]/a.json", "is not under an allowed source"),
        (MITRE_FILE.replace("https://", "https://user:pw@"), "user name or password"),
        # The host serves anyone's files: only MITRE's repository is allowed.
        ("https://raw.githubusercontent.com/attacker/repo/master/a.json", "not under an allowed"),
        (
            "https://raw.githubusercontent.com/mitre-attack/attack-stix-data-evil/a.json",
            "not under",
        ),
        (
            "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/../../attacker/a.json",
            "dot segments",
        ),
        (
            "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/%2e%2e/x/a.json",
            "dot segments",
        ),
        ("https://raw.githubusercontent.com:8443/mitre-attack/attack-stix-data/a", "not under"),
    ],
)
def test_url_policy_refuses(url, message):
    with pytest.raises(Unprocessable) as raised:
        check_url(url, ALLOWED)
    assert message in raised.value.detail
    assert raised.value.errors == {"source": [raised.value.detail]}


@pytest.mark.parametrize(
    "url",
    [MITRE_FILE, "HTTPS://GitHub.com/mitre-attack/attack-stix-data/releases/y.json.gz"],
)
def test_url_policy_accepts_allowed_https_hosts(url):
    assert check_url(url, ALLOWED) == url


def policy(server=None, **changes) -> FetchPolicy:
    sources = (server.url("/"),) if server else ()
    values = {"allowed_sources": sources, "max_bytes": 10_000, "timeout": 5}
    return FetchPolicy(**{**values, **changes})


def test_fetches_over_https(https_server):
    https_server.routes["/bundle.json"] = b'{"type": "bundle"}'
    body = fetch_url(
        https_server.url("/bundle.json"),
        policy(https_server),
        ssl_context=https_server.client_context(),
    )
    assert body == b'{"type": "bundle"}'


def test_follows_a_redirect_to_an_allowed_host(https_server):
    https_server.routes["/target.json"] = b"target"
    start = https_server.url("/redirect?to=" + https_server.url("/target.json"))
    assert (
        fetch_url(start, policy(https_server), ssl_context=https_server.client_context())
        == b"target"
    )


@pytest.mark.parametrize(
    "target, message",
    [
        ("https://127.0.0.1:{port}/target.json", "not under an allowed source"),
        ("http://localhost:{port}/target.json", "Only https://"),
        ("https://evil.example.com/target.json", "not under an allowed source"),
    ],
)
def test_refuses_a_redirect_off_the_policy(https_server, target, message):
    https_server.routes["/target.json"] = b"target"
    https_server.requests.clear()
    start = https_server.url("/redirect?to=" + target.format(port=https_server.port))

    with pytest.raises(Unprocessable) as raised:
        fetch_url(start, policy(https_server), ssl_context=https_server.client_context())

    assert "Refused the redirect" in raised.value.detail and message in raised.value.detail
    assert https_server.requests == [start.split(str(https_server.port), 1)[1]]  # never followed


def test_refuses_an_announced_oversize_body(https_server):
    with pytest.raises(BundleTooLarge) as raised:
        fetch_url(
            https_server.url("/announces-huge"),
            policy(https_server),
            ssl_context=https_server.client_context(),
        )
    assert raised.value.status == 413 and "announces" in raised.value.detail


def test_refuses_an_oversize_body_without_a_length(https_server):
    with pytest.raises(BundleTooLarge):
        fetch_url(
            https_server.url("/streams-huge?kib=64"),
            policy(https_server, max_bytes=32 * 1024),
            ssl_context=https_server.client_context(),
        )


def test_http_errors_are_502(https_server):
    with pytest.raises(FetchFailed) as raised:
        fetch_url(
            https_server.url("/missing"),
            policy(https_server),
            ssl_context=https_server.client_context(),
        )
    assert raised.value.status == 502 and "HTTP 404" in raised.value.detail


def test_untrusted_certificate_is_502(https_server):
    # The default trust store does not know the test certificate.
    with pytest.raises(FetchFailed) as raised:
        fetch_url(https_server.url("/bundle.json"), policy(https_server))
    assert "CERTIFICATE_VERIFY_FAILED" in raised.value.detail


def test_unreachable_host_is_502():
    with pytest.raises(FetchFailed) as raised:
        fetch_url(
            "https://localhost:1/bundle.json",
            policy(allowed_sources=("https://localhost:1/",), timeout=2),
        )
    assert "Could not fetch the bundle from localhost" in raised.value.detail


def test_sha256_matches_the_file_or_the_json_inside_it():
    document = b'{"type": "bundle", "objects": []}'
    compressed = gzip.compress(document)
    bundle = unpack(compressed, 10_000)

    assert bundle.compressed and bundle.document == document
    assert verify(bundle, hashlib.sha256(compressed).hexdigest())
    assert verify(bundle, hashlib.sha256(document).hexdigest())
    assert verify(bundle, None) is False
    with pytest.raises(ApiError) as raised:
        verify(bundle, "ab" * 32)
    assert raised.value.status == 422
    assert hashlib.sha256(document).hexdigest() in raised.value.detail
