"""AlertService: the one writer of alerts. Events and actions go through its thread, are applied to
the AlertBook, committed to SQLite, and only then published: an alert is on disk before it is shown.

Connectors submit from any thread; a burst is drained in batches (one transaction each), so the
rate is bounded by SQLite's, not by a commit per alert. ``on_stored`` callbacks tell a connector
that its alerts are safe, so it can acknowledge receipt to the sender.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from console.alerts.book import AlertActionError, AlertBook
from console.model.alerts import Alert, AlertEvent, AlertState, HistoryEntry, Severity, Silence

log = logging.getLogger(__name__)

BATCH = 1000
LOAD_CLOSED_DAYS = 7  # closed alerts older than this stay on disk but are not loaded into the queue


@dataclass
class _Events:
    events: list[AlertEvent]
    on_stored: Callable[[], None] | None


@dataclass
class _Action:
    alert_id: int
    action: str
    actor: str
    note: str
    assignee: str
    done: Callable[[Alert | None, str], None] | None


@dataclass
class _SilenceOp:
    kind: str  # "add" or "end"
    args: dict[str, Any]
    done: Callable[[Silence | None, str], None] | None


_STOP = object()


def _alert_row(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id, "source": a.source, "key": a.key, "severity": int(a.severity), "domain": a.domain,
        "title": a.title, "text": a.text, "unit": a.unit, "location": a.location,
        "cameras": json.dumps(list(a.cameras)), "first_time": a.first_time, "last_time": a.last_time,
        "received_time": a.received_time, "count": a.count, "state": a.state.value, "assignee": a.assignee,
        "deadline": a.deadline, "flapping": int(a.flapping), "cleared": int(a.cleared),
        "silenced_by": a.silenced_by, "acted_by": a.acted_by, "acted_at": a.acted_at,
        "history_len": len(a.history),
    }


_ALERT_COLUMNS = ("id", "source", "key", "severity", "domain", "title", "text", "unit", "location", "cameras",
                  "first_time", "last_time", "received_time", "count", "state", "assignee", "deadline", "flapping",
                  "cleared", "silenced_by", "acted_by", "acted_at", "history_len")
_ALERT_UPSERT = (f"INSERT OR REPLACE INTO alerts ({', '.join(_ALERT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_ALERT_COLUMNS))})")


class AlertService:
    """Owner of the alert writer thread and its database connection."""

    def __init__(self, path: str | Path, publish: Callable[[tuple[Alert, ...], tuple[Silence, ...]], None]) -> None:
        self.path = Path(path)
        self.publish = publish
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.rejected: dict[str, int] = {}  # per connector: payloads that did not fit
        self._unwritten: dict[int, Alert] = {}
        self._unwritten_silences: dict[int, Silence] = {}
        self.book = self._load()
        self._history_written: dict[int, int] = {a.id: len(a.history) for a in self.book.alerts.values()}

    # -- storage --------------------------------------------------------------------------
    def _connect(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        db = sqlite_utils.Database(conn)
        db.conn.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL survives a killed process (the OS has the pages); FULL also a power cut.
        db.conn.execute("PRAGMA synchronous=FULL")
        return db

    def _ensure_schema(self, db: sqlite_utils.Database) -> None:
        if "alerts" not in db.table_names():
            db.table("alerts").create({
                "id": int, "source": str, "key": str, "severity": int, "domain": str, "title": str, "text": str,
                "unit": str, "location": str, "cameras": str, "first_time": float, "last_time": float,
                "received_time": float, "count": int, "state": str, "assignee": str, "deadline": float,
                "flapping": int, "cleared": int, "silenced_by": int, "acted_by": str, "acted_at": float,
                "history_len": int,
            }, pk="id")
            db.table("alerts").create_index(["source", "key"])
            db.table("alerts").create_index(["state"])
        if "alert_history" not in db.table_names():
            db.table("alert_history").create({"alert_id": int, "seq": int, "ts": float, "actor": str,
                                              "action": str, "note": str}, pk=("alert_id", "seq"))
        if "silences" not in db.table_names():
            db.table("silences").create({"id": int, "created_by": str, "created_at": float, "reason": str,
                                         "expires_at": float, "domain": str, "unit": str, "source": str,
                                         "key": str, "ended_at": float}, pk="id")

    def _load(self) -> AlertBook:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            self._ensure_schema(db)
            since = time.time() - LOAD_CLOSED_DAYS * 86400
            rows = list(db.query("select * from alerts where state != 'closed' or last_time > ?", [since]))
            history: dict[int, list[HistoryEntry]] = {}
            if rows:
                ids = [r["id"] for r in rows]
                for h in db.query(
                        f"select * from alert_history where alert_id in ({','.join('?' * len(ids))}) "
                        "order by alert_id, seq", ids):
                    history.setdefault(h["alert_id"], []).append(HistoryEntry(h["ts"], h["actor"], h["action"],
                                                                              h["note"]))
            alerts = [
                Alert(id=r["id"], source=r["source"], key=r["key"], severity=Severity(r["severity"]),
                      domain=r["domain"], title=r["title"], text=r["text"], unit=r["unit"], location=r["location"],
                      cameras=tuple(json.loads(r["cameras"])), first_time=r["first_time"], last_time=r["last_time"],
                      received_time=r["received_time"], count=r["count"], state=AlertState(r["state"]),
                      assignee=r["assignee"], deadline=r["deadline"], flapping=bool(r["flapping"]),
                      cleared=bool(r["cleared"]), silenced_by=r["silenced_by"], acted_by=r["acted_by"] or "",
                      acted_at=r["acted_at"], history=tuple(history.get(r["id"], ())))
                for r in rows
            ]
            # Ids must never be reused, even for alerts not loaded.
            max_id = next(iter(db.query("select max(id) as m from alerts")))["m"] or 0
            silences = [Silence(**r) for r in db.query("select * from silences")]
        finally:
            db.close()
        book = AlertBook(alerts, silences)
        book._ids = iter(range(max(max_id, max(book.alerts, default=0)) + 1, 1 << 62))  # type: ignore[assignment]
        return book

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="alert-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=10)

    def flush(self, timeout: float = 10.0) -> bool:
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    # -- input (any thread) ---------------------------------------------------------------
    def submit(self, events: list[AlertEvent], on_stored: Callable[[], None] | None = None) -> None:
        self._queue.put(_Events(events, on_stored))

    def reject(self, connector: str, reason: str) -> None:
        """Count a payload that did not fit (the connector logs the reason)."""
        self.rejected[connector] = self.rejected.get(connector, 0) + 1

    def act(self, alert_id: int, action: str, actor: str, note: str = "", assignee: str = "",
            done: Callable[[Alert | None, str], None] | None = None) -> None:
        self._queue.put(_Action(alert_id, action, actor, note, assignee, done))

    def silence(self, kind: str, done: Callable[[Silence | None, str], None] | None = None, **args: Any) -> None:
        self._queue.put(_SilenceOp(kind, args, done))

    # -- the writer thread ----------------------------------------------------------------
    def _run(self) -> None:
        db = self._connect()
        try:
            stopping = False
            while not stopping:
                try:
                    first = self._queue.get(timeout=1.0)
                except queue.Empty:
                    first = None
                jobs = [] if first is None else [first]
                count = sum(len(j.events) for j in jobs if isinstance(j, _Events))
                while count < BATCH:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    jobs.append(job)
                    if isinstance(job, _Events):
                        count += len(job.events)
                if any(j is _STOP for j in jobs):
                    stopping = True
                    jobs = [j for j in jobs if j is not _STOP]
                try:
                    self._apply(db, jobs, stopping)
                except Exception:
                    # The writer must outlive any one bad batch (a callback that raises, say).
                    log.exception("alert writer: a batch failed; carrying on")
                finally:
                    for job in jobs:
                        if isinstance(job, threading.Event):
                            job.set()
        finally:
            db.close()

    def _apply(self, db: sqlite_utils.Database, jobs: list[Any], stopping: bool = False) -> None:
        now = time.time()
        # What a failed write left behind goes out with this batch.
        changed: dict[int, Alert] = dict(self._unwritten)
        silences: dict[int, Silence] = dict(self._unwritten_silences)
        replies: list[Callable[[], None]] = []
        for sid in self.book.expired_silences(now):
            silence, alerts = self.book.end_silence(sid, now)
            silences[silence.id] = silence
            changed.update((a.id, a) for a in alerts)
        for job in jobs:
            if isinstance(job, _Events):
                for event in job.events:
                    alert = self.book.ingest(event)
                    if alert is not None:
                        changed[alert.id] = alert
                if job.on_stored is not None:
                    replies.append(job.on_stored)
            elif isinstance(job, _Action):
                try:
                    alert = self.book.act(job.alert_id, job.action, job.actor, now, job.note, job.assignee)
                    changed[alert.id] = alert
                    result: tuple[Alert | None, str] = (alert, "")
                except AlertActionError as exc:
                    result = (None, str(exc))
                if job.done is not None:
                    replies.append(lambda job=job, result=result: job.done(*result))  # type: ignore[misc]
            elif isinstance(job, _SilenceOp):
                try:
                    if job.kind == "add":
                        silence, alerts = self.book.add_silence(now=now, **job.args)
                    else:
                        silence, alerts = self.book.end_silence(now=now, **job.args)
                    silences[silence.id] = silence
                    changed.update((a.id, a) for a in alerts)
                    sresult: tuple[Silence | None, str] = (silence, "")
                except AlertActionError as exc:
                    sresult = (None, str(exc))
                if job.done is not None:
                    replies.append(lambda job=job, sresult=sresult: job.done(*sresult))  # type: ignore[misc]
        if changed or silences:
            if not self._write_with_retries(db, list(changed.values()), list(silences.values()), stopping):
                # Not on disk: nothing is shown or acknowledged; the next batch tries again.
                self._unwritten, self._unwritten_silences = changed, silences
                return
            self._unwritten, self._unwritten_silences = {}, {}
            try:
                self.publish(tuple(changed.values()), tuple(silences.values()))
            except Exception:
                log.exception("could not hand %d stored alerts to the interface", len(changed))
        for reply in replies:
            try:
                reply()
            except Exception:
                log.exception("alert reply failed")

    def _write_with_retries(self, db: sqlite_utils.Database, alerts: list[Alert], silences: list[Silence],
                            stopping: bool) -> bool:
        for attempt in range(1, 6):
            try:
                self._write(db, alerts, silences)
                if attempt > 1:
                    log.info("alert writer: written after %d attempts", attempt)
                return True
            except Exception:
                if attempt == 1:
                    log.exception("alert writer: could not write %d alerts; retrying", len(alerts))
                if stopping:
                    break
                time.sleep(0.2 * attempt)  # a database locked by another process frees up in moments
        return False

    def _write(self, db: sqlite_utils.Database, alerts: list[Alert], silences: list[Silence]) -> None:
        # The hot path of a flood: sqlite-utils made the tables; rows go in through the DB-API's
        # executemany, which measured 3x faster than insert_all's per-value conversion for this shape.
        with db.conn:
            if alerts:
                rows = [_alert_row(a) for a in alerts]
                db.conn.executemany(_ALERT_UPSERT, [tuple(r[c] for c in _ALERT_COLUMNS) for r in rows])
                # History entries only ever grow: write the ones after what is already on disk.
                old = self._history_written
                history = [(a.id, i, h.ts, h.actor, h.action, h.note)
                           for a in alerts for i, h in enumerate(a.history) if i >= old.get(a.id, 0)]
                if history:
                    db.conn.executemany(
                        "INSERT OR REPLACE INTO alert_history (alert_id, seq, ts, actor, action, note) "
                        "VALUES (?, ?, ?, ?, ?, ?)", history)
            if silences:
                db.table("silences").upsert_all([s.__dict__ for s in silences], pk="id")
        # Only once committed: a failed write is retried with the same history.
        for a in alerts:
            self._history_written[a.id] = len(a.history)
