"""Web: server-rendered pages — the office workbench, the claimant portal, supervision."""
