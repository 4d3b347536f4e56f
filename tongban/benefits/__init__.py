"""Benefits (待遇): entitlements created by approved decisions; payment runs arrive with the money issue."""
