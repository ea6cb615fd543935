"""Registers of papers (being written)."""
