"""AlertService and its SQLite file: an alert is on disk before anyone is told about it, actions and
history survive a restart, ids are never reused, and a process killed mid-burst loses none of the
alerts it had acknowledged as stored (the kill test runs a real child process and SIGKILLs it)."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.alerts.service import LOAD_CLOSED_DAYS, AlertService
from console.model.alerts import Alert, AlertEvent, AlertState, Severity, Silence

ROOT = Path(__file__).resolve().parents[1]


def ev(key: str, t: float | None = None, source: str = "feed", severity: Severity = Severity.MAJOR,
       domain: str = "traffic", **kw) -> AlertEvent:
    t = time.time() if t is None else t
    return AlertEvent(source, key, severity, domain, f"Alert {key}", unit="w-hoalu", source_time=t, received_time=t,
                      **kw)


def rows(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Read the file as another process would: our own connection, nothing shared with the service."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


class Published:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Alert, ...], tuple[Silence, ...]]] = []

    def __call__(self, alerts: tuple[Alert, ...], silences: tuple[Silence, ...]) -> None:
        self.calls.append((alerts, silences))


@pytest.fixture
def services(tmp_path) -> Iterator[Callable[..., AlertService]]:
    made: list[AlertService] = []

    def make(publish=None, path: Path | None = None, start: bool = True) -> AlertService:
        svc = AlertService(path or tmp_path / "alerts.db", publish or Published())
        made.append(svc)
        if start:
            svc.start()
        return svc

    yield make
    for svc in made:
        svc.stop()
        assert svc._thread is None or not svc._thread.is_alive(), "the alert writer did not stop"


def act(svc: AlertService, alert_id: int, action: str, actor: str = "op1", **kw) -> Alert:
    """One action through the writer; waits for its reply."""
    done = threading.Event()
    result: list[tuple[Alert | None, str]] = []

    def reply(alert: Alert | None, error: str) -> None:
        result.append((alert, error))
        done.set()

    svc.act(alert_id, action, actor, done=reply, **kw)
    assert done.wait(10), f"no reply to {action}"
    alert, error = result[0]
    assert alert is not None, error
    return alert


# -- on disk before published -------------------------------------------------------------------

def test_an_alert_is_on_disk_before_publish_is_called(tmp_path, services):
    path = tmp_path / "alerts.db"
    seen: list[tuple[int, list[tuple]]] = []
    stored = threading.Event()

    def publish(alerts: tuple[Alert, ...], silences: tuple[Silence, ...]) -> None:
        # Runs on the writer thread, right after its commit: another connection must see the rows.
        for a in alerts:
            seen.append((a.id, rows(path, "select state, count, history_len from alerts where id = ?", (a.id,))))
            hist = rows(path, "select count(*) from alert_history where alert_id = ?", (a.id,))[0][0]
            assert hist == len(a.history), (a.id, hist, len(a.history))

    svc = services(publish, path)
    svc.submit([ev("fire"), ev("jam")], on_stored=stored.set)
    assert stored.wait(10)
    assert svc.flush()
    assert sorted(i for i, _ in seen) == [1, 2]
    assert all(r == [("new", 1, 1)] for _, r in seen), seen

    seen.clear()
    alert = act(svc, 1, "acknowledge", note="on it")
    assert alert.state == AlertState.ACKNOWLEDGED
    assert seen == [(1, [("acknowledged", 1, 2)])]

    seen.clear()
    svc.submit([ev("fire")])  # a repeat: counted on disk before it is shown
    assert svc.flush()
    assert seen == [(1, [("acknowledged", 2, 2)])]


def test_on_stored_is_called_after_publish_and_only_once_stored(services):
    order: list[str] = []
    svc = services(lambda alerts, silences: order.append(f"publish {len(alerts)}"))
    stored = threading.Event()

    def on_stored() -> None:
        order.append("stored")
        stored.set()

    svc.submit([ev(f"k{i}") for i in range(5)], on_stored=on_stored)
    assert stored.wait(10)
    assert order == ["publish 5", "stored"]


# -- restart: states, history, silences, ids ------------------------------------------------------

def test_actions_and_history_survive_a_restart(tmp_path, services):
    path = tmp_path / "alerts.db"
    first = services(path=path)
    t = time.time()
    first.submit([ev("robbery", t, severity=Severity.CRITICAL, domain="security", cameras=("cam-1", "cam-2")),
                  ev("flood", t + 1, domain="environment", deadline=t + 3600),
                  ev("jam", t + 2),
                  ev("smoke", t + 3)])
    first.submit([ev("jam", t + 4)])  # a repeat: count 2
    assert first.flush()
    act(first, 1, "acknowledge", "op1", note="camera 4 shows it")
    act(first, 1, "assign", "op1", assignee="Công an phường Hoa Lư", note="unit 3")
    act(first, 1, "note", "op2", note="patrol on site")
    act(first, 2, "resolve", "op2", note="water receded")
    act(first, 2, "close", "supervisor", note="report filed")
    first.submit([ev("smoke", t + 5, clear=True)])  # resolved by the source
    done = threading.Event()
    first.silence("add", lambda s, e: done.set(), created_by="op1", reason="road works", duration_s=3600,
                  key="jam")
    assert done.wait(10) and first.flush()
    before = dict(first.book.alerts)
    silences_before = dict(first.book.silences)
    first.stop()

    assert before[1].state == AlertState.ASSIGNED and before[3].silenced_by == 1
    second = services(path=path, start=False)
    assert second.book.alerts == before
    assert second.book.silences == silences_before
    one = second.book.alerts[1]
    assert one.assignee == "Công an phường Hoa Lư" and one.cameras == ("cam-1", "cam-2")
    assert [(h.actor, h.action, h.note) for h in one.history] == [
        ("source:feed", "raised", ""),
        ("op1", "acknowledged", "camera 4 shows it"),
        ("op1", "assigned", "→ Công an phường Hoa Lư: unit 3"),
        ("op2", "note", "patrol on site"),
    ]
    assert second.book.alerts[2].state == AlertState.CLOSED
    assert second.book.alerts[3].count == 2
    assert second.book.alerts[4].state == AlertState.RESOLVED and second.book.alerts[4].cleared
    # Dedup keeps working across the restart: the same key is the same alert.
    second.start()
    second.submit([ev("robbery")])
    assert second.flush()
    assert second.book.alerts[1].count == 2 and len(second.book.alerts) == 4


def test_ids_are_never_reused_after_a_restart(tmp_path, services):
    path = tmp_path / "alerts.db"
    first = services(path=path)
    first.submit([ev("a"), ev("b"), ev("c")])
    assert first.flush()
    act(first, 3, "close", note="test alert")
    done = threading.Event()
    first.silence("add", lambda s, e: done.set(), created_by="op1", reason="x", duration_s=60, key="zzz")
    assert done.wait(10) and first.flush()
    first.stop()
    # Alert 3 was closed long ago: it stays on disk but is not loaded into the queue.
    old = time.time() - (LOAD_CLOSED_DAYS + 1) * 86400
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("update alerts set last_time = ? where id = 3", (old,))
    conn.close()

    second = services(path=path)
    assert sorted(second.book.alerts) == [1, 2]
    second.submit([ev("d"), ev("c")])  # "c" again: a new alert, since the old one is not loaded
    assert second.flush()
    assert sorted(second.book.alerts) == [1, 2, 4, 5]
    assert second.book.alerts[5].key == "c"
    done.clear()
    second.silence("add", lambda s, e: done.set(), created_by="op1", reason="y", duration_s=60, key="yyy")
    assert done.wait(10) and second.flush()
    assert sorted(second.book.silences) == [1, 2]
    second.stop()

    assert [r[0] for r in rows(path, "select id from alerts order by id")] == [1, 2, 3, 4, 5]
    third = services(path=path, start=False)
    third_alert = third.book.ingest(ev("e"))
    assert third_alert is not None and third_alert.id == 6


def test_a_failed_write_is_retried(tmp_path, services):
    published: list[str] = []
    svc = services(lambda alerts, silences: published.extend(a.key for a in alerts), start=False)
    write = svc._write
    failed = threading.Event()

    def flaky(db, alerts, silences):
        if not failed.is_set():
            failed.set()
            raise sqlite3.OperationalError("disk I/O error")
        return write(db, alerts, silences)

    svc._write = flaky  # type: ignore[method-assign]
    svc.start()
    stored_a = threading.Event()
    on_disk_when_acknowledged: list[list[tuple]] = []

    def on_stored() -> None:  # acknowledged to the sender only once it is really on disk
        on_disk_when_acknowledged.append(rows(tmp_path / "alerts.db", "select key from alerts where key = 'A'"))
        stored_a.set()

    svc.submit([ev("A")], on_stored=on_stored)
    assert failed.wait(10)
    svc.submit([ev("B")])
    assert svc.flush()
    keys = {r[0] for r in rows(tmp_path / "alerts.db", "select key from alerts")}
    assert keys == {"A", "B"}, keys
    assert "A" in published and stored_a.is_set()
    assert on_disk_when_acknowledged == [[("A",)]]


# -- kill test: SIGKILL mid-burst, nothing acknowledged is lost -----------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    from console.alerts.service import AlertService
    from console.model.alerts import AlertEvent, Severity

    path, total, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    svc = AlertService(path, lambda alerts, silences: None)
    svc.start()

    def stored(keys):
        def reply():
            sys.stdout.write(" ".join(keys) + "\\n")
            sys.stdout.flush()
        return reply

    now = time.time()
    for b in range(total // per):
        keys = [f"b{b}-{i}" for i in range(per)]
        svc.submit([AlertEvent("burst", k, Severity.MINOR, "traffic", "burst " + k, unit="w-hoalu",
                               source_time=now, received_time=now) for k in keys], stored(keys))
    svc.flush(600)
    sys.stdout.write("DONE\\n")
    sys.stdout.flush()
""")

KILL_AFTER = 5000  # acknowledged keys seen before the kill
BURST = 200_000
PER_BATCH = 50


def test_a_killed_writer_loses_no_acknowledged_alert(tmp_path):
    script = tmp_path / "burst.py"
    script.write_text(CHILD, encoding="utf-8")
    path = tmp_path / "burst.db"
    err = (tmp_path / "child.err").open("wb")
    proc = subprocess.Popen([sys.executable, str(script), str(path), str(BURST), str(PER_BATCH)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8")
    lines: queue.Queue[str | None] = queue.Queue()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    thread = threading.Thread(target=reader, name="burst-reader", daemon=True)
    thread.start()
    acknowledged: list[str] = []
    finished = False

    def take(line: str) -> None:
        nonlocal finished
        if not line.endswith("\n"):
            return  # cut off by the kill: never fully printed, so never acknowledged
        if line == "DONE\n":
            finished = True
        else:
            acknowledged.extend(line.split())

    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER:
            assert time.monotonic() < deadline, f"only {len(acknowledged)} keys acknowledged in 60 s"
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "the child ended early: " + (tmp_path / "child.err").read_text()
            take(line)
        at_kill = len(acknowledged)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        err.close()
    thread.join(10)
    # Lines already in the pipe were printed (acknowledged) before the kill: they count too.
    while (line := lines.get_nowait()) is not None:
        take(line)
    assert not finished, "the burst ended before the kill: make it longer"
    assert len(set(acknowledged)) == len(acknowledged)

    restarted = AlertService(path, lambda alerts, silences: None)
    stored_keys = {key for (source, key) in restarted.book.by_key if source == "burst"}
    lost = [k for k in acknowledged if k not in stored_keys]
    on_disk = rows(path, "select count(*) from alerts")[0][0]
    integrity = rows(path, "pragma integrity_check")[0][0]
    print(f"\nkill test: {at_kill} keys acknowledged when the kill was sent, {len(acknowledged)} acknowledged "
          f"in all (pipe drained), {len(stored_keys)} found after restart ({on_disk} rows on disk) "
          f"of {BURST} submitted; lost {len(lost)}")
    assert integrity == "ok"
    assert lost == [], f"{len(lost)} acknowledged alerts lost, e.g. {lost[:5]}"
    assert len(stored_keys) < BURST, "nothing was cut off by the kill"
    # Ids stay unique and dense after recovery.
    assert sorted(restarted.book.alerts) == list(range(1, on_disk + 1))
