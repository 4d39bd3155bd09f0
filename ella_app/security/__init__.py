"""Passwords, one-time passwords and session tokens."""
