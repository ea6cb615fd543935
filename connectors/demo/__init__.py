"""The embedded demo connector: synthetic cameras, KPIs, alerts and documents, no network."""

from connectors.demo.connector import DemoConfig, DemoConnector

__all__ = ["DemoConfig", "DemoConnector"]
