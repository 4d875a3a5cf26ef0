"""A small, valid ATT&CK STIX 2.1 bundle for the e2e suite (shaped like attack-stix-data).

`small_bundle()` returns the bundle as a dict; `write_bundle(path)` writes it and returns its
SHA-256. The bundle has a matrix with three tactics, techniques in them (one in two tactics),
subtechniques, a deprecated technique and Markdown descriptions with citations, which is what
the SPA renders.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOMAIN = "enterprise-attack"
# Each domain's kill chain, as MITRE names it on the techniques' phases.
KILL_CHAINS = {
    "enterprise-attack": "mitre-attack",
    "mobile-attack": "mitre-mobile-attack",
    "ics-attack": "mitre-ics-attack",
}
VERSION = "99.1"
CREATED = "2025-01-01T00:00:00.000Z"
MODIFIED = "2025-06-01T00:00:00.000Z"
IDENTITY = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"
MARKING = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
ATTACK_URL = "https://attack.mitre.org"


@dataclass(frozen=True)
class Tactic:
    external_id: str
    name: str
    shortname: str


@dataclass(frozen=True)
class Technique:
    external_id: str
    name: str
    tactics: tuple[str, ...]  # tactic shortnames
    platforms: tuple[str, ...] = ("Windows", "Linux", "macOS")
    description: str = ""
    subtechniques: tuple[tuple[str, str], ...] = ()  # (external_id suffix "001", name)
    deprecated: bool = False


@dataclass(frozen=True)
class ThreatGroup:
    external_id: str
    name: str
    aliases: tuple[str, ...]
    uses: tuple[str, ...]  # technique and subtechnique ids


TACTICS = (
    Tactic("TA0002", "Execution", "execution"),
    Tactic("TA0003", "Persistence", "persistence"),
    Tactic("TA0005", "Defense Evasion", "defense-evasion"),
)

TECHNIQUES = (
    Technique(
        "T1059",
        "Command and Scripting Interpreter",
        ("execution",),
        description=(
            "Adversaries may abuse command and script interpreters to execute commands."
            "(Citation: Example Interpreters) These interfaces include **PowerShell** and "
            "`cmd`.\n\nSee [the ATT&CK site](https://attack.mitre.org/techniques/T1059/)."
            " <script>alert('x')</script>"
        ),
        subtechniques=(("001", "PowerShell"), ("003", "Windows Command Shell")),
    ),
    Technique(
        "T1053",
        "Scheduled Task/Job",
        ("execution", "persistence"),
        description="Adversaries may abuse task scheduling.(Citation: Example Scheduling)",
        subtechniques=(("005", "Scheduled Task"),),
    ),
    Technique("T1204", "User Execution", ("execution",), description="A user runs it."),
    Technique("T1547", "Boot or Logon Autostart Execution", ("persistence",)),
    Technique(
        "T1070",
        "Indicator Removal",
        ("defense-evasion",),
        subtechniques=(("001", "Clear Windows Event Logs"),),
    ),
    Technique("T1562", "Impair Defenses", ("defense-evasion",)),
    Technique("T1099", "Timestomp (old)", ("defense-evasion",), deprecated=True),
)


def _stix_id(kind: str, key: str) -> str:
    # Stable ids (the same bundle twice is the same bundle), version-4-shaped as STIX 2.1 wants.
    digest = hashlib.sha256(f"violet-e2e/{kind}/{key}".encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def _common(kind: str, key: str, name: str, description: str) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": _stix_id(kind, key),
        "created": CREATED,
        "modified": MODIFIED,
        "created_by_ref": IDENTITY,
        "object_marking_refs": [MARKING],
        "name": name,
        "description": description,
        "x_mitre_version": "1.0",
        "x_mitre_attack_spec_version": "3.2.0",
        "x_mitre_domains": [DOMAIN],
        "x_mitre_modified_by_ref": IDENTITY,
    }


def _reference(external_id: str, path: str) -> list[dict[str, str]]:
    return [
        {"source_name": "mitre-attack", "external_id": external_id, "url": f"{ATTACK_URL}/{path}/"},
        {"source_name": "Example Interpreters", "description": "An example citation."},
    ]


def _tactic(tactic: Tactic) -> dict[str, Any]:
    return {
        **_common("x-mitre-tactic", tactic.external_id, tactic.name, f"The {tactic.name} tactic."),
        "x_mitre_shortname": tactic.shortname,
        "external_references": _reference(tactic.external_id, f"tactics/{tactic.external_id}"),
    }


def _attack_pattern(
    external_id: str,
    name: str,
    tactics: tuple[str, ...],
    platforms: tuple[str, ...],
    description: str,
    *,
    is_subtechnique: bool,
    deprecated: bool = False,
) -> dict[str, Any]:
    path = "techniques/" + external_id.replace(".", "/")
    pattern = {
        **_common("attack-pattern", external_id, name, description or f"About {name}."),
        "kill_chain_phases": [
            {"kill_chain_name": "mitre-attack", "phase_name": shortname} for shortname in tactics
        ],
        "external_references": _reference(external_id, path),
        "x_mitre_platforms": list(platforms),
        "x_mitre_is_subtechnique": is_subtechnique,
        "x_mitre_detection": f"Watch for {name}.",
        "revoked": False,
    }
    if deprecated:
        pattern["x_mitre_deprecated"] = True
    return pattern


@dataclass
class _Bundle:
    objects: list[dict[str, Any]] = field(default_factory=list)

    def add(self, stix_object: dict[str, Any]) -> dict[str, Any]:
        self.objects.append(stix_object)
        return stix_object


# The 14 tactics of ATT&CK Enterprise, in matrix order, for layout tests.
ENTERPRISE_TACTICS = tuple(
    Tactic(external_id, name, name.lower().replace(" ", "-"))
    for external_id, name in (
        ("TA0043", "Reconnaissance"),
        ("TA0042", "Resource Development"),
        ("TA0001", "Initial Access"),
        ("TA0002", "Execution"),
        ("TA0003", "Persistence"),
        ("TA0004", "Privilege Escalation"),
        ("TA0005", "Defense Evasion"),
        ("TA0006", "Credential Access"),
        ("TA0007", "Discovery"),
        ("TA0008", "Lateral Movement"),
        ("TA0009", "Collection"),
        ("TA0011", "Command and Control"),
        ("TA0010", "Exfiltration"),
        ("TA0040", "Impact"),
    )
)


def wide_techniques(per_tactic: int = 12) -> tuple[Technique, ...]:
    """Enough techniques (long names, subtechniques) in each of the 14 tactics to fill a screen."""
    techniques = []
    for tactic_number, tactic in enumerate(ENTERPRISE_TACTICS):
        for number in range(per_tactic):
            external_id = f"T{1000 + tactic_number * 50 + number}"
            techniques.append(
                Technique(
                    external_id,
                    f"{tactic.name} Technique With A Long Descriptive Name {number + 1}",
                    (tactic.shortname,),
                    subtechniques=tuple((f"{sub:03d}", f"Variant {sub}") for sub in range(1, 4)),
                )
            )
    return tuple(techniques)


def small_bundle(
    version: str = VERSION,
    *,
    tactics: tuple[Tactic, ...] = TACTICS,
    techniques: tuple[Technique, ...] = TECHNIQUES,
    with_collection: bool = True,
    groups: tuple[ThreatGroup, ...] = (),
    domain: str = DOMAIN,
) -> dict[str, Any]:
    """A STIX 2.1 bundle: identity, marking, collection, matrix, tactics, techniques, subs,
    and `groups` (intrusion sets with their `uses` relationships), of `domain`.

    Without the collection object (as in some published bundles) it names no release.
    """
    bundle = _Bundle()
    bundle.add(
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": IDENTITY,
            "created": CREATED,
            "modified": MODIFIED,
            "name": "The MITRE Corporation",
            "identity_class": "organization",
        }
    )
    bundle.add(
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": MARKING,
            "created": CREATED,
            "definition_type": "statement",
            "definition": {"statement": "Copyright example."},
        }
    )
    tactic_objects = [bundle.add(_tactic(tactic)) for tactic in tactics]
    bundle.add(
        {
            **_common("x-mitre-matrix", "matrix", "Enterprise ATT&CK", "The e2e matrix."),
            "tactic_refs": [tactic["id"] for tactic in tactic_objects],
            "external_references": [
                {
                    "source_name": "mitre-attack",
                    "external_id": DOMAIN,
                    "url": f"{ATTACK_URL}/matrices/enterprise",
                }
            ],
        }
    )
    for technique in techniques:
        parent = bundle.add(
            _attack_pattern(
                technique.external_id,
                technique.name,
                technique.tactics,
                technique.platforms,
                technique.description,
                is_subtechnique=False,
                deprecated=technique.deprecated,
            )
        )
        for suffix, sub_name in technique.subtechniques:
            sub_id = f"{technique.external_id}.{suffix}"
            child = bundle.add(
                _attack_pattern(
                    sub_id,
                    sub_name,
                    technique.tactics,
                    technique.platforms,
                    f"{sub_name}, a way to do {technique.name}.(Citation: Example Interpreters)",
                    is_subtechnique=True,
                )
            )
            bundle.add(
                {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": _stix_id("relationship", f"{sub_id}->{technique.external_id}"),
                    "created": CREATED,
                    "modified": MODIFIED,
                    "relationship_type": "subtechnique-of",
                    "source_ref": child["id"],
                    "target_ref": parent["id"],
                    "x_mitre_domains": [DOMAIN],
                }
            )
    for threat_group in groups:
        intrusion_set = bundle.add(
            {
                **_common(
                    "intrusion-set",
                    threat_group.external_id,
                    threat_group.name,
                    f"{threat_group.name} is a threat group.",
                ),
                "aliases": list(threat_group.aliases),
                "external_references": _reference(
                    threat_group.external_id, f"groups/{threat_group.external_id}"
                ),
            }
        )
        for technique_id in threat_group.uses:
            bundle.add(
                {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": _stix_id(
                        "relationship", f"{threat_group.external_id} uses {technique_id}"
                    ),
                    "created": CREATED,
                    "modified": MODIFIED,
                    "relationship_type": "uses",
                    "source_ref": intrusion_set["id"],
                    "target_ref": _stix_id("attack-pattern", technique_id),
                    "x_mitre_domains": [DOMAIN],
                }
            )
    if domain != DOMAIN:
        _move_to(bundle.objects, domain)
    collection = {
        **_common("x-mitre-collection", "collection", "Enterprise ATT&CK", "The e2e collection."),
        "x_mitre_version": version,
        "x_mitre_contents": [
            {"object_ref": stix_object["id"], "object_modified": MODIFIED}
            for stix_object in bundle.objects
            if stix_object["type"] not in {"identity", "marking-definition"}
        ],
    }
    return {
        "type": "bundle",
        "id": _stix_id("bundle", version),
        "objects": [collection, *bundle.objects] if with_collection else bundle.objects,
    }


def _move_to(objects: list[dict[str, Any]], domain: str) -> None:
    """Make the objects those of another domain's bundle: its matrix, kill chain, domains."""
    for stix_object in objects:
        if "x_mitre_domains" in stix_object:
            stix_object["x_mitre_domains"] = [domain]
        for phase in stix_object.get("kill_chain_phases", []):
            phase["kill_chain_name"] = KILL_CHAINS[domain]
        if stix_object["type"] == "x-mitre-matrix":
            stix_object["id"] = _stix_id("x-mitre-matrix", domain)
            stix_object["external_references"][0]["external_id"] = domain


def write_bundle(path: Path, version: str = VERSION, **options: Any) -> str:
    """Write the bundle (see `small_bundle` for the options) as JSON; returns its SHA-256."""
    content = json.dumps(small_bundle(version, **options), indent=1).encode()
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()


if __name__ == "__main__":  # python e2e/stix.py out.json
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "e2e-bundle.json")
    print(write_bundle(target), target)
