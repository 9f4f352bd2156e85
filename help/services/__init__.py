"""Writes of help beyond money, one module per kind of help, on the shared checks of accounts/checks.py."""
