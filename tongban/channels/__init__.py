"""Channels: the external HTTP API, API clients (bearer tokens), idempotency, file imports."""
