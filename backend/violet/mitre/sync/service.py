"""One catalogue sync: check the request, take the lock, fetch, verify, parse, store, record.

Transaction rules (docs/api.md, "Syncing"):
- One sync at a time across every process: `pg_try_advisory_xact_lock(LOCK_KEY)` in the caller's
  transaction; a second sync gets 409 at once. The lock ends with that transaction.
- The catalogue changes inside a savepoint. Any failure rolls the savepoint back — the previous
  catalogue is untouched — then the failed attempt is recorded in `mitre_syncs` and committed
  on its own (the one commit a service makes here: the record must outlive the error response,
  whose handler rolls back). A successful sync is recorded and flushed; the caller commits.
- Request problems found before the lock (no way to verify, a URL off the policy) are plain
  422s and leave no record.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, IntegrityError

from violet.core.errors import ApiError, Conflict, Unprocessable
from violet.core.models import utcnow
from violet.extensions import db
from violet.mitre.models import SYNC_FAILED, SYNC_SUCCEEDED, MitreSync
from violet.mitre.sync import source as sources
from violet.mitre.sync import stix
from violet.mitre.sync.store import store_bundle

log = logging.getLogger(__name__)

# Advisory lock key for "a MITRE sync is running": the bytes of "vioMITRE" as a bigint.
LOCK_KEY = int.from_bytes(b"vioMITRE", "big")
# "enterprise-attack-18.1.json", "…-v18.1.json.gz", "ATT&CK-v18.1" → "18.1"
RELEASE_IN_NAME = re.compile(r"(?:attack-|v)(\d+(?:\.\d+)+)", re.IGNORECASE)


@dataclass(frozen=True)
class SyncSettings:
    default_url: str
    default_version: str
    pinned_sha256: str
    policy: sources.FetchPolicy

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SyncSettings:
        return cls(
            default_url=config["MITRE_DEFAULT_URL"],
            default_version=config["MITRE_DEFAULT_VERSION"],
            pinned_sha256=config["MITRE_DEFAULT_SHA256"],
            policy=sources.FetchPolicy(
                allowed_sources=tuple(config["MITRE_ALLOWED_SOURCES"]),
                max_bytes=config["MITRE_MAX_BYTES"],
                timeout=config["MITRE_FETCH_TIMEOUT"],
            ),
        )


@dataclass(frozen=True)
class SyncSource:
    """Where the bundle comes from: a URL to fetch, or bytes in hand (an upload, a local file)."""

    url: str | None = None
    content: bytes | None = None
    label: str | None = None  # "upload:<file name>" or "file:<path>" for bytes in hand

    @property
    def description(self) -> str:
        return self.url or self.label or "upload"


@dataclass(frozen=True)
class SyncResult:
    id: uuid.UUID  # of the sync record
    status: str
    domain: str
    version: str | None
    sha256: str
    verified: bool
    counts: dict[str, int]
    changes: dict[str, int]
    duration_ms: int
    rows_written: int
    # Threat group changes (added/updated/unchanged/deprecated), apart from `changes`.
    group_changes: dict[str, int] = field(default_factory=dict)


# Uploads are recognised by name; the content is checked again when parsed.
UPLOAD_SUFFIXES = (".json", ".json.gz", ".gz")


class UnsupportedUpload(ApiError):
    status = 415


def upload_source(filename: str | None, stream: Any, max_bytes: int) -> SyncSource:
    """A bundle uploaded as multipart `file`: .json or .json.gz (415 otherwise), capped (413)."""
    name = Path(filename or "").name
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        detail = f"Upload a STIX bundle as .json or .json.gz, not {name or 'a nameless file'}."
        raise UnsupportedUpload(detail, errors={"file": [detail]})
    content = sources.read_capped(stream, max_bytes, f"the upload {name}")
    return SyncSource(content=content, label=f"upload:{name}")


def file_source(path: str | Path, max_bytes: int) -> SyncSource:
    """A bundle from a local file (CLI, MITRE_BUNDLE_FILE), read under the size cap."""
    path = Path(path).expanduser()
    try:
        with path.open("rb") as handle:
            content = sources.read_capped(handle, max_bytes, str(path))
    except OSError as exc:
        detail = f"Cannot read {path}: {exc.strerror or exc}."
        raise Unprocessable(detail, errors={"file": [detail]}) from exc
    return SyncSource(content=content, label=f"file:{path.resolve()}")


def sync_catalogue(
    source: SyncSource | None,
    *,
    expected_sha256: str | None,
    allow_unverified: bool,
    started_by: uuid.UUID | None,
    settings: SyncSettings,
    version: str | None = None,
) -> SyncResult:
    """Sync the catalogue from `source` (None: the pinned default URL).

    `version` names the release of a bundle that carries none (no collection object).
    """
    source = source or SyncSource(url=settings.default_url)
    if source.url is not None:
        sources.check_url(source.url, settings.policy.allowed_sources)
    expected = _expected_sha256(source, expected_sha256, allow_unverified, settings)
    _take_lock()

    attempt = _Attempt(source=source, started_by=started_by, given_version=version)
    savepoint = db.session.begin_nested()
    try:
        result = _run(attempt, expected, settings)
        savepoint.commit()
    except Exception as exc:
        savepoint.rollback()
        failure = _client_error(exc)
        _record_failure(attempt, failure.detail if failure else _unexpected(exc))
        if failure is None or failure is exc:
            raise
        raise failure from exc
    log.info(
        "MITRE sync succeeded",
        extra={"domain": result.domain, "version": result.version, **result.changes},
    )
    return result


@dataclass
class _Attempt:
    """What is known about a sync so far, for its record whether it succeeds or fails."""

    source: SyncSource
    started_by: uuid.UUID | None
    given_version: str | None = None
    domain: str | None = None
    version: str | None = None
    sha256: str | None = None
    verified: bool = False
    started_at: datetime = field(default_factory=utcnow)
    clock: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self.clock) * 1000)

    def record(self, status: str, **values: Any) -> MitreSync:
        sync = MitreSync(
            status=status,
            domain=self.domain,
            version=self.version,
            source=self.source.description[:2048],
            sha256=self.sha256,
            verified=self.verified,
            started_at=self.started_at,
            finished_at=utcnow(),
            duration_ms=self.elapsed_ms,
            started_by=self.started_by,
            **values,
        )
        db.session.add(sync)
        db.session.flush()
        return sync


class NothingToVerify(Unprocessable):
    """No hash to check the bundle against, and unverified bundles not allowed (422)."""


def _expected_sha256(
    source: SyncSource, given: str | None, allow_unverified: bool, settings: SyncSettings
) -> str | None:
    """The hash the bundle must match: the given one, else the pin for the default URL."""
    if given:
        return given.strip().lower()
    if source.url == settings.default_url and settings.pinned_sha256:
        return settings.pinned_sha256
    if allow_unverified:
        return None
    detail = (
        "Nothing to verify the bundle against: give expected_sha256, or set "
        "allow_unverified to true to accept it unverified."
    )
    raise NothingToVerify(detail, errors={"expected_sha256": [detail]})


def _take_lock() -> None:
    locked = db.session.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY))).scalar_one()
    if not locked:
        raise Conflict("A MITRE sync is already running; try again once it has finished.")


def sync_running() -> bool:
    """Whether another connection (any process) holds the sync lock right now."""
    statement = text(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND classid = :high AND objid = :low AND objsubid = 1 AND pid <> pg_backend_pid())"
    )
    high, low = LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF
    return bool(db.session.execute(statement, {"high": high, "low": low}).scalar_one())


def _run(attempt: _Attempt, expected: str | None, settings: SyncSettings) -> SyncResult:
    bundle = _verified_bundle(attempt, expected, settings)
    attempt.domain = bundle.domain
    attempt.version = _release_version(bundle, attempt, settings)
    changes = store_bundle(db.session(), bundle, utcnow())
    counts = bundle.live_counts()
    sync = attempt.record(SYNC_SUCCEEDED, counts=counts, changes=changes.as_dict())
    return SyncResult(
        id=sync.id,
        status=sync.status,
        domain=bundle.domain,
        version=attempt.version,
        sha256=attempt.sha256 or "",
        verified=attempt.verified,
        counts=counts,
        changes=changes.as_dict(),
        duration_ms=sync.duration_ms,
        rows_written=changes.rows_written,
        group_changes=changes.groups or {},
    )


def _verified_bundle(
    attempt: _Attempt, expected: str | None, settings: SyncSettings
) -> stix.ParsedBundle:
    """Fetch or take the bytes, check the hash, decode and parse (the JSON is freed on return)."""
    source = attempt.source
    policy = settings.policy
    if source.url is not None:
        raw = sources.fetch_url(source.url, policy)
    else:
        raw = source.content or b""
        if len(raw) > policy.max_bytes:
            raise sources.BundleTooLarge(
                f"The bundle is too large: {len(raw)} bytes "
                f"({sources.limit_text(policy.max_bytes)})."
            )
    bundle_bytes = sources.unpack(raw, policy.max_bytes)
    attempt.sha256 = bundle_bytes.sha256
    # A bundle whose JSON matches the pinned release is known-good however it arrived.
    pinned = bool(settings.pinned_sha256) and bundle_bytes.sha256 == settings.pinned_sha256
    attempt.verified = sources.verify(bundle_bytes, expected) or pinned
    return stix.parse_bundle(stix.load_json(bundle_bytes.document))


def _release_version(
    bundle: stix.ParsedBundle, attempt: _Attempt, settings: SyncSettings
) -> str | None:
    """The ATT&CK release: the bundle's collection, the caller's, the pin, or the file/URL name."""
    if bundle.version:
        return bundle.version
    if attempt.given_version:
        return attempt.given_version
    if attempt.source.url == settings.default_url or attempt.sha256 == settings.pinned_sha256:
        return settings.default_version
    match = RELEASE_IN_NAME.search(Path(attempt.source.description).name)
    return match.group(1) if match else None


def _client_error(exc: Exception) -> ApiError | None:
    """The 4xx/5xx a client should see for `exc`, or None for a bug (re-raised as a 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, IntegrityError | DataError):
        diag = getattr(exc.orig, "diag", None)
        reason = getattr(diag, "message_detail", None) or getattr(diag, "message_primary", None)
        constraint = getattr(diag, "constraint_name", None)
        detail = "The bundle conflicts with the catalogue"
        detail += f" ({constraint})" if constraint else ""
        detail += f": {reason}" if reason else "."
        return Unprocessable(detail, errors={"bundle": [detail]})
    return None


def _unexpected(exc: Exception) -> str:
    return f"Unexpected error ({exc.__class__.__name__}); see the server log."


def _record_failure(attempt: _Attempt, error: str) -> None:
    log.warning("MITRE sync failed: %s", error, extra={"source": attempt.source.description})
    try:
        attempt.record(SYNC_FAILED, error=error[:4000])
        db.session.commit()
    except Exception:  # the database itself may be what failed; the error response still goes
        log.exception("could not record the failed MITRE sync")
        db.session.rollback()
