"""Alerts pushed over a WebSocket by a backend, with a receipt acknowledgement once they are on disk."""

from connectors.ws_alerts.connector import WsAlertsConfig, WsAlertsConnector

__all__ = ["WsAlertsConfig", "WsAlertsConnector"]
