"""Alerts as data: what a source raises, what the operator does with it, and silences. No Qt."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any


class Severity(IntEnum):
    INFO = 1
    MINOR = 2
    MAJOR = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class AlertState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES = (AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.ASSIGNED)
DOMAINS = ("traffic", "security", "environment", "citizen_report", "information_security", "emergency", "other")


class AlertPayloadError(ValueError):
    """A payload that does not fit the alert shape; the message names the field and what was expected."""


@dataclass(frozen=True)
class AlertEvent:
    """One raise (or clear) from a source, as received."""

    source: str  # connector name
    key: str  # stable per source: the same key raised again is the same alert
    severity: Severity
    domain: str
    title: str
    text: str = ""
    unit: str = ""
    location: str = ""
    cameras: tuple[str, ...] = ()
    source_time: float = 0.0
    received_time: float = 0.0
    deadline: float | None = None  # citizen reports: when handling must be done
    clear: bool = False  # the source says the condition is over


@dataclass(frozen=True)
class HistoryEntry:
    ts: float
    actor: str
    action: str  # raised, repeated, acknowledged, assigned, resolved, closed, reopened, cleared, note, ...
    note: str = ""


@dataclass(frozen=True)
class Alert:
    id: int
    source: str
    key: str
    severity: Severity
    domain: str
    title: str
    text: str
    unit: str
    location: str
    cameras: tuple[str, ...]
    first_time: float  # source time of the first raise
    last_time: float  # source time of the latest raise
    received_time: float  # when the console first received it
    count: int = 1
    state: AlertState = AlertState.NEW
    assignee: str = ""
    deadline: float | None = None
    flapping: bool = False
    cleared: bool = False
    silenced_by: int | None = None  # silence id that hid it from the queue (still listed under "silenced")
    acted_by: str = ""  # who did the last human action, and when
    acted_at: float | None = None
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue(self, now: float) -> bool:
        return self.deadline is not None and self.is_open and now > self.deadline

    def with_history(self, entry: HistoryEntry, **changes: Any) -> Alert:
        return replace(self, history=(*self.history, entry), **changes)


@dataclass(frozen=True)
class Silence:
    id: int
    created_by: str
    created_at: float
    reason: str
    expires_at: float
    domain: str = ""
    unit: str = ""
    source: str = ""
    key: str = ""
    ended_at: float | None = None  # lifted early by an operator

    def active(self, now: float) -> bool:
        return self.ended_at is None and now < self.expires_at

    def matches(self, alert_source: str, key: str, domain: str, unit: str) -> bool:
        pairs = ((self.domain, domain), (self.unit, unit), (self.source, alert_source), (self.key, key))
        return any(want for want, _ in pairs) and all(not want or want == have for want, have in pairs)


def _text(payload: dict[str, Any], name: str, required: bool = True, limit: int = 2000) -> str:
    value = payload.get(name)
    if value is None:
        if required:
            raise AlertPayloadError(f"{name}: required field is missing")
        return ""
    if not isinstance(value, str):
        raise AlertPayloadError(f"{name}: expected text, got {type(value).__name__}")
    if required and not value.strip():
        raise AlertPayloadError(f"{name}: must not be empty")
    return value[:limit]


def _time(payload: dict[str, Any], name: str, default: float | None) -> float | None:
    value = payload.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AlertPayloadError(f"{name}: expected seconds since the epoch (a number), got {value!r}")
    # Milliseconds are common in feeds; a number that large cannot be seconds.
    return float(value) / 1000 if value > 1e11 else float(value)


def parse_alert(payload: Any, source: str, received: float) -> AlertEvent:
    """Check an incoming payload (already decoded JSON) and build the event, or raise AlertPayloadError."""
    if not isinstance(payload, dict):
        raise AlertPayloadError(f"expected a JSON object, got {type(payload).__name__}")
    severity_name = _text(payload, "severity").lower()
    try:
        severity = Severity[severity_name.upper()]
    except KeyError:
        raise AlertPayloadError(
            f"severity: expected one of critical, major, minor, info, got {severity_name!r}") from None
    domain = _text(payload, "domain").lower()
    cameras = payload.get("cameras", [])
    if not isinstance(cameras, list) or not all(isinstance(c, str) for c in cameras):
        raise AlertPayloadError("cameras: expected a list of camera ids (text)")
    clear = payload.get("clear", False)
    if not isinstance(clear, bool):
        raise AlertPayloadError(f"clear: expected true or false, got {clear!r}")
    return AlertEvent(
        source=source,
        key=_text(payload, "key", limit=200),
        severity=severity,
        domain=domain if domain in DOMAINS else domain[:40],
        title=_text(payload, "title", limit=300),
        text=_text(payload, "text", required=False),
        unit=_text(payload, "unit", required=False, limit=100),
        location=_text(payload, "location", required=False, limit=300),
        cameras=tuple(cameras[:16]),
        source_time=_time(payload, "time", received) or received,
        received_time=received,
        deadline=_time(payload, "deadline", None),
        clear=clear,
    )
