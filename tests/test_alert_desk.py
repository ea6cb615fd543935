"""AlertDesk with the real pieces around it (Bus, Database, Store, AlertService on a file), no Qt:
operator commands through the store's audited path, storms, silences running out, overdue reports
and the alarm tile on the wall. The bus hands the writer thread's messages to a queue that the test
drains on its own thread (as the GUI loop would), and time is a fake clock the test moves."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.alerts.desk import STORM_CALM_S, STORM_ENTER, STORM_WINDOW_S, AlertDesk
from console.alerts.service import AlertService
from console.bus import Bus
from console.commands import (
    AckAlert,
    AddSilence,
    AssignAlert,
    AssignSource,
    CloseAlert,
    LiftSilence,
    NoteAlert,
    ReopenAlert,
    ResolveAlert,
)
from console.messages import AlertsChanged, SourcesChanged
from console.model.alerts import Alert, AlertEvent, AlertState, Severity
from console.model.sources import Source, SourceKind
from console.persistence import AuditRecord, Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS

CAMERAS = tuple(f"cams/c{i}" for i in range(4))


class FakeClock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Desk:
    """Everything an AlertDesk needs, on files under tmp_path; messages from the writer thread are
    delivered when the test drains them, on the test's thread."""

    def __init__(self, tmp_path: Path, clock: Callable[[], float], **desk_kw: Any) -> None:
        self.clock = clock
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.bus = Bus(post=self.posted.put)
        self.db = Database(tmp_path / "console.db")
        self.store = Store(self.bus, self.db, BUILTIN_LAYOUTS, "2x2")
        self.service = AlertService(tmp_path / "console.db",
                                    lambda alerts, silences: self.bus.publish(AlertsChanged(alerts, silences)))
        desk_kw.setdefault("alarm_tile", 1)
        self.desk = AlertDesk(self.bus, self.store, self.service, clock=clock, **desk_kw)
        self.service.start()
        self.bus.publish(SourcesChanged("cams", tuple(
            Source(sid, SourceKind.CAMERA, f"Camera {sid[-1]}", "cams") for sid in CAMERAS)))

    def drain(self) -> int:
        n = 0
        while True:
            try:
                fn = self.posted.get_nowait()
            except queue.Empty:
                return n
            fn()
            n += 1

    def settle(self) -> None:
        """Wait for the writer to apply what was queued, then deliver what it published."""
        assert self.service.flush(10), "the alert writer did not catch up"
        self.drain()

    def pump_until(self, cond: Callable[[], bool], timeout: float = 10.0, what: str = "",
                   every: Callable[[], None] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or cond}")
            if every is not None:
                every()
            try:
                self.posted.get(timeout=0.02)()
            except queue.Empty:
                pass

    def raise_(self, key: str, severity: Severity = Severity.MINOR, domain: str = "traffic", unit: str = "w-hoalu",
               source: str = "feed", **kw: Any) -> Alert:
        self.raise_many([self.event(key, severity, domain, unit, source, **kw)])
        return self.desk.alerts[self.service.book.by_key[(source, key)]]

    def event(self, key: str, severity: Severity = Severity.MINOR, domain: str = "traffic", unit: str = "w-hoalu",
              source: str = "feed", **kw: Any) -> AlertEvent:
        t = self.clock()
        return AlertEvent(source, key, severity, domain, f"{domain} {key}", unit=unit, source_time=t,
                          received_time=t, **kw)

    def raise_many(self, events: list[AlertEvent]) -> None:
        self.service.submit(events)
        self.settle()

    def execute(self, command, actor: str = "op"):
        return self.store.execute(command, actor, "test")

    def audit(self, command: str | None = None, actor: str | None = None) -> list[AuditRecord]:
        assert self.db.flush(), "the database writer did not catch up"
        return [r for r in self.db.audit_rows()
                if (command is None or r.command == command) and (actor is None or r.actor == actor)]

    def tile(self, number: int) -> str | None:
        return self.store.state.tiles[number - 1]

    def close(self) -> None:
        self.desk.stop()
        self.service.stop()
        self.db.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_desk(tmp_path, clock) -> Iterator[Callable[..., Desk]]:
    made: list[Desk] = []

    def make(**kw: Any) -> Desk:
        kw.setdefault("clock", clock)
        d = Desk(tmp_path / f"d{len(made)}", **kw)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


@pytest.fixture
def d(make_desk) -> Desk:
    return make_desk()


# -- operator commands through the store ----------------------------------------------------------

def test_operator_commands_change_state_once_the_writer_applied_them_and_are_audited(d):
    a = d.raise_("fire", Severity.CRITICAL, "security")
    assert a.state == AlertState.NEW and d.desk.new_critical == [a.id]

    result = d.execute(AckAlert(alert=a.id, note="seen on camera"))
    assert result.ok and result.error == ""
    assert d.desk.alerts[a.id].state == AlertState.NEW  # the mirror changes when the writer has stored it
    assert d.desk.new_critical == []  # it stops flashing at once
    d.settle()
    acked = d.desk.alerts[a.id]
    assert acked.state == AlertState.ACKNOWLEDGED and acked.acted_by == "op"
    assert d.service.book.alerts[a.id] == acked

    steps = [
        (AssignAlert(alert=a.id, assignee="Công an phường", note="unit 3"), AlertState.ASSIGNED),
        (NoteAlert(alert=a.id, note="patrol on site"), AlertState.ASSIGNED),
        (ResolveAlert(alert=a.id, note="suspect detained"), AlertState.RESOLVED),
        (CloseAlert(alert=a.id), AlertState.CLOSED),
        (ReopenAlert(alert=a.id, note="called again"), AlertState.NEW),
    ]
    for command, state in steps:
        assert d.execute(command, actor="op2").ok, command
        d.settle()
        assert d.desk.alerts[a.id].state == state, command
    final = d.desk.alerts[a.id]
    assert final.assignee == "Công an phường"
    assert [(h.actor, h.action, h.note) for h in final.history[1:]] == [
        ("op", "acknowledged", "seen on camera"),
        ("op2", "assigned", "→ Công an phường: unit 3"),
        ("op2", "note", "patrol on site"),
        ("op2", "resolved", "suspect detained"),
        ("op2", "closed", ""),
        ("op2", "reopened", "called again"),
    ]
    rows = [r for r in d.audit() if r.command.endswith("_alert")]
    assert [(r.command, r.actor, r.origin, r.result) for r in rows] == [
        ("ack_alert", "op", "test", "applied"),
        ("assign_alert", "op2", "test", "applied"),
        ("note_alert", "op2", "test", "applied"),
        ("resolve_alert", "op2", "test", "applied"),
        ("close_alert", "op2", "test", "applied"),
        ("reopen_alert", "op2", "test", "applied"),
    ]
    assert rows[0].args == {"alert": a.id, "note": "seen on camera"}
    assert rows[1].args == {"alert": a.id, "assignee": "Công an phường", "note": "unit 3"}


@pytest.mark.parametrize(("command", "message"), [
    (lambda i: ReopenAlert(alert=i), "cannot reopen alert {id}: it is new"),
    (lambda i: ResolveAlert(alert=i + 100), "no alert {id100}"),
    (lambda i: AssignAlert(alert=i, assignee="   "), "assign: say to whom"),
    (lambda i: NoteAlert(alert=i, note=" "), "note: the note is empty"),
    (lambda i: AddSilence(reason="quiet", minutes=5), "a silence must name a domain, unit, source or key"),
    (lambda i: LiftSilence(silence=7), "no active silence 7"),
])
def test_an_invalid_action_is_refused_with_a_message_and_audited(d, command, message):
    a = d.raise_("jam")
    cmd = command(a.id)
    expected = message.format(id=a.id, id100=a.id + 100)
    result = d.execute(cmd)
    assert not result.ok
    assert result.error.startswith(expected), result.error
    d.settle()
    assert d.desk.alerts[a.id] == a  # nothing changed, on the desk nor in the writer's book
    assert d.service.book.alerts[a.id] == a and d.service.book.silences == {}
    row = d.audit(cmd.name)[-1]
    assert row.actor == "op" and row.origin == "test"
    assert row.result == f"refused: {result.error}"


def test_acknowledging_twice_is_refused_once_the_first_is_stored(d):
    a = d.raise_("jam")
    assert d.execute(AckAlert(alert=a.id)).ok
    d.settle()
    second = d.execute(AckAlert(alert=a.id), actor="op2")
    assert not second.ok and "it is acknowledged" in second.error
    assert [r.result.split(":")[0] for r in d.audit("ack_alert")] == ["applied", "refused"]


# -- storms ---------------------------------------------------------------------------------------

def test_a_burst_starts_a_storm_that_folds_non_critical_alerts_and_calm_ends_it(d, clock):
    d.raise_many([d.event(f"pre{i}", unit="w-phuly") for i in range(STORM_ENTER - 1)])
    assert not d.desk.storm
    clock.advance(1)
    burst = [d.event(f"b{i}", unit="w-hoalu") for i in range(10)]
    burst.append(d.event("crit", Severity.CRITICAL, "security"))
    burst.append(d.event("major", Severity.MAJOR))
    d.raise_many(burst)
    assert d.desk.storm
    alerts = list(d.desk.alerts.values())
    assert len(alerts) == STORM_ENTER + 11
    folded = [a for a in alerts if d.desk.in_storm_fold(a)]
    assert {a.key for a in alerts} - {a.key for a in folded} == {"crit"}  # criticals stay listed
    assert sum(d.desk.storm_counts.values()) == len(alerts)
    assert d.desk.storm_counts["w-phuly"] == STORM_ENTER - 1
    # An alert already taken up is not folded.
    some = next(a for a in folded if a.key == "b0")
    assert d.execute(AckAlert(alert=some.id)).ok
    d.settle()
    assert not d.desk.in_storm_fold(d.desk.alerts[some.id])

    # A few alerts during the storm keep it going; calm for STORM_CALM_S ends it.
    clock.advance(STORM_WINDOW_S)
    d.desk.tick()
    assert d.desk.storm
    clock.advance(STORM_CALM_S + 1)
    d.desk.tick()
    assert not d.desk.storm
    assert not any(d.desk.in_storm_fold(a) for a in d.desk.alerts.values())
    assert sum(d.desk.storm_counts.values()) == 0


def test_new_alerts_spread_over_time_make_no_storm(d, clock):
    for i in range(3 * STORM_ENTER):
        d.raise_many([d.event(f"k{i}")])
        clock.advance(STORM_WINDOW_S / (STORM_ENTER - 5))
    assert not d.desk.storm


def test_repeats_and_silenced_alerts_make_no_storm(d, clock):
    assert d.execute(AddSilence(reason="sensor fault", minutes=60, source="noisy")).ok
    d.settle()
    d.raise_many([d.event(f"n{i}", source="noisy") for i in range(2 * STORM_ENTER)])
    for _ in range(3):
        d.raise_many([d.event(f"r{i}") for i in range(STORM_ENTER // 2)])  # the same keys again: counted up
    assert not d.desk.storm
    assert len(d.desk.alerts) == 2 * STORM_ENTER + STORM_ENTER // 2


# -- silences -------------------------------------------------------------------------------------

def test_a_silence_that_runs_out_brings_its_alerts_back(make_desk):
    d = make_desk(clock=time.time)  # the writer ends silences on its own (real) clock
    assert d.execute(AddSilence(reason="drill", minutes=0.01, key="door-3")).ok  # 0.6 s
    d.settle()
    silence = d.desk.silences[1]
    assert silence.created_by == "op" and silence.key == "door-3"
    a = d.raise_("door-3", Severity.CRITICAL, "security")
    other = d.raise_("door-4", Severity.CRITICAL, "security")
    assert a.silenced_by == 1 and other.silenced_by is None
    assert [x.id for x in d.desk.unacknowledged_critical()] == [other.id]
    assert a.id not in {x.id for x in d.desk.feed()}
    assert d.desk.new_critical == [other.id]

    d.pump_until(lambda: d.desk.alerts[a.id].silenced_by is None, what="the silence to run out",
                 every=d.desk.tick)
    back = d.desk.alerts[a.id]
    assert back.state == AlertState.NEW
    assert (back.history[-1].actor, back.history[-1].action, back.history[-1].note) == (
        "system", "unsilenced", "silence expired")
    assert d.desk.silences[1].ended_at == pytest.approx(silence.expires_at)
    assert not d.desk.silences[1].active(time.time())
    assert {x.id for x in d.desk.unacknowledged_critical()} == {a.id, other.id}
    assert a.id in {x.id for x in d.desk.feed()}
    # A new raise of the key is not silenced any more.
    again = d.raise_("door-3", Severity.CRITICAL, "security")
    assert again.silenced_by is None and again.count == 2


def test_lifting_a_silence_early_is_audited_and_unsilences(d):
    assert d.execute(AddSilence(reason="maintenance", minutes=60, domain="environment", unit="w-hoalu")).ok
    d.settle()
    a = d.raise_("smoke", domain="environment")
    b = d.raise_("smoke2", domain="environment", unit="w-phuly")
    assert a.silenced_by == 1 and b.silenced_by is None
    assert d.execute(LiftSilence(silence=1), actor="op2").ok
    d.settle()
    assert d.desk.alerts[a.id].silenced_by is None
    assert d.desk.alerts[a.id].history[-1].note == "silence lifted by op2"
    assert d.desk.silences[1].ended_at is not None
    again = d.execute(LiftSilence(silence=1))
    assert not again.ok and again.error == "no active silence 1"
    assert [(r.command, r.actor, r.result) for r in d.audit() if "silence" in r.command] == [
        ("add_silence", "op", "applied"), ("lift_silence", "op2", "applied"),
        ("lift_silence", "op", "refused: no active silence 1")]


def test_a_silence_with_a_blank_reason_is_refused_not_audited_as_applied(d):
    result = d.execute(AddSilence(reason="   ", minutes=5, domain="traffic"))
    d.settle()
    assert d.desk.silences == {}
    assert not result.ok and "reason" in result.error
    assert d.audit("add_silence")[-1].result.startswith("refused: ")


# -- overdue --------------------------------------------------------------------------------------

def test_overdue_counts_open_alerts_past_their_deadline(d, clock):
    late = d.raise_("report-1", domain="citizen_report", deadline=clock() - 60)
    soon = d.raise_("report-2", domain="citizen_report", deadline=clock() + 600)
    done = d.raise_("report-3", domain="citizen_report", deadline=clock() - 60)
    d.raise_("no-deadline")
    assert d.execute(ResolveAlert(alert=done.id, note="fixed")).ok
    d.settle()
    assert [a.id for a in d.desk.overdue()] == [late.id]
    clock.advance(601)
    assert sorted(a.id for a in d.desk.overdue()) == [late.id, soon.id]
    assert d.execute(AssignAlert(alert=late.id, assignee="Đội CSGT")).ok  # still open: still overdue
    d.settle()
    assert sorted(a.id for a in d.desk.overdue()) == [late.id, soon.id]


# -- alarm to wall --------------------------------------------------------------------------------

def show(d: Desk, tile: int, source: str) -> None:
    assert d.execute(AssignSource(tile=tile, source=source)).ok


def test_a_critical_alert_puts_its_camera_on_the_alarm_tile_until_acknowledged(d):
    show(d, 1, "cams/c0")
    show(d, 2, "cams/c2")
    before = d.store.state.tiles
    minor = d.raise_("cam-motion", Severity.MAJOR, cameras=("cams/c3",))
    assert d.store.state.tiles == before  # only critical alerts go to the wall
    a = d.raise_("robbery", Severity.CRITICAL, "security", cameras=("unknown-cam", "cams/c1"))
    assert d.store.state.tiles == ("cams/c1", "cams/c2", None, None)
    assert d.store.alarm_tiles == {0}  # the wall keeps the alarm's camera at full frame rate however busy
    rows = d.audit(actor="alarm")
    assert [(r.command, r.origin, r.args, r.result) for r in rows] == [
        ("assign_source", "alarm-to-wall", {"tile": 1, "source": "cams/c1"}, "applied")]

    assert d.execute(AckAlert(alert=minor.id)).ok
    d.settle()
    assert d.tile(1) == "cams/c1"  # another alert's ack changes nothing
    assert d.execute(AckAlert(alert=a.id)).ok
    assert d.tile(1) == "cams/c1"  # until the writer has stored the ack
    d.settle()
    assert d.store.state.tiles == before
    assert d.store.alarm_tiles == set()
    rows = d.audit(actor="alarm")
    assert [(r.command, r.args) for r in rows] == [
        ("assign_source", {"tile": 1, "source": "cams/c1"}), ("assign_source", {"tile": 1, "source": "cams/c0"})]


def test_an_empty_alarm_tile_is_cleared_again_and_camera_ids_may_be_local(d):
    a = d.raise_("c2", Severity.CRITICAL, "security", source="cams", cameras=("c2",))  # "cams" + "c2"
    assert d.tile(1) == "cams/c2"
    assert d.execute(ResolveAlert(alert=a.id)).ok
    d.settle()
    assert d.tile(1) is None
    assert [r.command for r in d.audit(actor="alarm")] == ["assign_source", "clear_tile"]


def test_a_newer_critical_alert_takes_the_tile_and_the_older_one_comes_back(d, clock):
    show(d, 1, "cams/c0")
    older = d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))
    assert d.tile(1) == "cams/c1"
    clock.advance(5)
    newer = d.raise_("robbery", Severity.CRITICAL, "security", cameras=("cams/c3",))
    assert d.tile(1) == "cams/c3"
    assert d.desk.alarm is not None and d.desk.alarm.alert_id == newer.id
    clock.advance(1)
    d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))  # a repeat is not newer
    assert d.tile(1) == "cams/c3"
    assert d.execute(AckAlert(alert=newer.id)).ok
    d.settle()
    assert d.tile(1) == "cams/c1"  # the older one still waits
    assert d.execute(AckAlert(alert=older.id)).ok
    d.settle()
    assert d.tile(1) == "cams/c0"  # what the tile showed before any alarm
    assert d.store.state.tiles[1:] == (None, None, None)


def test_an_operator_change_on_the_alarm_tile_is_left_alone(d):
    show(d, 1, "cams/c0")
    a = d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))
    assert d.tile(1) == "cams/c1"
    show(d, 1, "cams/c2")
    assert d.execute(AckAlert(alert=a.id)).ok
    d.settle()
    assert d.tile(1) == "cams/c2"


def test_after_the_hold_the_tile_is_restored_even_if_unacknowledged(make_desk, clock):
    d = make_desk(alarm_hold_s=30)
    show(d, 1, "cams/c0")
    d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))
    assert d.tile(1) == "cams/c1"
    clock.advance(29)
    d.desk.tick()
    assert d.tile(1) == "cams/c1"
    clock.advance(2)
    d.desk.tick()
    assert d.tile(1) == "cams/c0"
    d.desk.tick()
    d.settle()
    assert d.tile(1) == "cams/c0"
    assert [r.args["source"] for r in d.audit(actor="alarm")] == ["cams/c1", "cams/c0"]


def test_with_the_wall_suppressed_nothing_goes_to_the_wall(d):
    show(d, 1, "cams/c0")
    d.desk.wall_suppressed = True
    a = d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))
    d.desk.tick()
    assert d.tile(1) == "cams/c0"
    assert d.audit(actor="alarm") == []
    assert [x.id for x in d.desk.unacknowledged_critical()] == [a.id]  # still on the operator's screen


def test_no_alarm_tile_beyond_the_layout(make_desk):
    d = make_desk(alarm_tile=9)  # the 2x2 layout has tiles 1-4
    d.raise_("fire", Severity.CRITICAL, "emergency", cameras=("cams/c1",))
    assert d.store.state.tiles == (None,) * 4
    assert d.audit(actor="alarm") == []
