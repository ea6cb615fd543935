"""KPI values polled from a JSON endpoint over HTTP(S)."""

from connectors.rest.connector import RestConfig, RestConnector

__all__ = ["RestConfig", "RestConnector"]
