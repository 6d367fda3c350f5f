"""Writes on tenants. One module per idea: provisioning, lifecycle."""
