"""Mission archives (`GET /missions/{id}/export?format=zip`, `POST /missions/import`): the zip
container, written and read as pure functions (docs/coverage.md, "Mission archives").

An archive holds `manifest.json` (format, version, the list of evidence files), `mission.json`
(the mission document) and an `evidence/` folder with the files the manifest lists. Reading
refuses, before anything is decompressed: archives over MAX_ARCHIVE_BYTES (413), more than
MAX_ENTRIES entries, two entries of one name, names that could leave the archive's folder
(absolute, `..`, backslashes, drive letters) or that the format does not know, more than
MAX_UNCOMPRESSED_BYTES once decompressed (413), and entries that inflate more than MAX_RATIO
times (zip bombs). A member is then read at most to its declared size, so a header that lies
about it is caught as well.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from violet.core.input_guard import UNSTORABLE_MESSAGE, unstorable_fields

ARCHIVE_FORMAT = "violet-mission-archive"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"
MISSION = "mission.json"
EVIDENCE_DIR = "evidence/"

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # manifest.json and mission.json each
MAX_ENTRIES = 10_000
MAX_RATIO = 100
# Below this size a member's ratio is not checked: tiny members compress oddly and harm no one.
RATIO_FLOOR_BYTES = 64 * 1024


class ArchiveError(Exception):
    """A refused archive: `status` 413 (too large) or 422, `detail` saying why, and `errors`
    naming the fields at fault when there are any (else the whole `file`)."""

    def __init__(self, detail: str, status: int = 422, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.errors = errors or {"file": [detail]}


# What reading a damaged or crafted member raises: a bad CRC, a corrupt deflate stream, an
# unsupported compression method, an encrypted member.
UNREADABLE_MEMBER = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class ArchivedEvidence:
    """One evidence file to write: its member name under `evidence/`, its manifest entry (the
    test's ref, filename, type, size, sha256, ...) and a way to read its bytes in chunks."""

    name: str
    entry: dict[str, Any]
    chunks: Callable[[], Iterable[bytes]]


def write_archive(
    target: BinaryIO, document: dict[str, Any], evidence: Sequence[ArchivedEvidence] = ()
) -> None:
    """Write the zip of a mission document and its evidence files to `target`.

    Evidence bytes are copied chunk by chunk, so no more than a chunk is held in memory. They
    are stored, not deflated: most evidence (images, pcaps, zips) is compressed already, and a
    repetitive log that deflates well would otherwise look like a zip bomb to `read_archive`.
    """
    manifest = {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "mission": MISSION,
        "evidence": [{"path": EVIDENCE_DIR + item.name, **item.entry} for item in evidence],
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        archive.writestr(MISSION, json.dumps(document, ensure_ascii=False, indent=1))
        archive.writestr(zipfile.ZipInfo(EVIDENCE_DIR), b"")
        for item in evidence:
            info = zipfile.ZipInfo(EVIDENCE_DIR + item.name, time.gmtime()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = item.entry["size"]  # lets zipfile choose ZIP64 for large files
            with archive.open(info, "w") as member:
                for chunk in item.chunks():
                    member.write(chunk)


class MissionArchive:
    """A checked archive (`read_archive`): its manifest, its mission document, and its members
    to read; close it (or use `with`) when done."""

    def __init__(
        self, archive: zipfile.ZipFile, manifest: dict[str, Any], document: dict[str, Any]
    ) -> None:
        self._archive = archive
        self._file = archive.fp
        self.manifest = manifest
        self.document = document
        self.members = {member.filename: member for member in archive.infolist()}

    def evidence_members(self) -> list[str]:
        """The names of the files in `evidence/`."""
        return [
            name for name in self.members if name.startswith(EVIDENCE_DIR) and name != EVIDENCE_DIR
        ]

    def open(self, name: str) -> IO[bytes]:
        """A member's bytes; zipfile reads at most its declared size and checks its CRC at
        the end (a mismatch raises zipfile.BadZipFile)."""
        return self._archive.open(self.members[name])

    def close(self) -> None:
        self._archive.close()
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> MissionArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_archive(file: IO[bytes]) -> MissionArchive:
    """The archive in `file` (seekable; closed with the archive), open, after every check above.

    zipfile reads the directory and then each member where it lies: the archive is never held
    in memory whole.
    """
    try:
        if file.seek(0, io.SEEK_END) > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"The archive exceeds {MAX_ARCHIVE_BYTES // 2**20} MB.", 413)
        file.seek(0)
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError) as error:
        file.close()
        raise ArchiveError("Not a zip archive.") from error
    except BaseException:
        file.close()
        raise
    try:
        members = archive.infolist()
        if len(members) > MAX_ENTRIES:
            raise ArchiveError(f"The archive has more than {MAX_ENTRIES} entries.")
        for member in members:
            _check_member(member)
        if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
            raise ArchiveError(
                f"The archive exceeds {MAX_UNCOMPRESSED_BYTES // 2**20} MB once decompressed.", 413
            )
        names = {member.filename: member for member in members}
        if len(names) != len(members):
            raise ArchiveError("The archive holds two files of the same name.")
        manifest = _json_member(archive, names, MANIFEST)
        if manifest.get("format") != ARCHIVE_FORMAT or manifest.get("version") != ARCHIVE_VERSION:
            raise ArchiveError(
                f"Not a Violet mission archive (format {ARCHIVE_FORMAT!r} version "
                f"{ARCHIVE_VERSION} expected in {MANIFEST})."
            )
        return MissionArchive(archive, manifest, _json_member(archive, names, MISSION))
    except BaseException:
        archive.close()
        file.close()
        raise


def _check_member(member: zipfile.ZipInfo) -> None:
    name = member.filename
    parts = name.rstrip("/").split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ArchiveError(f"Unsafe file name in the archive: {name[:200]!r}.")
    if name not in (MANIFEST, MISSION, EVIDENCE_DIR) and not (
        name.startswith(EVIDENCE_DIR) and len(parts) == 2
    ):
        raise ArchiveError(f"Unexpected file in the archive: {name[:200]!r}.")
    if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
        member.compress_size, 1
    ):
        raise ArchiveError(
            f"{name[:200]!r} inflates more than {MAX_RATIO} times: refused as a zip bomb."
        )


def _json_member(
    archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], name: str
) -> dict[str, Any]:
    member = names.get(name)
    if member is None:
        raise ArchiveError(f"The archive has no {name}.")
    limit = min(member.file_size, MAX_DOCUMENT_BYTES)
    if member.file_size > MAX_DOCUMENT_BYTES:
        raise ArchiveError(f"{name} exceeds {MAX_DOCUMENT_BYTES // 2**20} MB.", 413)
    try:
        with archive.open(member) as stream:
            content = stream.read(limit + 1)
    except (*UNREADABLE_MEMBER, OSError) as error:
        raise ArchiveError(f"{name} cannot be read: {error}.") from error
    if len(content) > member.file_size:
        raise ArchiveError(f"{name} is larger than its header says.")
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(f"{name} is not valid JSON.") from error
    except RecursionError as error:
        # json.loads recurses once per level: `[[[[…` some thousands deep (a few KB, under the
        # zip-bomb check's floor) exhausts the stack.
        raise ArchiveError(f"{name} is nested too deeply.") from error
    if not isinstance(document, dict):
        raise ArchiveError(f"{name} is not a JSON object.")
    # The request's input guard never sees inside an archive: a NUL or an unpaired surrogate
    # (JSON's `\ud800`) would reach PostgreSQL, which cannot store it. Named as the document's
    # fields are named when they are refused (`mission.tests.0.red_notes`).
    prefix = name.removesuffix(".json")
    unstorable = [f"{prefix}.{field}" for field in unstorable_fields(document)]
    if unstorable:
        raise ArchiveError(
            f"{name} holds a character that cannot be stored (NUL or an unpaired surrogate) "
            f"in {', '.join(unstorable[:20])}.",
            errors={field: [UNSTORABLE_MESSAGE] for field in unstorable[:50]},
        )
    return document
