"""Transfers (关系转移): automatic moves of the UI relationship between regions, and the
inter-fund postings that carry a recipient's remaining entitlement. See docs/transfers.md."""
