"""Supervision (监督): the province's live view of service quality and of every regional fund.

Reads the other contexts through their selectors: ``cases.statistics`` (the live summaries
of applications and work), ``benefits.selectors`` (first payments, the payment checks,
reconciliation), ``ledger.selectors`` (each fund's books). docs/supervision.md.
"""
