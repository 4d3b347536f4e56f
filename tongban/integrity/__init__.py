"""Integrity (数据比对): real-time checks, national comparison imports, findings and reviews.

Filled by the data-moves issue; until then it has no tables and no behaviour.
"""
