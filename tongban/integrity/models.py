"""No tables yet: this context is filled by a later issue."""
