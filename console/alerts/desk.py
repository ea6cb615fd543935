"""AlertDesk: the GUI thread's side of alerts. It mirrors what the writer stored, turns operator
commands into workflow actions, notices storms, keeps track of what needs attention, and puts
critical alerts' cameras on the wall's alarm tile (and gives the tile back afterwards).

Thread: GUI thread (asyncio loop); no Qt.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from console.alerts.book import AlertActionError, check_action
from console.alerts.service import AlertService
from console.bus import Bus
from console.commands import (
    ALERT_COMMANDS,
    AddSilence,
    AlertCommand,
    AssignAlert,
    AssignSource,
    ClearTile,
    Command,
    CommandError,
    LiftSilence,
)
from console.messages import AlertsChanged
from console.model.alerts import Alert, AlertState, Severity, Silence
from console.store import Store

log = logging.getLogger(__name__)

STORM_ENTER = 30  # new alerts within STORM_WINDOW_S that start a storm
STORM_WINDOW_S = 10.0
STORM_LEAVE = 5  # fewer new alerts than this within STORM_CALM_S end it
STORM_CALM_S = 30.0


@dataclass
class AlarmTile:
    alert_id: int
    camera: str
    previous: str | None
    since: float


class AlertDesk:
    def __init__(self, bus: Bus, store: Store, service: AlertService, alarm_tile: int | None = None,
                 alarm_hold_s: float = 120.0, clock: Callable[[], float] = time.time) -> None:
        self.bus = bus
        self.store = store
        self.service = service
        self.alarm_tile = alarm_tile  # 1-based tile number, None: no alarm-to-wall
        self.alarm_hold_s = alarm_hold_s
        self.clock = clock
        self.alerts: dict[int, Alert] = dict(service.book.alerts)
        self.silences: dict[int, Silence] = dict(service.book.silences)
        self.version = 0
        self.storm_since: float | None = None
        self.storm_counts: Counter[str] = Counter()  # per unit, while the storm lasts
        self._new_times: deque[float] = deque(maxlen=10_000)
        self.alarm: AlarmTile | None = None
        self._shown_enough: set[int] = set()  # alerts whose alarm hold ran out
        self.wall_suppressed = False  # presentation mode: alarms stay on the operator's screen
        self.new_critical: list[int] = []  # ids that arrived since the operator last looked (for flashing)
        self.last_error = ""
        self._unsubscribe = bus.subscribe(AlertsChanged, self._on_changed)
        store.register(ALERT_COMMANDS, self.handle)

    # -- what changed on disk -------------------------------------------------------------
    def _on_changed(self, msg: AlertsChanged) -> None:
        now = self.clock()
        for alert in msg.alerts:
            before = self.alerts.get(alert.id)
            self.alerts[alert.id] = alert
            arrived = before is None or (before.state != AlertState.NEW and alert.state == AlertState.NEW)
            if arrived and alert.silenced_by is None:
                self._new_times.append(now)
                if self.storm_since is not None:
                    self.storm_counts[alert.unit or "-"] += 1
                if alert.severity == Severity.CRITICAL:
                    self.new_critical.append(alert.id)
        for silence in msg.silences:
            self.silences[silence.id] = silence
        self._update_storm(now)
        self._update_alarm(now)
        self.version += 1

    # -- storms ---------------------------------------------------------------------------
    def _recent(self, now: float, window: float) -> int:
        return sum(1 for t in self._new_times if now - t <= window)

    def _update_storm(self, now: float) -> None:
        if self.storm_since is None and self._recent(now, STORM_WINDOW_S) >= STORM_ENTER:
            self.storm_since = now - STORM_WINDOW_S
            self.storm_counts = Counter(a.unit or "-" for a in self.alerts.values()
                                        if a.received_time >= self.storm_since and a.silenced_by is None)
            log.warning("alert storm: %d new alerts in %.0f s; folding them in the queue",
                        self._recent(now, STORM_WINDOW_S), STORM_WINDOW_S)
            self.version += 1
        elif self.storm_since is not None and self._recent(now, STORM_CALM_S) < STORM_LEAVE \
                and now - self.storm_since > STORM_CALM_S:
            log.info("alert storm over")
            self.storm_since = None
            self.storm_counts = Counter()
            self.version += 1

    @property
    def storm(self) -> bool:
        return self.storm_since is not None

    def in_storm_fold(self, alert: Alert) -> bool:
        """Whether the queue folds this alert into the storm's summary row (criticals never are)."""
        return (self.storm_since is not None and alert.received_time >= self.storm_since
                and alert.severity < Severity.CRITICAL and alert.state == AlertState.NEW)

    # -- attention ------------------------------------------------------------------------
    def unacknowledged_critical(self) -> list[Alert]:
        return [a for a in self.alerts.values()
                if a.severity == Severity.CRITICAL and a.state == AlertState.NEW and a.silenced_by is None]

    def overdue(self, now: float | None = None) -> list[Alert]:
        now = self.clock() if now is None else now
        return [a for a in self.alerts.values() if a.overdue(now)]

    def feed(self, domain: str = "", limit: int = 50) -> list[Alert]:
        """Open, unsilenced alerts of a domain ("" for all), most severe then newest first: an alert
        feed tile on the wall."""
        rows = [a for a in self.alerts.values()
                if a.is_open and a.silenced_by is None and (not domain or a.domain == domain)]
        rows.sort(key=lambda a: (-int(a.severity), -a.last_time))
        return rows[:limit]

    # -- alarm to wall --------------------------------------------------------------------
    def _camera_for(self, alert: Alert) -> str | None:
        for cam in alert.cameras:
            for sid in (cam, f"{alert.source}/{cam}"):
                if sid in self.store.sources:
                    return sid
        return None

    def _candidate(self) -> tuple[Alert, str] | None:
        best = None
        for a in self.unacknowledged_critical():
            if a.id in self._shown_enough:
                continue  # its time on the wall ran out: it stays on the operator's screen only
            cam = self._camera_for(a)
            if cam is not None and (best is None or a.received_time > best[0].received_time):
                best = (a, cam)
        return best

    def _update_alarm(self, now: float) -> None:
        if self.alarm_tile is None or self.alarm_tile > self.store.state.layout.tile_count:
            return
        index = self.alarm_tile - 1
        if self.alarm is not None:
            current = self.alerts.get(self.alarm.alert_id)
            done = current is None or current.state != AlertState.NEW or current.silenced_by is not None
            if not done and now - self.alarm.since > self.alarm_hold_s:
                self._shown_enough.add(self.alarm.alert_id)
                done = True
            if done:
                self._restore(index)
        if self.wall_suppressed:
            return
        candidate = self._candidate()
        if candidate is None:
            return
        alert, camera = candidate
        if self.alarm is not None and (self.alarm.alert_id == alert.id or now - self.alarm.since > self.alarm_hold_s):
            return
        if self.alarm is not None and alert.received_time <= self.alerts[self.alarm.alert_id].received_time:
            return
        previous = self.alarm.previous if self.alarm is not None else self.store.state.tiles[index]
        if self.store.execute(AssignSource(tile=self.alarm_tile, source=camera), "alarm", "alarm-to-wall").ok:
            self.alarm = AlarmTile(alert.id, camera, previous, now)
            self.store.alarm_tiles = frozenset({index})  # its camera keeps every frame however busy the machine

    def _restore(self, index: int) -> None:
        assert self.alarm is not None and self.alarm_tile is not None
        alarm, self.alarm = self.alarm, None
        self.store.alarm_tiles = frozenset()
        if self.store.state.tiles[index] != alarm.camera:
            return  # an operator put something else there meanwhile: leave it
        if alarm.previous is None:
            command: Command = ClearTile(tile=self.alarm_tile)
        else:
            command = AssignSource(tile=self.alarm_tile, source=alarm.previous)
        self.store.execute(command, "alarm", "alarm-to-wall")

    def tick(self) -> None:
        """Once a second: storms calm down, alarm holds expire, silences run out."""
        now = self.clock()
        self._update_storm(now)
        self._update_alarm(now)
        if any(s.active(now) is False and s.ended_at is None for s in self.silences.values()):
            self.service.submit([])  # the writer ends expired silences and publishes

    # -- operator commands (through the store) --------------------------------------------
    def handle(self, command: Command, actor: str, origin: str) -> None:
        if isinstance(command, AlertCommand):
            alert = self.alerts.get(command.alert)
            if alert is None:
                raise CommandError(f"no alert {command.alert}")
            assignee = command.assignee if isinstance(command, AssignAlert) else ""
            try:
                check_action(alert, command.action, assignee, command.note)
            except AlertActionError as exc:
                raise CommandError(str(exc)) from None
            self.service.act(alert.id, command.action, actor, command.note, assignee, done=self._action_done)
            if alert.id in self.new_critical:
                self.new_critical.remove(alert.id)
        elif isinstance(command, AddSilence):
            if not (command.domain or command.unit or command.source or command.key):
                raise CommandError("a silence must name a domain, unit, source or key")
            if not command.reason.strip():
                raise CommandError("a silence needs a reason")
            self.service.silence("add", created_by=actor, reason=command.reason, duration_s=command.minutes * 60,
                                 domain=command.domain, unit=command.unit, source=command.source, key=command.key)
        elif isinstance(command, LiftSilence):
            silence = self.silences.get(command.silence)
            if silence is None or not silence.active(self.clock()):
                raise CommandError(f"no active silence {command.silence}")
            self.service.silence("end", silence_id=command.silence, actor=actor)

    def _action_done(self, alert: Alert | None, error: str) -> None:
        # Runs on the writer thread; a refusal here means the alert changed meanwhile (rare).
        if error:
            self.last_error = error
            log.warning("alert action refused by the writer: %s", error)

    def stop(self) -> None:
        self._unsubscribe()
