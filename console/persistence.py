"""The console's SQLite database (sqlite-utils, WAL): audit log and saved presets.

All writes run on one owned writer thread so the GUI loop never waits on the disk; ``flush``
waits for what was queued (tests, shutdown). Reads are rare and small and use their own
connection.
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

from console.model.wall import Preset

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True)
class AuditRecord:
    ts: float
    actor: str
    origin: str
    command: str
    args: dict[str, Any]
    result: str  # "applied" or "refused: <reason>"
    version: int


class Database:
    """Owner of the database file. Thread: create, read and stop on the GUI thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        db.conn.execute("PRAGMA journal_mode=WAL")
        if "audit" not in db.table_names():
            db.table("audit").create(
                {"id": int, "ts": float, "actor": str, "origin": str, "command": str, "args": str,
                 "result": str, "version": int},
                pk="id",
            )
            db.table("audit").create_index(["ts"])
        if "briefing_log" not in db.table_names():
            # One row per scene shown in a briefing run, for the minutes and the briefing pack.
            db.table("briefing_log").create(
                {"id": int, "run": int, "briefing": str, "briefing_title": str, "scene": int, "title": str,
                 "start": float, "end": float}, pk="id")
            db.table("briefing_log").create_index(["run"])
        if "presets" not in db.table_names():
            db.table("presets").create({"name": str, "layout": str, "tiles": str, "saved_at": float}, pk="name")
        db.close()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._writer, name="db-writer", daemon=True)
        self._thread.start()

    def _connect(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        return sqlite_utils.Database(conn)

    def _writer(self) -> None:
        db = self._connect()
        try:
            while True:
                job = self._queue.get()
                if job is _STOP:
                    break
                jobs = [job]
                # Drain what is already waiting: one transaction per batch.
                while True:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is _STOP:
                        self._queue.put(_STOP)
                        break
                    jobs.append(more)
                try:
                    with db.conn:
                        for j in jobs:
                            if isinstance(j, threading.Event):
                                continue
                            j(db)
                except Exception:
                    log.exception("database write failed (%d operations)", len(jobs))
                for j in jobs:
                    if isinstance(j, threading.Event):
                        j.set()
        finally:
            db.close()

    def submit(self, job: Callable[[sqlite_utils.Database], object]) -> None:
        self._queue.put(job)

    def flush(self, timeout: float = 10.0) -> bool:
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=10)

    # -- audit --------------------------------------------------------------------------------
    def audit(self, record: AuditRecord) -> None:
        row = {
            "ts": record.ts, "actor": record.actor, "origin": record.origin, "command": record.command,
            "args": json.dumps(record.args, ensure_ascii=False, sort_keys=True),
            "result": record.result, "version": record.version,
        }
        self.submit(lambda db: db.table("audit").insert(row))

    def audit_rows(self, limit: int = 1000) -> list[AuditRecord]:
        db = self._connect()
        try:
            rows = db.query(f"select * from audit order by id desc limit {int(limit)}")
            return [
                AuditRecord(r["ts"], r["actor"], r["origin"], r["command"], json.loads(r["args"]), r["result"],
                            r["version"])
                for r in rows
            ][::-1]
        finally:
            db.close()

    # -- briefing runs ------------------------------------------------------------------------
    def briefing_log(self, run: int | None = None, briefing: str | None = None) -> list[dict]:
        """The scenes of one briefing run in the order shown (the latest run, of ``briefing`` if given,
        when ``run`` is None)."""
        db = self._connect()
        try:
            if run is None:
                latest = list(db.query("select max(run) as run from briefing_log where briefing = ?", [briefing])
                              if briefing else db.query("select max(run) as run from briefing_log"))
                run = latest[0]["run"] if latest else None
                if run is None:
                    return []
            return list(db.query("select * from briefing_log where run = ? order by id", [run]))
        finally:
            db.close()

    # -- presets ------------------------------------------------------------------------------
    def save_preset(self, preset: Preset) -> None:
        row = {"name": preset.name, "layout": preset.layout, "tiles": json.dumps(list(preset.tiles)),
               "saved_at": time.time()}
        self.submit(lambda db: db.table("presets").upsert(row, pk="name"))

    def delete_preset(self, name: str) -> None:
        self.submit(lambda db: db.execute("delete from presets where name = ?", [name]))

    def saved_presets(self) -> list[Preset]:
        db = self._connect()
        try:
            return [
                Preset(r["name"], r["layout"], tuple(json.loads(r["tiles"])), origin="saved")
                for r in db.query("select * from presets order by name")
            ]
        finally:
            db.close()
