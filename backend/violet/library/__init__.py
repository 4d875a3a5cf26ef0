"""The test library: test templates, scenario templates, Atomic Red Team and JSON import/export."""
