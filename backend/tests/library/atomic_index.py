"""An Atomic Red Team index built from the fixtures, as ART writes atomics/Indexes/index.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures"


def index_text(*, break_t1082: bool = False) -> str:
    """An index as ART writes atomics/Indexes/index.yaml: tactic → id → {technique, tests};
    T1059.001 stands under two tactics, and a technique without tests is listed too."""
    powershell = yaml.safe_load((FIXTURES / "T1059.001.yaml").read_text())["atomic_tests"]
    system_info = yaml.safe_load((FIXTURES / "T1082.yaml").read_text())["atomic_tests"]
    if break_t1082:
        del system_info[1]["executor"]["name"]

    def entry(external_id: str, name: str, tests: list) -> dict:
        stix = {"type": "attack-pattern", "name": name, "x_mitre_platforms": ["Windows"]}
        return {"technique": {**stix, "identifier": external_id}, "atomic_tests": tests}

    index = {
        "execution": {"T1059.001": entry("T1059.001", "PowerShell", powershell)},
        "defense-evasion": {
            "T1055.011": entry("T1055.011", "Extra Window Memory Injection", []),
            "T1059.001": entry("T1059.001", "PowerShell", powershell),
        },
        "discovery": {"T1082": entry("T1082", "System Information Discovery", system_info)},
    }
    # Written out in full each time, as ART's index is (a YAML alias would be refused).
    return yaml.safe_dump(json.loads(json.dumps(index)), sort_keys=False, allow_unicode=True)
