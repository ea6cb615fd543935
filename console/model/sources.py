"""Sources a connector offers (camera, KPI, alert feed, document) and the documents they produce."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SourceKind(StrEnum):
    CAMERA = "camera"
    KPI = "kpi"
    ALERTS = "alerts"
    DOCUMENT = "document"  # one file shown page by page: PDF, image, text/Markdown, office (converted)
    DOCUMENT_LIST = "document_list"  # a document-management system's register of incoming/outgoing papers
    AGENDA = "agenda"  # a briefing's items, the current one highlighted
    TOUR = "tour"  # a camera tour: the tile cycles through cameras


class Quality(StrEnum):
    GOOD = "good"
    UNCERTAIN = "uncertain"
    BAD = "bad"


@dataclass(frozen=True)
class StreamSpec:
    """How to open one video stream. ``kind``: rtsp, file (played looped, at its own pace),
    http (MJPEG), usb (a local capture device, ``url`` is its index or path)."""

    url: str
    kind: str = "rtsp"
    transport: str = "tcp"  # rtsp only: tcp or udp
    timeout_s: float = 3.0
    hwaccel: str = ""  # "cuda": decode on the GPU where PyAV finds one, else on the CPU

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.url}"


@dataclass(frozen=True)
class Source:
    """Something a tile can show. ``id`` is unique across the site (``connector/local-id``)."""

    id: str
    kind: SourceKind
    name: str
    connector: str
    unit: str = ""  # administrative-unit code, "" when the source belongs to none
    tags: tuple[str, ...] = ()
    detail: str = ""  # short description shown in the browser (location, indicator unit...)
    main: StreamSpec | None = None  # cameras: the full-resolution stream
    sub: StreamSpec | None = None  # cameras: the small stream for small tiles (optional)
    file: str = ""  # documents: the local file to show ("" while a download is pending)


@dataclass(frozen=True)
class DocumentText:
    source_id: str
    title: str
    lines: tuple[str, ...]
    source_time: float


@dataclass(frozen=True)
class AdminUnit:
    """An administrative unit; the hierarchy is data of any depth (province, commune, ...)."""

    code: str
    name: str
    level: str
    parent: str = ""
