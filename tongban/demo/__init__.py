"""The synthetic demo province: deterministic people, employers, careers and contributions."""
