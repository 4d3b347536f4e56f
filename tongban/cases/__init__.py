"""Cases (办件): applications, "one thing" bundles, the review workflow, tasks, archives.

Filled by the case-handling issue; until then it has no tables and no behaviour.
"""
