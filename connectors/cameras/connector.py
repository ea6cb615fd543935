"""CamerasConnector: a site's camera list turned into camera sources with main and sub streams.

Credentials come from the connector's settings (``username``/``password``, or ``*_env`` keys that
name environment variables) and are put into the stream URLs in memory only; the browser, the logs
and the tiles show URLs with the password masked.
"""

from __future__ import annotations

import asyncio
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.api import Connector, ConnectorConfig
from console.model.sources import Source, SourceKind, StreamSpec


class CameraEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", title="Camera id")
    name: str = Field(min_length=1, title="Name")
    main: str = Field(min_length=1, title="Main stream URL (or file path, or USB device index)")
    sub: str = Field("", title="Sub-stream URL (optional)")
    kind: Literal["rtsp", "file", "http", "usb"] = "rtsp"
    unit: str = Field("", title="Administrative unit code")
    location: str = ""
    tags: list[str] = []
    username: str = ""
    password: SecretStr | None = None
    transport: Literal["tcp", "udp", ""] = ""


class CamerasConfig(ConnectorConfig):
    # Streams report their own state on their tiles; the list itself never goes stale.
    stale_after_s: float = Field(7 * 86400.0, gt=0, title="Stale after", json_schema_extra={"unit": "s"})
    username: str = Field("", title="Default user name")
    password: SecretStr | None = Field(None, title="Default password")
    transport: Literal["tcp", "udp"] = Field("tcp", title="RTSP transport")
    timeout_s: float = Field(3.0, gt=0.2, le=60, title="Open/read timeout", json_schema_extra={"unit": "s"})
    hwaccel: Literal["auto", "cuda", "none"] = Field(
        "auto", title="Hardware decoding", description="auto: the GPU's decoder where PyAV finds one")
    cameras: list[CameraEntry] = []


def with_credentials(url: str, user: str, password: str) -> str:
    if not user or "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.username:
        return url  # the URL already says who it is
    host = parts.netloc
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" if password else f"{quote(user, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


class CamerasConnector(Connector):
    Config = CamerasConfig
    kind = "cameras"

    async def run(self) -> None:
        # The list is static: the connector's work is done once its sources are declared. Each
        # stream's health shows on its tiles, not here.
        await asyncio.Event().wait()

    def declared_sources(self) -> list[Source]:
        cfg: CamerasConfig = self.config
        hwaccel = "" if cfg.hwaccel == "none" else "cuda"
        out = []
        for cam in cfg.cameras:
            user = cam.username or cfg.username
            secret = cam.password or cfg.password
            password = secret.get_secret_value() if secret else ""
            transport = cam.transport or cfg.transport
            accel = hwaccel if cam.kind in ("rtsp", "file") else ""
            streams = [
                StreamSpec(with_credentials(url, user, password) if cam.kind == "rtsp" else url, cam.kind, transport,
                           cfg.timeout_s, accel) if url else None
                for url in (cam.main, cam.sub)
            ]
            out.append(Source(f"{self.name}/{cam.id}", SourceKind.CAMERA, cam.name, self.name, cam.unit,
                              tuple(cam.tags), cam.location, streams[0], streams[1]))
        return out
