"""Benefits (待遇): entitlements, payment schedules, monthly payment runs, stops, recovery.

Filled by the money issue; until then it has no tables and no behaviour.
"""
