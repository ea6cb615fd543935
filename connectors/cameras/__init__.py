"""Cameras listed in the site file: RTSP (H.264/H.265), looped files, HTTP MJPEG, USB devices."""

from connectors.cameras.connector import CameraEntry, CamerasConfig, CamerasConnector

__all__ = ["CameraEntry", "CamerasConfig", "CamerasConnector"]
