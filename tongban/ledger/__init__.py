"""Ledger (基金会计): one book per regional fund under the unified chart of accounts.

Filled by the money issue; until then it has no tables and no behaviour.
"""
