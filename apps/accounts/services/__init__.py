"""Writes on users, roles and invitations."""
