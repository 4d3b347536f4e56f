"""The policy parameter files (TOML); data, not code. See docs/rules.md."""
