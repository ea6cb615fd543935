"""AlertBook: the rules of the alert workflow, pure and deterministic (no threads, no I/O).

Dedup (the same source and key raised again counts up instead of adding a row), reopen (a resolved
or closed alert raised again comes back as new), clears from the source, flapping detection,
silences, and the operator's lifecycle: new -> acknowledged -> assigned -> resolved -> closed.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import replace

from console.model.alerts import (
    OPEN_STATES,
    Alert,
    AlertEvent,
    AlertState,
    HistoryEntry,
    Silence,
)


class AlertActionError(ValueError):
    """An operator action that does not apply to the alert as it is (the message says why)."""


ACTIONS = ("acknowledge", "assign", "resolve", "close", "reopen", "note")
_ALLOWED: dict[str, tuple[AlertState, ...]] = {
    "acknowledge": (AlertState.NEW,),
    "assign": (AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.ASSIGNED),
    "resolve": OPEN_STATES,
    "close": (AlertState.RESOLVED, *OPEN_STATES),
    "reopen": (AlertState.RESOLVED, AlertState.CLOSED),
    "note": (*OPEN_STATES, AlertState.RESOLVED, AlertState.CLOSED),
}
_RESULT = {
    "acknowledge": AlertState.ACKNOWLEDGED,
    "assign": AlertState.ASSIGNED,
    "resolve": AlertState.RESOLVED,
    "close": AlertState.CLOSED,
    "reopen": AlertState.NEW,
}
_PAST = {"acknowledge": "acknowledged", "assign": "assigned", "resolve": "resolved", "close": "closed",
         "reopen": "reopened", "note": "note"}

FLAP_WINDOW_S = 600.0
FLAP_CHANGES = 4  # raise/clear changes within the window that make an alert "flapping"


def check_action(alert: Alert, action: str, assignee: str = "", note: str = "") -> None:
    """Raise AlertActionError when ``action`` does not apply; used by the GUI before submitting."""
    if action not in _ALLOWED:
        raise AlertActionError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    if alert.state not in _ALLOWED[action]:
        raise AlertActionError(f"cannot {action} alert {alert.id}: it is {alert.state.value}")
    if action == "assign" and not assignee.strip():
        raise AlertActionError("assign: say to whom (an agency or a person)")
    if action == "note" and not note.strip():
        raise AlertActionError("note: the note is empty")


class AlertBook:
    def __init__(self, alerts: list[Alert] | None = None, silences: list[Silence] | None = None) -> None:
        self.alerts: dict[int, Alert] = {a.id: a for a in alerts or ()}
        self.by_key: dict[tuple[str, str], int] = {}
        for a in sorted(self.alerts.values(), key=lambda a: a.id):
            self.by_key[(a.source, a.key)] = a.id
        self.silences: dict[int, Silence] = {s.id: s for s in silences or ()}
        self._ids = itertools.count(max(self.alerts, default=0) + 1)
        self._silence_ids = itertools.count(max(self.silences, default=0) + 1)
        self._changes: dict[tuple[str, str], deque[float]] = {}

    # -- from sources ---------------------------------------------------------------------
    def _silence_for(self, event: AlertEvent, now: float) -> int | None:
        for s in self.silences.values():
            if s.active(now) and s.matches(event.source, event.key, event.domain, event.unit):
                return s.id
        return None

    def _flapping(self, key: tuple[str, str], now: float) -> bool:
        changes = self._changes.setdefault(key, deque(maxlen=32))
        changes.append(now)
        while changes and now - changes[0] > FLAP_WINDOW_S:
            changes.popleft()
        return len(changes) >= FLAP_CHANGES

    def ingest(self, event: AlertEvent) -> Alert | None:
        """Apply one raise or clear; returns the alert as it now is (None: a clear for nothing)."""
        now = event.received_time
        key = (event.source, event.key)
        existing = self.alerts.get(self.by_key[key]) if key in self.by_key else None
        if event.clear:
            if existing is None or existing.cleared:
                return None
            flapping = self._flapping(key, now) or existing.flapping
            changes: dict[str, object] = {"cleared": True, "flapping": flapping}
            if existing.state == AlertState.NEW:
                changes["state"] = AlertState.RESOLVED  # nobody took it up: the source's clear resolves it
            alert = existing.with_history(HistoryEntry(now, f"source:{event.source}", "cleared"), **changes)
        elif existing is not None and existing.is_open:
            flapping = existing.flapping or (existing.cleared and self._flapping(key, now))
            alert = replace(existing, count=existing.count + 1, last_time=event.source_time,
                            severity=event.severity, title=event.title, text=event.text or existing.text,
                            cleared=False, flapping=flapping)
        elif existing is not None:
            flapping = existing.flapping or (existing.cleared and self._flapping(key, now))
            alert = existing.with_history(
                HistoryEntry(now, f"source:{event.source}", "reopened", "raised again by the source"),
                state=AlertState.NEW, count=existing.count + 1, last_time=event.source_time,
                severity=event.severity, title=event.title, text=event.text or existing.text, cleared=False,
                flapping=flapping, silenced_by=self._silence_for(event, now), deadline=event.deadline or
                existing.deadline)
        else:
            alert = Alert(
                id=next(self._ids), source=event.source, key=event.key, severity=event.severity,
                domain=event.domain, title=event.title, text=event.text, unit=event.unit,
                location=event.location, cameras=event.cameras, first_time=event.source_time,
                last_time=event.source_time, received_time=now, deadline=event.deadline,
                silenced_by=self._silence_for(event, now),
                history=(HistoryEntry(now, f"source:{event.source}", "raised"),),
            )
            self.by_key[key] = alert.id
        self.alerts[alert.id] = alert
        return alert

    # -- from operators -------------------------------------------------------------------
    def act(self, alert_id: int, action: str, actor: str, now: float, note: str = "", assignee: str = "") -> Alert:
        alert = self.alerts.get(alert_id)
        if alert is None:
            raise AlertActionError(f"no alert {alert_id}")
        check_action(alert, action, assignee, note)
        changes: dict[str, object] = {"acted_by": actor, "acted_at": now}
        if action in _RESULT:
            changes["state"] = _RESULT[action]
        if action == "assign":
            changes["assignee"] = assignee.strip()
        text = note.strip()
        if action == "assign":
            text = f"→ {assignee.strip()}" + (f": {text}" if text else "")
        alert = alert.with_history(HistoryEntry(now, actor, _PAST[action], text), **changes)
        self.alerts[alert_id] = alert
        return alert

    # -- silences -------------------------------------------------------------------------
    def add_silence(self, created_by: str, reason: str, now: float, duration_s: float, domain: str = "",
                    unit: str = "", source: str = "", key: str = "") -> tuple[Silence, list[Alert]]:
        if not (domain or unit or source or key):
            raise AlertActionError("a silence must name a domain, unit, source or key")
        if not reason.strip():
            raise AlertActionError("a silence needs a reason")
        if duration_s <= 0:
            raise AlertActionError("a silence needs a duration")
        silence = Silence(next(self._silence_ids), created_by, now, reason.strip(), now + duration_s, domain, unit,
                          source, key)
        self.silences[silence.id] = silence
        # Open alerts it matches are silenced too (listed under "silenced", never deleted).
        changed = []
        for a in list(self.alerts.values()):
            if a.is_open and a.silenced_by is None and silence.matches(a.source, a.key, a.domain, a.unit):
                a = a.with_history(HistoryEntry(now, created_by, "silenced", silence.reason), silenced_by=silence.id)
                self.alerts[a.id] = a
                changed.append(a)
        return silence, changed

    def end_silence(self, silence_id: int, now: float, actor: str = "") -> tuple[Silence, list[Alert]]:
        """Lift a silence early (actor) or at its expiry: its alerts show in the queue again."""
        silence = self.silences.get(silence_id)
        if silence is None:
            raise AlertActionError(f"no silence {silence_id}")
        if silence.ended_at is None:
            silence = replace(silence, ended_at=min(now, silence.expires_at))
            self.silences[silence_id] = silence
        changed = []
        for a in list(self.alerts.values()):
            if a.silenced_by == silence_id:
                # Another silence may still cover it: then it stays silenced, under that one.
                other = next((s.id for s in self.silences.values() if s.id != silence_id and s.active(now)
                              and s.matches(a.source, a.key, a.domain, a.unit)), None)
                what = f"silence lifted by {actor}" if actor else "silence expired"
                a = a.with_history(HistoryEntry(now, actor or "system", "unsilenced" if other is None else
                                                "silenced", what), silenced_by=other)
                self.alerts[a.id] = a
                changed.append(a)
        return silence, changed

    def expired_silences(self, now: float) -> list[int]:
        return [s.id for s in self.silences.values() if s.ended_at is None and now >= s.expires_at]
