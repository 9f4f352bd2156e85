"""Writes of the cases app, one module per entity group."""
