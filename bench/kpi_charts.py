"""KPI-chart benchmark: 24 live charts of 100,000 points each, fed at 10 Hz, on the 3x2 wall.

    .venv/bin/python -m bench.kpi_charts [--duration 30] [--charts 24] [--points 100000] [--rate 10]
        [--modes console,ceiling,pyqtgraph-widgets] [--ceiling-rate match|HZ] [--profile] [--what-if NAMES]

(The script sets QT_QPA_PLATFORM=offscreen:configfile=tests/fixtures/screens_3x2.json for its workers: six
1920x1080 wall screens WALL-1..6 plus the operator's screen; the offscreen platform paints every window into its
backing store, so paints really happen, and they are counted.)

The requirement: "24 live charts, each with 100,000 points, receiving new samples at 10 Hz, on the wall canvas.
Report frame time p50/p95 and CPU; target p95 at most 16 ms."

Each mode runs in a fresh process (bench/kpi_charts_worker.py): a warm-up (5 s), then the measured window.
  console            the console's own path: the demo site's wall geometry (resources/sites/demo.toml); a Store
                     with a custom layout `layouts.grid.grid("bench24", 4, 6)` (2x2 tiles of 960x540 per display);
                     a KpiService with N indicators (target, warning and critical thresholds, one unit `P`) whose
                     series hold `--points` points (one per 0.1 s, ~2.8 h, preloaded into the book); tiles
                     `kpi/k<i>?view=chart&range=6h` (so every point is in view and is downsampled); the six display
                     windows made by the console's WallManager (frameless, full screen on WALL-1..6). A 10 Hz Qt
                     timer on the GUI thread publishes one SamplesReceived batch on the Bus (one sample per
                     indicator, time = previous + 0.1 s), as a connector's callback on the loop does. Nothing is
                     shortcut: the views' own 20 ms timers call CHARTS.refresh() and repaint the changed tiles.
  ceiling            the same wall and charts, no samples: no chart is ever redrawn. Each chart tile is marked for
                     repaint (the views' own update(rect)) at `--ceiling-rate` per second, staggered over the
                     20 ms ticks; by default at the rate the console mode of the same run redrew its charts, so the
                     ceiling paints what the console painted, minus the chart redraws (the floor under the
                     console); `--ceiling-rate 10` gives the cost of showing every chart 10 times a second.
  pyqtgraph-widgets  what a developer would build instead: N pg.PlotWidgets (DateAxisItem, grid, threshold lines,
                     pyqtgraph's defaults) at the tiles' places and sizes on six full-screen windows, each
                     PlotDataItem holding the same points with setDownsampling(auto=True, method="peak") and
                     setClipToView(True); the same batches are ingested into a KpiBook and each curve gets
                     setData() of its whole series plus setXRange() of the last 6 h; Qt repaints normally.

Definitions (GUI thread, perf_counter; instrumented by subclassing and wrapping inside the worker only):
  busy time          a QApplication subclass times every top-level event delivery (QApplication.notify: timer
                     events that run the views' ticks and the sample feed, UpdateRequest events that run
                     paintEvent and flush the backing store, queued calls). Inside them the GUI thread works;
                     outside them it waits in the event dispatcher.
  tick               console and ceiling: there is no single frame clock; each of the six windows has a 20 ms
                     timer and every tick calls CHARTS.refresh(), which runs a pass only when the last one is
                     10 ms old or more. A tick = from the start of one refresh pass that ran to the start of the
                     next. pyqtgraph-widgets: from one sample batch to the next (nothing else repaints them).
  frame time         for each tick in which at least one paintEvent started: the GUI thread's busy time within the
                     tick = the refresh pass (its chart redraws) + the six views' timer ticks + every paint in it
                     (paintEvent + backing-store flush) + the sample ingest that fell in it; waiting excluded.
                     `tick busy` is the same over all ticks, painted or not.
  busy run           a run of event deliveries with less than 1 ms between them (the loop never waited), that
                     contains a paint; its busy time. Unlike the frame time it does not depend on where the
                     ticks fall: it is how long the loop was blocked when it painted (a stall for anything else).
  paint              duration of each WallView.paintEvent (pyqtgraph-widgets: each PlotWidget viewport paint).
  refresh            duration of each CHARTS.refresh() pass that ran; redraw: each chart redraw (ChartCache._draw).
  CPU                psutil user+sys of the worker process over the window, % of one core; "others" = the
                     machine's busy time (/proc/stat) minus this process: other users' jobs on the shared box.
  redraws            console: CHARTS.redraws delta; pyqtgraph-widgets: viewport paints (each redraws its plot).
  latency            sample -> screen: from a batch's publish to the end of the first paintEvent that blitted
                     (console) or painted (pyqtgraph) its chart redrawn after the publish; batches of the last 2 s
                     are left out; samples whose chart was not redrawn by the end are counted as never shown.

Output: Markdown tables on stdout, the ratios console/ceiling and pyqtgraph-widgets/console (frame p95, CPU),
PASS/FAIL against the 16 ms target, and JSON with every figure in
bench/results/kpi_charts-<date-time>[-<options>].json (`--screenshots`: display D11 of each mode beside it).
`--profile` runs the console mode once more under cProfile and writes the top of its profile beside the JSON (its
figures are not in the tables: the profiler slows Python code). `--what-if NAMES` runs the console mode once more
with suggested changes patched into that worker process only (never into the project's files), to size them:
pixel-interval, thin-pen, parse-cache, one-pass, no-axes (see WHAT_IFS in bench/kpi_charts_worker.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SCREENS = "tests/fixtures/screens_3x2.json"
MODES = ("console", "ceiling", "pyqtgraph-widgets")
WHAT_IF_NAMES = ("pixel-interval", "thin-pen", "parse-cache", "one-pass", "no-axes")
TARGET_P95_MS = 16.0
PRODUCT_FILES = ("widgets/kpi_chart.py", "widgets/kpi_painter.py", "widgets/wall_view.py", "widgets/tile_painter.py",
                 "console/kpi/book.py", "console/kpi/service.py", "console/qt/wall.py")


def log(msg: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def machine_busy() -> tuple[int, int] | None:
    try:
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        return sum(vals) - vals[3] - vals[4], sum(vals)
    except OSError:
        return None


def wait_quiet(max_s: float, below: float = 35.0) -> float | None:
    """Wait (at most max_s) until other jobs use less than `below` % of a core (1 s samples); the last sample."""
    deadline = time.time() + max_s
    last = None
    while True:
        a = machine_busy()
        time.sleep(1.0)
        b = machine_busy()
        if a is None or b is None or b[1] == a[1]:
            return None
        last = 100 * (b[0] - a[0]) / (b[1] - a[1]) * (os.cpu_count() or 1)
        if last < below or time.time() >= deadline:
            return last


def product_digest() -> str:
    h = hashlib.sha1()
    for name in PRODUCT_FILES:
        try:
            h.update((ROOT / name).read_bytes())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()[:12]


def machine_info() -> dict:
    import numpy
    import psutil
    import pyqtgraph
    import PySide6

    info = {"cores": os.cpu_count(), "python": platform.python_version(), "PySide6": PySide6.__version__,
            "pyqtgraph": pyqtgraph.__version__, "numpy": numpy.__version__, "psutil": psutil.__version__}
    try:
        cpu = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        info["cpu"] = cpu.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    return info


def run_worker(cfg: dict, timeout: float) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={SCREENS}", PYTHONUNBUFFERED="1")
    with tempfile.TemporaryDirectory(prefix="kpi-charts-") as d:
        cfg_path, out_path = Path(d) / "cfg.json", Path(d) / "out.json"
        cfg_path.write_text(json.dumps(cfg))
        try:
            proc = subprocess.run([sys.executable, "-m", "bench.kpi_charts_worker", str(cfg_path), str(out_path)],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"mode": cfg["mode"], "error": f"timed out after {timeout:.0f} s"}
        if proc.returncode != 0 or not out_path.exists():
            return {"mode": cfg["mode"], "error": f"exit {proc.returncode}", "stderr_tail": proc.stderr[-3000:]}
        return json.loads(out_path.read_text())


def f(v, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def g(r: dict, key: str, sub: str | None = None):
    v = r.get(key)
    if sub is not None:
        v = v.get(sub) if isinstance(v, dict) else None
    return v


def ratio(a, b) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def label(mode: str, r: dict) -> str:
    return f"ceiling ({r['ceiling_rate']:g} Hz/tile)" if mode == "ceiling" and r.get("ceiling_rate") else mode


def tables(results: dict[str, dict]) -> list[str]:
    out = ["| mode | frame p50 ms | frame p95 ms | frame max ms | paint p95 ms | refresh p95 ms | CPU % | "
           "chart redraws/s per chart | latency p50 ms | latency p95 ms |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for mode, r in results.items():
        if "error" in r:
            out.append(f"| {mode} | error: {r['error']} |||||||||")
            continue
        out.append(
            f"| {label(mode, r)} | {f(g(r, 'frame_ms', 'p50'))} | {f(g(r, 'frame_ms', 'p95'))} | {f(g(r, 'frame_ms', 'max'))} "
            f"| {f(g(r, 'paint_ms', 'p95'))} | {f(g(r, 'refresh_ms', 'p95'))} | {f(r['cpu_pct'], '.0f')} "
            f"| {f(r['redraws_per_s_per_chart'], '.2f')} | {f(g(r, 'latency_ms', 'p50'), '.0f')} "
            f"| {f(g(r, 'latency_ms', 'p95'), '.0f')} |")
    out += ["", "| mode | ticks/s | frames/s | paints/s (p50 ms) | tick busy p95 ms | frame GUI-CPU p95 ms | "
            "busy run with a paint p50 / p95 / max ms | redraw p50 ms | GUI thread busy % (CPU %) | "
            "batches/s delivered | samples never shown | others % | RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode, r in results.items():
        if "error" in r:
            continue
        b = r["burst_ms"]
        out.append(
            f"| {label(mode, r)} | {f(r['ticks_per_s'])} | {f(r['frames_per_s'])} | {f(r['paints_per_s'], '.0f')} "
            f"({f(g(r, 'paint_ms', 'p50'))}) | {f(g(r, 'tick_busy_ms', 'p95'))} | {f(g(r, 'frame_cpu_ms', 'p95'))} "
            f"| {f(b['p50'], '.0f')} / {f(b['p95'], '.0f')} / {f(b['max'], '.0f')} "
            f"| {f(g(r, 'draw_ms', 'p50'))} | {f(r['gui_busy_pct'], '.0f')} ({f(r['gui_thread_cpu_pct'], '.0f')}) "
            f"| {f(r['batches_per_s'])} | {r['latency_unshown']}/{r['latency_samples']} | {f(r.get('others_pct'), '.0f')} "
            f"| {f(r['rss_mib'], '.0f')} |")
    return out


def summary(results: dict[str, dict], args) -> list[str]:
    c, ce, pgw = (results.get(m, {}) for m in MODES)
    lines = []
    ok = lambda r: r and "error" not in r  # noqa: E731
    if ok(c) and ok(ce):
        lines.append(f"console / ceiling: frame p95 {ratio(g(c, 'frame_ms', 'p95'), g(ce, 'frame_ms', 'p95'))}, "
                     f"CPU {ratio(c['cpu_pct'], ce['cpu_pct'])}")
    if ok(c) and ok(pgw):
        lines.append(f"pyqtgraph-widgets / console: frame p95 {ratio(g(pgw, 'frame_ms', 'p95'), g(c, 'frame_ms', 'p95'))}, "
                     f"CPU {ratio(pgw['cpu_pct'], c['cpu_pct'])}")
    for mode, r in results.items():
        if not ok(r):
            continue
        p95 = g(r, "frame_ms", "p95")
        verdict = "PASS" if p95 is not None and p95 <= TARGET_P95_MS else "FAIL"
        line = f"{verdict}  {mode}: frame p95 {f(p95)} ms (target <= {TARGET_P95_MS:.0f} ms)"
        if mode != "ceiling":
            line += (f"; each chart redrawn {f(r['redraws_per_s_per_chart'], '.2f')} times/s for "
                     f"{f(r['batches_per_s'])} sample batches/s delivered (asked: {args.rate:g})")
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=30.0, help="measured seconds per mode (30)")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring (5)")
    ap.add_argument("--charts", type=int, default=24, help="live charts on the wall (24)")
    ap.add_argument("--points", type=int, default=100_000, help="points preloaded per chart (100000)")
    ap.add_argument("--rate", type=float, default=10.0, help="sample batches per second (10)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ",".join(MODES))
    ap.add_argument("--ceiling-rate", default="match", metavar="HZ|match",
                    help="ceiling: repaints per second of each chart tile; 'match' (default): the console mode's "
                         "chart redraws per second in this run (10 when the console mode is not run)")
    ap.add_argument("--profile", action="store_true", help="also profile the console mode (cProfile)")
    ap.add_argument("--what-if", action="append", default=[], metavar="NAMES",
                    help="also run the console mode with these comma-separated changes patched in (in the worker "
                         "process only; sizes a suggestion): " + ", ".join(WHAT_IF_NAMES) + "; may be repeated")
    ap.add_argument("--quiet-wait", type=float, default=20.0, metavar="S",
                    help="before each mode wait up to S s for other jobs to use < 35%% of a core (0: don't)")
    ap.add_argument("--screenshots", action="store_true", help="save display D11 of each mode as PNG")
    ap.add_argument("--out", default=None, help="JSON file (default bench/results/kpi_charts-<date-time>.json)")
    args = ap.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m}")
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    suffix = "".join(f"-{k}{v:g}" for k, v, d in (("charts", args.charts, 24), ("points", args.points, 100_000),
                                                  ("rate", args.rate, 10), ("duration", args.duration, 30)) if v != d)
    if args.ceiling_rate != "match":
        suffix += f"-ceiling{args.ceiling_rate}"
    if args.what_if:
        suffix += "-whatif"
    out = Path(args.out) if args.out else RESULTS / f"kpi_charts-{stamp}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    digest0 = product_digest()
    started = time.time()
    results: dict[str, dict] = {}
    base = {"charts": args.charts, "points": args.points, "rate": args.rate, "warmup": args.warmup,
            "duration": args.duration}
    for mode in modes:
        quiet = wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
        log(f"{mode}: {args.charts} charts x {args.points} points, {args.rate:g} Hz, {args.duration:g} s "
            f"(others before: {f(quiet, '.0f')}% of a core)")
        cfg = {**base, "mode": mode}
        if mode == "ceiling":
            if args.ceiling_rate != "match":
                cfg["ceiling_rate"] = float(args.ceiling_rate)
            elif "error" not in results.get("console", {"error": 1}):
                cfg["ceiling_rate"] = round(results["console"]["redraws_per_s_per_chart"], 3)
            else:
                cfg["ceiling_rate"] = 10.0
        if args.screenshots:
            cfg["screenshot"] = str(out.with_name(out.stem + f"-{mode}-D11.png"))
        r = run_worker(cfg, args.warmup + args.duration + 180)
        r["others_before_pct"] = quiet
        results[mode] = r
        if "error" in r:
            log(f"   ERROR {r['error']}\n{r.get('stderr_tail', '')}")
        else:
            log(f"   frame p50/p95 {f(g(r, 'frame_ms', 'p50'))}/{f(g(r, 'frame_ms', 'p95'))} ms, CPU "
                f"{f(r['cpu_pct'], '.0f')}%, redraws/s/chart {f(r['redraws_per_s_per_chart'], '.2f')}, others "
                f"{f(r.get('others_pct'), '.0f')}%")
    for names in args.what_if:
        wanted = [n for n in names.split(",") if n]
        for n in wanted:
            if n not in WHAT_IF_NAMES:
                ap.error(f"unknown what-if {n}")
        label = "console+" + "+".join(wanted)
        quiet = wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
        log(f"{label} (what-if) ... (others before: {f(quiet, '.0f')}% of a core)")
        r = run_worker({**base, "mode": "console", "what_if": wanted}, args.warmup + args.duration + 180)
        r["others_before_pct"] = quiet
        results[label] = r
        if "error" in r:
            log(f"   ERROR {r['error']}\n{r.get('stderr_tail', '')}")
        else:
            log(f"   frame p50/p95 {f(g(r, 'frame_ms', 'p50'))}/{f(g(r, 'frame_ms', 'p95'))} ms, CPU "
                f"{f(r['cpu_pct'], '.0f')}%, redraws/s/chart {f(r['redraws_per_s_per_chart'], '.2f')}")
    profile_text = None
    if args.profile:
        wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
        prof_out = out.with_name(out.stem + "-profile.txt")
        log("console under cProfile ...")
        r = run_worker({**base, "mode": "console", "profile": True,
                        "profile_out": str(out.with_name(out.stem + "-profile.pstats"))},
                       args.warmup + args.duration + 300)
        profile_text = r.pop("profile", None) or r.get("error", "")
        prof_out.write_text(profile_text)
        results["console (profiled, not comparable)"] = r
        log(f"   wrote {prof_out}")
    notes = []
    if product_digest() != digest0:
        notes.append(f"The measured product files changed during the run (sha1 {digest0} -> {product_digest()}): "
                     "other engineers were editing them; each mode measured the code as its process found it.")
    cmd = "QT_QPA_PLATFORM=... .venv/bin/python -m bench.kpi_charts " + " ".join(sys.argv[1:] if argv is None else argv)
    head = [f"KPI charts benchmark, {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}: {args.charts} charts x "
            f"{args.points:,} points, samples at {args.rate:g} Hz, {args.warmup:g} s warm-up + {args.duration:g} s "
            f"measured per mode, 3x2 wall offscreen ({(time.time() - started) / 60:.1f} min in all)",
            "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + f"; product sources {digest0}", ""]
    shown = {m: r for m, r in results.items() if not m.startswith("console (profiled")}
    text = "\n".join(head + tables(shown) + [""] + summary(shown, args) + [f"NOTE {n}" for n in notes])
    print(text)
    out.write_text(json.dumps({"command": cmd, "args": vars(args), "info": info, "product_sources": digest0,
                               "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
                               "results": results, "notes": notes, "table": text}, indent=1))
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
