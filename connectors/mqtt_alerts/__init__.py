"""Alerts published to an MQTT broker, acknowledged (QoS 1) once they are on disk."""

from connectors.mqtt_alerts.connector import MqttAlertsConfig, MqttAlertsConnector

__all__ = ["MqttAlertsConfig", "MqttAlertsConnector"]
