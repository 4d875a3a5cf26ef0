"""Getting a bundle's bytes safely: the URL policy, the size cap, gunzip and the SHA-256 check.

Outbound fetches are the only place Violet talks to the internet, so they are fenced in:

- the URL must be `https://` and start with one of `MITRE_ALLOWED_SOURCES`: exact URL prefixes
  naming MITRE's repositories (same host and port, the path under the prefix's path), not whole
  hosts such as raw.githubusercontent.com, which serves anyone's files. No user info, no dot
  segments or encoded slashes and dots that could climb out of the prefix;
- every redirect is checked the same way before it is followed: a redirect to plain http or off
  the allow-list is refused (422), at most `MAX_REDIRECTS` hops;
- the body may not exceed `MITRE_MAX_BYTES` (413), whether or not the server announced its
  length, and neither may the bundle once gunzipped (a gzip bomb is refused the same way);
- the connection gives up after `MITRE_FETCH_TIMEOUT` seconds (502).

SHA-256: a given or pinned hash is accepted when it matches either the bytes as given (what
`sha256sum` prints for the downloaded or uploaded file) or, for a gzip file, the JSON inside it
(so one pinned hash covers both the plain and the compressed copy of a release). The hash
recorded for a sync is always the one of the JSON.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import ssl
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from http.client import HTTPException
from typing import Any
from urllib.parse import SplitResult, urlsplit

from violet.core.errors import ApiError, Unprocessable, size_limit

MAX_REDIRECTS = 5
CHUNK_SIZE = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
USER_AGENT = "Violet ATT&CK sync"


class BundleTooLarge(ApiError):
    status = 413


class FetchFailed(ApiError):
    """The remote server could not be reached or did not return the bundle."""

    status = 502


class VerificationFailed(Unprocessable):
    pass


# Path spellings that a server may resolve to a parent directory (or another repository).
CLIMBING = ("/../", "/./", "%2e", "%2f", "%5c", "\\")


@dataclass(frozen=True)
class FetchPolicy:
    allowed_sources: tuple[str, ...]
    max_bytes: int
    timeout: float


@dataclass(frozen=True)
class BundleBytes:
    """A bundle as received (`raw`) and as JSON text (`document`: gunzipped when needed)."""

    raw: bytes
    document: bytes
    compressed: bool

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the JSON document: the same for a release's plain and gzip copies."""
        return hashlib.sha256(self.document).hexdigest()

    @cached_property
    def raw_sha256(self) -> str:
        return self.sha256 if not self.compressed else hashlib.sha256(self.raw).hexdigest()

    def matches(self, expected: str) -> bool:
        return expected.strip().lower() in (self.raw_sha256, self.sha256)


def check_url(url: str, allowed_sources: Iterable[str], *, field: str = "source") -> str:
    """`url` when it is https under an allowed source prefix; 422 naming the rule otherwise."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    allowed_sources = tuple(allowed_sources)
    problem = None
    if parts.scheme.lower() != "https":
        problem = f"Only https:// URLs are fetched, not {parts.scheme or 'a bare path'}."
    elif not host:
        problem = "The URL has no host."
    elif parts.username is not None or parts.password is not None:
        problem = "The URL must not carry a user name or password."
    elif any(marker in (parts.path + "/").lower() for marker in CLIMBING):
        problem = "The URL path must not contain dot segments or encoded slashes and dots."
    elif not any(_under(parts, prefix) for prefix in allowed_sources):
        problem = (
            f"{url.strip()} is not under an allowed source (MITRE_ALLOWED_SOURCES): "
            f"{', '.join(allowed_sources) or 'none'}."
        )
    if problem:
        raise Unprocessable(problem, errors={field: [problem]})
    return url.strip()


def _under(parts: SplitResult, prefix: str) -> bool:
    """Same https host and port as `prefix`, and a path inside the prefix's path."""
    allowed = urlsplit(prefix)
    allowed_path = allowed.path if allowed.path.endswith("/") else allowed.path + "/"
    return (
        allowed.scheme.lower() == "https"
        and (parts.hostname or "").lower() == (allowed.hostname or "").lower()
        and parts.port == allowed.port
        and parts.path.startswith(allowed_path)
    )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL that passes the same policy as the first one."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, allowed_sources: tuple[str, ...]) -> None:
        super().__init__()
        self.allowed_sources = allowed_sources

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        try:
            check_url(newurl, self.allowed_sources)
        except Unprocessable as exc:
            detail = f"Refused the redirect from {req.full_url} to {newurl}: {exc.detail}"
            raise Unprocessable(detail, errors={"source": [detail]}) from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(url: str, policy: FetchPolicy, *, ssl_context: ssl.SSLContext | None = None) -> bytes:
    """Download `url` under `policy`; 422 (policy), 413 (size) or 502 (network, HTTP error)."""
    url = check_url(url, policy.allowed_sources)
    opener = urllib.request.build_opener(
        _CheckedRedirects(policy.allowed_sources),
        urllib.request.HTTPSHandler(context=ssl_context or ssl.create_default_context()),
    )
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    host = urlsplit(url).hostname
    try:
        with opener.open(request, timeout=policy.timeout) as response:
            return _read_capped(response, policy.max_bytes, url)
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"{exc.url or url} answered HTTP {exc.code} {exc.reason}.") from exc
    except urllib.error.URLError as exc:
        raise FetchFailed(f"Could not fetch the bundle from {host}: {exc.reason}.") from exc
    except (TimeoutError, ssl.SSLError, ConnectionError, HTTPException, OSError) as exc:
        raise FetchFailed(f"Could not fetch the bundle from {host}: {exc}.") from exc


def _read_capped(response: Any, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(f"{url} announces {int(declared)} bytes", max_bytes)
    body = bytearray()
    while chunk := response.read(CHUNK_SIZE):
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(f"{url} sent more than that", max_bytes)
    return bytes(body)


def read_capped(stream: Any, max_bytes: int, label: str) -> bytes:
    """Read an upload or a local file, refusing more than `max_bytes` (413)."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _too_large(f"{label} is larger", max_bytes)
    return content


def _too_large(what: str, max_bytes: int) -> BundleTooLarge:
    return BundleTooLarge(f"The bundle is too large: {what} ({limit_text(max_bytes)}).")


def limit_text(max_bytes: int) -> str:
    return f"limit MITRE_MAX_BYTES, {size_limit(max_bytes)}"


def too_large_detail(max_bytes: int) -> str:
    """The 413's detail for an upload whose body is over the cap."""
    return _too_large("the upload is larger", max_bytes).detail


def unpack(raw: bytes, max_bytes: int) -> BundleBytes:
    """The bundle's JSON text: `raw` itself, or gunzipped (capped at `max_bytes`) if gzip."""
    if not raw.startswith(GZIP_MAGIC):
        return BundleBytes(raw=raw, document=raw, compressed=False)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
            document = unzipped.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        detail = f"The file looks gzip-compressed but cannot be decompressed: {exc}."
        raise Unprocessable(detail, errors={"bundle": [detail]}) from exc
    if len(document) > max_bytes:
        raise _too_large("the decompressed bundle is larger", max_bytes)
    return BundleBytes(raw=raw, document=document, compressed=True)


def verify(bundle: BundleBytes, expected_sha256: str | None) -> bool:
    """True when `expected_sha256` matches; 422 when it does not; False when there is none."""
    if not expected_sha256:
        return False
    if not bundle.matches(expected_sha256):
        detail = f"SHA-256 mismatch: expected {expected_sha256.lower()}, got {bundle.sha256}"
        if bundle.compressed:
            detail += f" for the JSON, {bundle.raw_sha256} for the gzip file"
        detail += "."
        raise VerificationFailed(detail, errors={"expected_sha256": [detail]})
    return True
