"""The demo province's KPI database: a month of hourly readings and a year of monthly reports.

Built once by ``python -m connectors.demo.kpi_data PATH`` (the demo connector runs the same code when
the file is missing), then kept alive by the demo connector, which appends a reading per unit every
few seconds as a real backend would. The demo site reads it back with the SQL connector.
Monthly reports from before the 2025 mergers carry the former units' codes, as old files do.
"""

from __future__ import annotations

import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 4
HISTORY_DAYS = 30
MONTHS = 18
# 1 July 2025: districts abolished, communes merged. Reports before it use the old codes.
MERGER = time.mktime((2025, 7, 1, 0, 0, 0, 0, 0, -1))


@dataclass(frozen=True)
class DemoSeries:
    indicator: str
    base: float
    spread: float
    period: str  # "live" (hourly history, then every few seconds) or "month"
    rollup: str  # how the province's value follows from the units'
    decimals: int = 0


SERIES = (
    DemoSeries("aqi", 55, 30, "live", "mean"),
    DemoSeries("traffic", 1450, 520, "live", "mean"),
    DemoSeries("dossier-late", 2.2, 1.6, "month", "mean", 1),
    DemoSeries("dossier-online", 71, 12, "month", "mean", 1),
    DemoSeries("reports", 14, 7, "month", "sum"),
)

PROVINCE = "p-ninhbinh"
# Today's unit, the code it reported under before the merger, and how busy it is (traffic, reports).
UNITS = (
    ("w-hoalu", "d-tp-ninhbinh", 1.5),
    ("w-namdinh", "d-tp-namdinh", 1.3),
    ("w-phuly", "d-tp-phuly", 1.0),
    ("c-giavien", "d-giavien", 0.6),
    ("c-kimson", "d-kimson", 0.5),
)


def _daily(hour: float) -> float:
    """Traffic and air follow the day: peaks at 7-8 h and 17-18 h."""
    return 0.55 + 0.45 * (math.exp(-((hour - 7.5) ** 2) / 3) + math.exp(-((hour - 17.5) ** 2) / 3))


def reading(s: DemoSeries, unit_index: int, weight: float, t: float, rng: random.Random) -> float:
    hour = time.localtime(t).tm_hour + time.localtime(t).tm_min / 60
    if s.indicator == "traffic":
        value = s.base * weight * _daily(hour) + rng.gauss(0, s.spread * 0.1)
    elif s.indicator == "aqi":
        value = s.base * (0.8 + 0.3 * _daily(hour)) + 12 * unit_index + rng.gauss(0, s.spread * 0.15)
    elif s.indicator == "reports":
        value = s.base * weight + rng.gauss(0, s.spread * 0.4)
    else:
        value = s.base + (unit_index - 2) * s.spread * 0.3 + rng.gauss(0, s.spread * 0.25)
    return round(max(0.0, value), s.decimals)


def _month_ends(now: float) -> list[float]:
    lt = time.localtime(now)
    out = []
    for k in range(MONTHS, 0, -1):
        year, month = lt.tm_year, lt.tm_mon - k
        while month < 1:
            month += 12
            year -= 1
        # A month's report is dated its last day, 23:59.
        nxt_y, nxt_m = (year + (month == 12), month % 12 + 1)
        out.append(time.mktime((nxt_y, nxt_m, 1, 0, 0, 0, 0, 0, -1)) - 60)
    return out


def rows_for(t: float, series: DemoSeries, rng: random.Random, old_codes: bool = False) -> list[dict]:
    rows = []
    values = []
    for i, (code, old, weight) in enumerate(UNITS):
        v = reading(series, i, weight, t, rng)
        values.append(v)
        rows.append({"indicator": series.indicator, "unit": old if old_codes else code, "time": t, "value": v})
    total = sum(values) if series.rollup == "sum" else sum(values) / len(values)
    rows.append({"indicator": series.indicator, "unit": PROVINCE, "time": t, "value": round(total, series.decimals)})
    return rows


def build(path: Path, now: float | None = None, seed: int = 7) -> int:
    """Write the database from scratch; returns the number of values."""
    now = time.time() if now is None else now
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    db = sqlite_utils.Database(tmp)
    rows: list[dict] = []
    start = now - HISTORY_DAYS * 86400
    for s in SERIES:
        if s.period == "live":
            t = start - start % 3600
            while t < now:
                rows.extend(rows_for(t, s, rng))
                t += 3600
            rows.extend(rows_for(now, s, rng))  # and this moment's, so the wall starts fresh
        else:
            for t in _month_ends(now):
                rows.extend(rows_for(t, s, rng, old_codes=t < MERGER))
    db.table("kpi_values").insert_all(rows, batch_size=5000)
    db.table("kpi_values").create_index(["time"])
    db.table("meta").insert({"key": "schema", "value": SCHEMA_VERSION})
    db.conn.commit()
    db.close()
    tmp.replace(path)
    return len(rows)


def is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        db = sqlite_utils.Database(path)
        try:
            ok = any(r["value"] == SCHEMA_VERSION for r in db.query("select value from meta where key = 'schema'"))
        finally:
            db.close()
        return ok
    except Exception:
        return False


class LiveAppender:
    """Adds the live indicators' newest readings, as the backend would. Thread: one worker thread."""

    def __init__(self, path: Path, seed: int = 11) -> None:
        self.path = path
        self.rng = random.Random(seed)

    def append(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        rows = [r for s in SERIES if s.period == "live" for r in rows_for(now, s, self.rng)]
        db = sqlite_utils.Database(self.path)
        try:
            db.execute("pragma busy_timeout = 2000")
            db.table("kpi_values").insert_all(rows)
            # Keep the file small: live readings older than the history window go.
            db.execute("delete from kpi_values where time < ? and indicator in ('aqi', 'traffic')",
                       [now - HISTORY_DAYS * 86400])
            db.conn.commit()
        finally:
            db.close()
        return len(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m connectors.demo.kpi_data PATH.sqlite", file=sys.stderr)
        return 2
    n = build(Path(argv[0]))
    print(f"{argv[0]}: {n} values")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
