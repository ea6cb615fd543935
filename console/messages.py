"""Messages on the bus: frozen dataclasses with past-tense names."""

from __future__ import annotations

from dataclasses import dataclass

from console.model.alerts import Alert, Silence
from console.model.documents import DocumentListing
from console.model.kpi import KpiSample
from console.model.sources import DocumentText, Source
from console.model.wall import Preset, WallState


@dataclass(frozen=True)
class WallChanged:
    state: WallState
    command: str
    actor: str
    origin: str


@dataclass(frozen=True)
class PresetsChanged:
    presets: tuple[Preset, ...]


@dataclass(frozen=True)
class SourcesChanged:
    connector: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ValueReceived:
    value: DocumentText | DocumentListing


@dataclass(frozen=True)
class SamplesReceived:
    """KPI values from one connector, a batch at a time."""

    connector: str
    samples: tuple[KpiSample, ...]


@dataclass(frozen=True)
class ConnectorHealthChanged:
    connector: str
    kind: str
    state: str  # starting, ok, stale, retrying, failed
    last_ok: float | None
    last_error: str
    attempt: int
    next_retry_s: float | None
    detail: str = ""  # what the connector says it is doing ("importing x.xlsx: 40%", a bad row...)


@dataclass(frozen=True)
class AlertsChanged:
    """Alerts (and silences) as they are now on disk, published by the alert writer."""

    alerts: tuple[Alert, ...]
    silences: tuple[Silence, ...] = ()


@dataclass(frozen=True)
class TourPauseRequested:
    tile_index: int  # 0-based
    paused: bool


@dataclass(frozen=True)
class OperatorNotified:
    """Something the operator must be told (a screen went away, a connector failed to load)."""

    text: str
    level: str = "warning"
