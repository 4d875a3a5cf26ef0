"""A small ATT&CK bundle built by the tests, in the STIX 2.0 (mitre/cti) or 2.1 (attack-stix-data)
shape, for any domain. Counts of the default enterprise bundle:

- tactics: TA0001 initial-access, TA0002 execution, TA0003 persistence (matrix order), all live;
- techniques: T1059 (execution), T1078 (initial-access + persistence: multi-tactic),
  T1566 (initial-access) live; T1086 revoked; T1064 deprecated;
- sub-techniques: T1059.001, T1059.003, T1078.001, T1566.001 live (T1566.001 has no
  subtechnique-of relationship: its parent comes from its id), T1059.999 deprecated.
"""

from __future__ import annotations

import copy
import gzip
import json
import uuid
from typing import Any

LIVE_COUNTS = {"tactics": 3, "techniques": 3, "subtechniques": 4}
OBJECT_COUNT = 3 + 5 + 5  # tactics + techniques + sub-techniques

KILL_CHAIN = {
    "enterprise-attack": "mitre-attack",
    "mobile-attack": "mitre-mobile-attack",
    "ics-attack": "mitre-ics-attack",
}


def stix_id(kind: str, name: str) -> str:
    """A stable id per (kind, name), so two builds of the bundle agree."""
    return f"{kind}--{uuid.uuid5(uuid.NAMESPACE_URL, f'violet-test/{kind}/{name}')}"


def _reference(external_id: str, path: str) -> list[dict[str, str]]:
    return [
        {
            "source_name": "mitre-attack",
            "external_id": external_id,
            "url": f"https://attack.mitre.org/{path}/{external_id.replace('.', '/')}",
        },
        {"source_name": "capec", "external_id": "CAPEC-1"},
    ]


def tactic(external_id: str, shortname: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "x-mitre-tactic",
        "id": stix_id("x-mitre-tactic", external_id),
        "created": "2018-10-17T00:14:20.652Z",
        "modified": "2025-04-25T14:45:32.408Z",
        "name": name,
        "description": f"The adversary is trying to {name.lower()}.",
        "external_references": _reference(external_id, "tactics"),
        "x_mitre_shortname": shortname,
        "x_mitre_version": "1.0",
        **extra,
    }


def technique(
    external_id: str,
    name: str,
    phases: list[str],
    *,
    platforms: list[str] | None = None,
    domain: str = "enterprise-attack",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "attack-pattern",
        "id": stix_id("attack-pattern", external_id),
        "created": "2020-01-14T17:18:32.126Z",
        "modified": "2025-10-24T17:48:19.059Z",
        "name": name,
        "description": f"Adversaries may use {name}.",
        "external_references": _reference(external_id, "techniques"),
        "kill_chain_phases": [
            {"kill_chain_name": KILL_CHAIN[domain], "phase_name": phase} for phase in phases
        ],
        "x_mitre_platforms": platforms if platforms is not None else ["Windows"],
        "x_mitre_is_subtechnique": "." in external_id,
        "x_mitre_detection": f"Monitor for {name}.",
        "x_mitre_version": "1.1",
        "x_mitre_domains": [domain],
        **extra,
    }


def subtechnique_of(sub_external_id: str, parent_external_id: str) -> dict[str, Any]:
    return {
        "type": "relationship",
        "id": stix_id("relationship", f"{sub_external_id}->{parent_external_id}"),
        "created": "2020-01-14T17:18:32.126Z",
        "modified": "2020-01-14T17:18:32.126Z",
        "relationship_type": "subtechnique-of",
        "source_ref": stix_id("attack-pattern", sub_external_id),
        "target_ref": stix_id("attack-pattern", parent_external_id),
    }


def group(external_id: str, name: str, aliases: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "intrusion-set",
        "id": stix_id("intrusion-set", external_id),
        "created": "2017-05-31T21:31:52.748Z",
        "modified": "2025-04-04T17:07:43.344Z",
        "name": name,
        "aliases": aliases,
        "description": f"{name} is a threat group.",
        "external_references": [
            {
                "source_name": "mitre-attack",
                "external_id": external_id,
                "url": f"https://attack.mitre.org/groups/{external_id}",
            }
        ],
        "x_mitre_domains": ["enterprise-attack"],
        "x_mitre_version": "6.2",
        **extra,
    }


def uses(group_external_id: str, technique_external_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "relationship",
        "id": stix_id("relationship", f"{group_external_id} uses {technique_external_id}"),
        "created": "2020-01-14T17:18:32.126Z",
        "modified": "2020-01-14T17:18:32.126Z",
        "relationship_type": "uses",
        "source_ref": stix_id("intrusion-set", group_external_id),
        "target_ref": stix_id("attack-pattern", technique_external_id),
        **extra,
    }


def revoked_by(stix_type: str, old_external_id: str, new_external_id: str) -> dict[str, Any]:
    """A `revoked-by` relationship: `old` was replaced by `new`, both of `stix_type`
    (e.g. "intrusion-set": MITRE merged two names of one group)."""
    return {
        "type": "relationship",
        "id": stix_id("relationship", f"{old_external_id} revoked-by {new_external_id}"),
        "created": "2020-01-14T17:18:32.126Z",
        "modified": "2020-01-14T17:18:32.126Z",
        "relationship_type": "revoked-by",
        "source_ref": stix_id(stix_type, old_external_id),
        "target_ref": stix_id(stix_type, new_external_id),
    }


def retired_groups() -> list[dict[str, Any]]:
    """Groups as ATT&CK v18.1 retires them: Dragonfly 2.0 (G0074) revoked by Dragonfly (G0035,
    live, using T1078), Night Dragon (G0014) deprecated, and G0099 revoked without saying by
    what. The retired ones keep their old `uses`, which the sync does not link."""
    return [
        group("G0035", "Dragonfly", ["Dragonfly", "Berserk Bear"]),
        uses("G0035", "T1078"),
        group("G0074", "Dragonfly 2.0", ["Dragonfly 2.0"], revoked=True),
        uses("G0074", "T1078"),
        revoked_by("intrusion-set", "G0074", "G0035"),
        group("G0014", "Night Dragon", ["Night Dragon"], x_mitre_deprecated=True),
        uses("G0014", "T1059"),
        group("G0099", "Old Group", ["Old Group"], revoked=True),
    ]


def build_bundle(
    spec_version: str = "2.1",
    *,
    domain: str = "enterprise-attack",
    version: str = "18.1",
    extra_objects: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The default test bundle (see the module docstring) for `domain` in `spec_version`."""
    prefix = {"enterprise-attack": "", "mobile-attack": "M", "ics-attack": "I"}[domain]

    def ext(external_id: str) -> str:
        # Other domains get their own ids (TA0001 → MTA0001, T1059 → MT1059) as MITRE's do.
        return prefix + external_id

    tactics = [
        tactic(ext("TA0002"), "execution", "Execution"),
        tactic(ext("TA0001"), "initial-access", "Initial Access"),
        tactic(ext("TA0003"), "persistence", "Persistence"),
    ]
    matrix = {
        "type": "x-mitre-matrix",
        "id": stix_id("x-mitre-matrix", domain),
        "created": "2018-10-17T00:14:20.652Z",
        "modified": "2025-04-25T14:41:40.982Z",
        "name": f"{domain} matrix",
        "external_references": [{"source_name": "mitre-attack", "external_id": domain}],
        "tactic_refs": [
            stix_id("x-mitre-tactic", ext(external_id))
            for external_id in ("TA0001", "TA0002", "TA0003")
        ],
    }

    def tech(external_id: str, name: str, phases: list[str], **extra: Any) -> dict[str, Any]:
        return technique(ext(external_id), name, phases, domain=domain, **extra)

    techniques = [
        tech(
            "T1059",
            "Command and Scripting Interpreter",
            ["execution"],
            platforms=["Windows", "Linux", "macOS"],
        ),
        tech(
            "T1078",
            "Valid Accounts",
            ["initial-access", "persistence"],
            platforms=["Windows", "Linux", "SaaS"],
        ),
        tech("T1566", "Phishing", ["initial-access"], platforms=["Windows", "macOS"]),
        tech("T1086", "PowerShell", ["execution"], revoked=True),
        tech("T1064", "Scripting", ["execution"], x_mitre_deprecated=True),
        tech("T1059.001", "PowerShell", ["execution"]),
        tech("T1059.003", "Windows Command Shell", ["execution"]),
        tech("T1059.999", "Old Shell", ["execution"], x_mitre_deprecated=True),
        tech("T1078.001", "Default Accounts", ["initial-access", "persistence"]),
        tech("T1566.001", "Spearphishing Attachment", ["initial-access"]),
    ]
    relationships = [
        subtechnique_of(ext(sub), ext(parent))
        for sub, parent in [
            ("T1059.001", "T1059"),
            ("T1059.003", "T1059"),
            ("T1059.999", "T1059"),
            ("T1078.001", "T1078"),
        ]
    ]
    relationships.append(
        {
            "type": "relationship",
            "id": stix_id("relationship", "revoked-by"),
            "created": "2020-01-14T17:18:32.126Z",
            "modified": "2020-01-14T17:18:32.126Z",
            "relationship_type": "revoked-by",
            "source_ref": stix_id("attack-pattern", ext("T1086")),
            "target_ref": stix_id("attack-pattern", ext("T1059.001")),
        }
    )
    noise = [
        {
            "type": "identity",
            "id": "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5",
            "created": "2017-06-01T00:00:00.000Z",
            "modified": "2017-06-01T00:00:00.000Z",
            "name": "The MITRE Corporation",
            "identity_class": "organization",
        },
        {
            "type": "malware",
            "id": stix_id("malware", "S0001"),
            "created": "2017-06-01T00:00:00.000Z",
            "modified": "2017-06-01T00:00:00.000Z",
            "name": "Some Malware",
        },
    ]
    objects = [*noise, matrix, *tactics, *techniques, *relationships, *(extra_objects or [])]
    objects = copy.deepcopy(objects)
    if spec_version == "2.0":
        return {
            "type": "bundle",
            "id": stix_id("bundle", domain),
            "spec_version": "2.0",
            "objects": objects,
        }
    collection = {
        "type": "x-mitre-collection",
        "id": stix_id("x-mitre-collection", domain),
        "created": "2018-01-17T12:56:55.080Z",
        "modified": "2025-10-28T14:00:00.000Z",
        "name": f"{domain} ATT&CK",
        "x_mitre_version": version,
        "x_mitre_contents": [],
    }
    for stix_object in objects:
        stix_object["spec_version"] = "2.1"
        # attack-stix-data leaves false flags out.
        if stix_object.get("x_mitre_deprecated") is False:
            del stix_object["x_mitre_deprecated"]
    return {"type": "bundle", "id": stix_id("bundle", domain), "objects": [collection, *objects]}


def find(bundle: dict[str, Any], external_id: str) -> dict[str, Any]:
    """The bundle's object with this ATT&CK id (to edit it in a test)."""
    for stix_object in bundle["objects"]:
        for reference in stix_object.get("external_references", []):
            if reference.get("external_id") == external_id:
                return stix_object
    raise KeyError(external_id)


def encode(bundle: dict[str, Any], *, compress: bool = False) -> bytes:
    document = json.dumps(bundle).encode()
    return gzip.compress(document, mtime=0) if compress else document
