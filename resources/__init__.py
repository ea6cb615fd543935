"""Bundled resources: demo site, translations, theme."""
