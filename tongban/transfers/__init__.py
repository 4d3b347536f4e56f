"""Transfers (关系转移): automatic moves of the UI relationship and inter-fund postings.

Filled by the data-moves issue; until then it has no tables and no behaviour.
"""
