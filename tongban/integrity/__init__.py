"""Integrity (数据比对): real-time checks, national comparison files, findings and their review.
See docs/integrity.md."""
