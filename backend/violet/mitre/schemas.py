"""Input and output schemas of the ATT&CK catalogue (shapes fixed by the team contract)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from violet.core.json_types import CommaList
from violet.core.pagination import PageQuery
from violet.core.serialization import CompiledSchema
from violet.mitre.models import DEFAULT_DOMAIN, DOMAINS, TECHNIQUE_LIST_FIELDS

SHA256 = validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Must be 64 hexadecimal characters.")


def domain_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(DOMAINS), **kwargs)


def search_field() -> fields.String:
    return fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Case-insensitive substring of the name or ATT&CK id."},
    )


def include_deprecated_field() -> fields.Boolean:
    return fields.Boolean(
        load_default=False,
        metadata={"description": "Also list deprecated, revoked and vanished objects."},
    )


# --- input ------------------------------------------------------------------------------------


def release_field() -> fields.String:
    return fields.String(
        validate=validate.Regexp(
            r"^\d{1,4}(\.\d{1,4}){0,3}$", error="Give a release number such as 18.1."
        ),
        metadata={
            "description": "The ATT&CK release, for a bundle without a collection object "
            "(the bundle's own version wins; without either, the file or URL name is read).",
            "example": "18.1",
        },
    )


class SyncIn(Schema):
    """JSON body of POST /mitre/sync (every field optional: {} syncs the pinned release)."""

    source = fields.String(
        validate=validate.Length(min=1, max=2048),
        metadata={"description": "https URL of a STIX bundle; default MITRE_DEFAULT_URL."},
    )
    expected_sha256 = fields.String(
        validate=SHA256,
        metadata={"description": "SHA-256 of the file or of its JSON (when gzip-compressed)."},
    )
    allow_unverified = fields.Boolean(
        load_default=False,
        metadata={"description": "Accept a bundle with no hash to check it against."},
    )
    version = release_field()


class UploadedFile(fields.Field):
    """A multipart file part (werkzeug's FileStorage)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Send the bundle as a file part.")
        return value


class SyncUpload(Schema):
    """A multipart POST /mitre/sync: the bundle as the `file` part, and the options as fields."""

    file = UploadedFile(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The bundle: .json or .json.gz.",
        },
    )
    expected_sha256 = fields.String(validate=SHA256)
    allow_unverified = fields.Boolean(load_default=False)
    version = release_field()


class TacticQuery(PageQuery):
    domain = domain_field()
    q = search_field()
    include_deprecated = include_deprecated_field()


class TechniqueQuery(PageQuery):
    tactic = fields.String(
        validate=validate.Length(max=64),
        metadata={
            "description": "Tactic ATT&CK id (TA0002) or shortname (execution). Enterprise and "
            "Mobile share shortnames (both have an `execution`): add `domain`, or give the id, "
            "to keep to one domain."
        },
    )
    q = search_field()
    domain = domain_field()
    platform = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "A platform as MITRE spells it (Windows, macOS, IaaS…)."},
    )
    include_deprecated = include_deprecated_field()
    shown = CommaList(
        fields.String(validate=validate.OneOf(TECHNIQUE_LIST_FIELDS)),
        data_key="fields",
        validate=validate.Length(max=len(TECHNIQUE_LIST_FIELDS)),
        metadata={
            "description": "Comma-separated item fields to return (`id` and `external_id` "
            "always come), e.g. `fields=name,tactics` for a picker; default: all of them. "
            "A list without `description` is a fraction of the size."
        },
    )


class SubtechniqueQuery(PageQuery):
    technique = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "Parent technique ATT&CK id (T1059)."},
    )
    q = search_field()
    domain = domain_field()
    platform = fields.String(validate=validate.Length(max=64))
    include_deprecated = include_deprecated_field()


class ThreatGroupQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Case-insensitive substring of the name, an alias or the id."},
    )
    domain = domain_field(metadata={"description": "Groups that belong to this domain."})
    include_deprecated = include_deprecated_field()


class DetailQuery(Schema):
    include_deprecated = fields.Boolean(
        load_default=False,
        metadata={"description": "Also list deprecated and revoked sub-techniques."},
    )


class MatrixQuery(Schema):
    domain = domain_field(load_default=DEFAULT_DOMAIN)


# --- output -----------------------------------------------------------------------------------


class AttackObjectOut(Schema):
    id = fields.UUID(required=True)
    external_id = fields.String(required=True, metadata={"example": "T1059"})
    stix_id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    url = fields.String(allow_none=True)
    domain = fields.String(required=True, metadata={"example": DEFAULT_DOMAIN})
    deprecated = fields.Boolean(required=True)
    revoked = fields.Boolean(required=True)


class TacticOut(AttackObjectOut):
    shortname = fields.String(required=True, metadata={"example": "execution"})
    position = fields.Integer(
        allow_none=True, metadata={"description": "0-based column in the domain's matrix."}
    )


class TacticRefOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    shortname = fields.String(required=True)


class TechniqueRefOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)


class SubtechniqueOut(AttackObjectOut):
    platforms = fields.List(fields.String(), required=True)
    technique = fields.Nested(TechniqueRefOut, required=True)


def replaced_by_field() -> fields.String:
    return fields.String(
        allow_none=True,
        metadata={
            "description": "When revoked: the ATT&CK id of the live technique or sub-technique "
            "that replaced it (from the bundle's revoked-by relationships).",
            "example": "T1059.001",
        },
    )


class SubtechniqueDetailOut(SubtechniqueOut):
    detection = fields.String(allow_none=True)
    replaced_by = replaced_by_field()


class TechniqueOut(AttackObjectOut):
    platforms = fields.List(fields.String(), required=True)
    tactics = fields.List(fields.Nested(TacticRefOut), required=True)
    subtechnique_count = fields.Integer(
        required=True, metadata={"description": "Live sub-techniques."}
    )


class TechniqueDetailOut(TechniqueOut):
    detection = fields.String(allow_none=True)
    replaced_by = replaced_by_field()
    subtechniques = fields.List(fields.Nested(SubtechniqueOut), required=True)


class ThreatGroupOut(AttackObjectOut):
    aliases = fields.List(fields.String(), required=True)
    domain = fields.String(
        required=True,
        metadata={"description": "The first of `domains`.", "example": "enterprise-attack"},
    )
    domains = fields.List(fields.String(), required=True)
    replaced_by = fields.String(
        allow_none=True,
        metadata={
            "description": "When revoked: the ATT&CK id of the live group that replaced it "
            "(from the bundle's revoked-by relationships).",
            "example": "G0035",
        },
    )


class ThreatGroupTechniqueOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("technique", "subtechnique")))
    external_id = fields.String(required=True, metadata={"example": "T1059.001"})
    name = fields.String(required=True)
    tactics = fields.List(fields.Nested(TacticRefOut), required=True)


class ThreatGroupDetailOut(ThreatGroupOut):
    techniques = fields.List(
        fields.Nested(ThreatGroupTechniqueOut),
        required=True,
        metadata={"description": "The live techniques and sub-techniques the group uses."},
    )


class MatrixSubtechniqueOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(allow_none=True)
    platforms = fields.List(fields.String(), required=True)


class MatrixTechniqueOut(MatrixSubtechniqueOut):
    subtechniques = fields.List(fields.Nested(MatrixSubtechniqueOut), required=True)


class MatrixTacticOut(Schema):
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    shortname = fields.String(required=True)
    url = fields.String(allow_none=True)
    techniques = fields.List(fields.Nested(MatrixTechniqueOut), required=True)


class MatrixOut(CompiledSchema):  # ~140 KB of nested cells: dumped by the fast path
    domain = fields.String(required=True)
    version = fields.String(allow_none=True)
    tactics = fields.List(fields.Nested(MatrixTacticOut), required=True)


class CountsOut(Schema):
    tactics = fields.Integer(required=True)
    techniques = fields.Integer(required=True)
    subtechniques = fields.Integer(required=True)


class ChangesOut(Schema):
    added = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    deprecated = fields.Integer(
        required=True, metadata={"description": "Live before, now deprecated, revoked or gone."}
    )


class SyncOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True, metadata={"example": "succeeded"})
    domain = fields.String(allow_none=True)
    version = fields.String(allow_none=True)
    source = fields.String(required=True)
    sha256 = fields.String(allow_none=True)
    verified = fields.Boolean(required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    changes = fields.Dict(keys=fields.String(), values=fields.Integer())
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(required=True)
    started_by = fields.String(allow_none=True, metadata={"description": "The user's email."})


class DomainStatusOut(Schema):
    domain = fields.String(required=True, metadata={"example": DEFAULT_DOMAIN})
    version = fields.String(
        allow_none=True, required=True, metadata={"description": "Its last synced release."}
    )
    counts = fields.Nested(CountsOut, required=True, metadata={"description": "Live objects."})
    last_sync = fields.Nested(
        SyncOut,
        allow_none=True,
        required=True,
        metadata={"description": "Its last sync attempt (see `status` and `error`)."},
    )


class StatusOut(Schema):
    last_sync = fields.Nested(
        SyncOut,
        allow_none=True,
        required=True,
        metadata={
            "description": "The last attempt of any domain, including one that failed "
            "before its bundle named a domain (offline, checksum mismatch)."
        },
    )
    version = fields.String(allow_none=True, metadata={"description": "Last synced release."})
    source_url = fields.String(allow_none=True)
    sha256 = fields.String(allow_none=True)
    domains = fields.List(
        fields.Nested(DomainStatusOut),
        required=True,
        metadata={"description": "Each domain with data or a sync attempt, in matrix order."},
    )
    counts = fields.Nested(
        CountsOut, required=True, metadata={"description": "Live objects of all domains."}
    )
    default_url = fields.String(required=True)
    default_version = fields.String(required=True)
    default_sha256 = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The checksum pinned for the default URL (MITRE_DEFAULT_SHA256)."},
    )
    pinned = fields.Boolean(
        required=True, metadata={"description": "Whether a checksum is pinned for the default URL."}
    )
    sync_running = fields.Boolean(
        required=True, metadata={"description": "A sync holds the lock right now."}
    )


class SyncResultOut(Schema):
    id = fields.UUID(required=True, metadata={"description": "The sync record."})
    status = fields.String(required=True, metadata={"example": "succeeded"})
    domain = fields.String(required=True)
    version = fields.String(allow_none=True)
    sha256 = fields.String(required=True)
    verified = fields.Boolean(required=True)
    counts = fields.Nested(CountsOut, required=True)
    changes = fields.Nested(ChangesOut, required=True)
    duration_ms = fields.Integer(required=True)
