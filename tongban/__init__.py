"""Tongban (通办): province-wide employment and unemployment-insurance services."""
