"""Connectors: the plugin API, discovery, and the built-in connectors."""
