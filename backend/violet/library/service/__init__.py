"""The library's rules: templates and their MITRE tags, scenarios, import and export."""
