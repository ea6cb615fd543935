"""Paints document tiles (being written)."""
