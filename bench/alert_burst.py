"""Alert burst benchmark: 10,000 alerts in one second through the WebSocket connector into a running
console, against raw batched sqlite-utils inserts of the same rows (the ceiling).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.alert_burst [--alerts 10000] [--runs 3]

Reports: alerts persisted per second, time until the last is on disk (its receipt) and in the queue,
and the GUI event loop's longest stalls (p99, max) during the burst, measured by a 5 ms timer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SITE = """
name = "alert burst"
language = "en"
[wall]
rows = 1
cols = 1
screens = ["none"]
default_layout = "1x1"
[control]
enabled = false
[[connectors]]
name = "feed"
type = "ws_alerts"
settings = {{ url = "ws://127.0.0.1:{port}/" }}
"""


def ceiling(rows: int, tmp: Path) -> float:
    """Rows per second for sqlite-utils insert_all in batches of 500, WAL, same row shape."""
    import sqlite_utils

    db = sqlite_utils.Database(tmp / "ceiling.db")
    db.conn.execute("PRAGMA journal_mode=WAL")
    data = [{"id": i, "source": "feed", "key": f"burst-{i}", "severity": 2, "domain": "traffic",
             "title": f"Burst alert {i}", "text": "benchmark", "unit": f"u{i % 40}", "location": "",
             "cameras": "[]", "first_time": time.time(), "last_time": time.time(), "received_time": time.time(),
             "count": 1, "state": "new", "assignee": "", "deadline": None, "flapping": 0, "cleared": 0,
             "silenced_by": None, "acted_by": "", "acted_at": None, "history_len": 1} for i in range(rows)]
    history = [{"alert_id": i, "seq": 0, "ts": time.time(), "actor": "source:feed", "action": "raised", "note": ""}
               for i in range(rows)]
    start = time.perf_counter()
    for i in range(0, rows, 500):
        with db.conn:
            db["alerts"].insert_all(data[i:i + 500], pk="id")
            db["alert_history"].insert_all(history[i:i + 500], pk=("alert_id", "seq"))
    return rows / (time.perf_counter() - start)


def run_once(total: int, per_message: int, seconds: float, tmp: Path) -> dict:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from connectors.registry import discover
    from console.qt.runtime import Console
    from console.site import load_site

    sender = subprocess.Popen([sys.executable, "-m", "bench.alert_sender", str(total), str(per_message),
                               str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert sender.stdout is not None
    port = int(sender.stdout.readline().split()[1])
    site_file = tmp / f"site-{port}.toml"
    site_file.write_text(SITE.format(port=port))
    registry = discover()
    site = load_site(site_file, registry.types, registry.broken)
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gaps: list[tuple[float, float]] = []
    result: dict = {}

    async def main() -> None:
        console = Console(site, registry, tmp / f"console-{port}.db", "bench", control=False, language="en")
        await console.start()
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append((time.time(), (now - last[0]) * 1000 - 5))
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(beat)
        timer.start()
        queue = console.operator.queue
        assert queue is not None
        deadline = time.time() + 120
        in_queue_at = None
        while time.time() < deadline:
            await asyncio.sleep(0.01)
            if len(console.desk.alerts) >= total and queue._seen == console.desk.version:
                in_queue_at = time.time()
                break
        timer.stop()
        result["in_queue_at"] = in_queue_at
        result["rss_mb"] = int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
        await console.stop()

    with loop:
        loop.run_until_complete(main())
    out = json.loads(sender.stdout.readline())
    sender.wait(30)
    start = out["start"]
    during = [g for t, g in gaps if start <= t <= (result["in_queue_at"] or start + 60)]
    during.sort()
    return {
        "accepted": out["accepted"],
        "acked_messages": out["acked"],
        "messages": out["messages"],
        "send_s": out["sent_done"] - start,
        "on_disk_s": (out["last_ack"] - start) if out["last_ack"] else None,
        "in_queue_s": (result["in_queue_at"] - start) if result["in_queue_at"] else None,
        "stall_p99_ms": during[int(len(during) * 0.99) - 1] if during else None,
        "stall_max_ms": during[-1] if during else None,
        "rss_mb": result["rss_mb"],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=10_000)
    ap.add_argument("--per-message", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # The burst (spread over one second), and the same alerts sent flat out: the second
        # shows how fast the console persists when the sender is not the limit.
        paced = [run_once(args.alerts, args.per_message, args.seconds, tmp) for _ in range(args.runs)]
        flat = [run_once(args.alerts, args.per_message, 0.0, tmp) for _ in range(args.runs)]
        ceilings = [ceiling(args.alerts, Path(tempfile.mkdtemp(dir=tmp))) for _ in range(args.runs)]

    def med(runs: list[dict], key: str) -> float:
        return statistics.median([r[key] for r in runs if r[key] is not None])

    ceil = statistics.median(ceilings)
    rate = args.alerts / med(flat, "on_disk_s")
    lost = args.alerts - min(r["accepted"] for r in paced + flat)
    print(f"alert burst: {args.alerts} alerts, {args.per_message} per WebSocket message, median of {args.runs} runs")
    print()
    print(f"| {'':<44} | {'burst over ' + format(args.seconds, 'g') + ' s':>16} | {'sent flat out':>14} |")
    print(f"|{'-' * 46}|{'-' * 18}|{'-' * 16}|")
    for label, key, fmt in [
        ("sender's burst length (s)", "send_s", "{:.2f}"),
        ("last alert on disk, its receipt (s)", "on_disk_s", "{:.2f}"),
        ("last alert in the operator's queue (s)", "in_queue_s", "{:.2f}"),
        ("GUI loop stall p99 (ms)", "stall_p99_ms", "{:.1f}"),
        ("GUI loop stall max (ms)", "stall_max_ms", "{:.1f}"),
        ("resident memory at the end (MiB)", "rss_mb", "{:.0f}"),
    ]:
        print(f"| {label:<44} | {fmt.format(med(paced, key)):>16} | {fmt.format(med(flat, key)):>14} |")
    print()
    print(f"console persists (flat out):        {rate:,.0f} alerts/s")
    print(f"raw sqlite-utils insert_all, batches of 500, alerts + history rows (ceiling): {ceil:,.0f} alerts/s")
    print(f"console / ceiling:                  {rate / ceil:.2f}")
    p99 = max(med(paced, "stall_p99_ms"), med(flat, "stall_p99_ms"))
    checks = [
        ("no loss (every alert sent was acknowledged as stored)", lost == 0, f"{lost} lost"),
        ("GUI stall p99 <= 50 ms", p99 <= 50, f"{p99:.1f} ms (worse of the two)"),
        ("persist rate >= half the ceiling", rate >= ceil / 2, f"{rate / ceil:.2f} of the ceiling"),
    ]
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    print("runs:", json.dumps({"paced": paced, "flat": flat, "ceilings": ceilings}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
