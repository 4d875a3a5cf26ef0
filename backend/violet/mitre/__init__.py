"""MITRE ATT&CK catalogue: tactics, techniques, sub-techniques and the STIX sync."""
