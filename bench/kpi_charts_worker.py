"""One mode of the KPI-chart benchmark in its own process (run by bench/kpi_charts.py).

    QT_QPA_PLATFORM=offscreen:configfile=tests/fixtures/screens_3x2.json \
        .venv/bin/python -m bench.kpi_charts_worker CONFIG.json RESULT.json

CONFIG: {"mode": "console" | "ceiling" | "pyqtgraph-widgets", "charts": 24, "points": 100000, "rate": 10,
"warmup": 5, "duration": 30, "ceiling_rate": 10, "what_if": [], "profile": false, "screenshot": ""}.
The result (figures; bench/kpi_charts.py defines them) is written to RESULT as JSON. Nothing in the project is edited: the console's classes are
observed by subclassing (WallView) and by wrapping the methods of the one ChartCache instance.
"""

from __future__ import annotations

import bisect
import cProfile
import io
import json
import math
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

DEMO_SITE = ROOT / "resources" / "sites" / "demo.toml"
UNIT = "P"
RANGE = "6h"
perf = time.perf_counter


# ------------------------------------------------------------------------------------------------ recorder


class Recorder:
    """Time stamps (perf_counter seconds) of everything the GUI thread does that the figures need."""

    def __init__(self) -> None:
        self.busy: list[tuple[float, float]] = []  # every top-level event delivery on the GUI thread
        self.anchors: list[tuple[float, float]] = []  # tick starts: (perf time, GUI thread CPU time)
        self.paints: list[tuple[float, float, int]] = []  # paintEvent (start, end, charts blitted in it)
        self.updates: list[tuple[float, float]] = []  # top-level UpdateRequest: paint + backing-store flush
        self.refreshes: list[tuple[float, float, int]] = []  # CHARTS.refresh passes that ran: (start, end, drawn)
        self.ticks: list[tuple[float, float]] = []  # WallView._tick (all views; includes the refresh pass)
        self.ingests: list[tuple[float, float]] = []  # bus.publish(SamplesReceived) + what subscribers did
        self.draws: dict[str, list[tuple[float, float, int]]] = defaultdict(list)  # chart redraws per indicator
        self.shown: dict[str, list[tuple[float, int]]] = defaultdict(list)  # (paint end, serial) per indicator
        self.pubs: list[float] = []  # publish moments of the sample batches
        self._in_paint: list[tuple[str, int]] | None = None

    def anchor(self) -> None:
        self.anchors.append((perf(), time.thread_time()))

    def begin_paint(self) -> None:
        self._in_paint = []

    def chart_blitted(self, indicator: str, serial: int) -> None:
        if self._in_paint is not None:
            self._in_paint.append((indicator, serial))

    def end_paint(self, t0: float, t1: float) -> None:
        blitted = self._in_paint or []
        self._in_paint = None
        self.paints.append((t0, t1, len(blitted)))
        for ind, serial in blitted:
            self.shown[ind].append((t1, serial))


REC = Recorder()


class BenchApp(QApplication):
    """Times every event the GUI thread handles (timers, posted events, paint requests, queued calls): what
    happens outside these deliveries is the event loop waiting (and its own bookkeeping)."""

    depth = 0

    def notify(self, receiver, event) -> bool:  # noqa: ANN001
        if BenchApp.depth:
            return super().notify(receiver, event)
        BenchApp.depth = 1
        t0 = perf()
        try:
            return super().notify(receiver, event)
        finally:
            REC.busy.append((t0, perf()))
            BenchApp.depth = 0


class Poster(QObject):
    """Bus.post onto the Qt loop (a queued signal), for publishes from other threads; the benchmark publishes
    from the GUI thread like a connector's callback on the loop, so delivery is immediate."""

    sig = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.sig.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, fn) -> None:  # noqa: ANN001
        fn()


# ------------------------------------------------------------------------------------------------ data


def placement(charts: int) -> tuple[int, int, list[int]]:
    """Grid rows, cols and the tile index of each chart. 24 or fewer: the 4x6 grid (2x2 tiles of 960x540 per
    display), charts spread evenly over it; more: a finer grid of the same shape."""
    rows, cols = 4, 6
    while rows * cols < charts:
        if cols * 2 // 3 <= rows:
            cols += 3
        else:
            rows += 2
    tiles = rows * cols
    return rows, cols, sorted({int(j * tiles / charts) for j in range(charts)})


def make_indicators(n: int):
    from console.model.kpi import Indicator

    out = []
    for i in range(n):
        base = 40.0 + 3 * (i % 10)
        out.append(Indicator(f"k{i}", f"Chỉ số {i}", name_en=f"Indicator {i}", unit_label="u", domain="bench",
                             target=base - 10, warning=base + 25, critical=base + 40, decimals=1, period="live",
                             stale_after_s=600.0))
    return out


class Walk:
    """Deterministic random walks per indicator: the preloaded history and the live samples."""

    def __init__(self, indicators, points: int, start: float) -> None:
        self.rng = np.random.default_rng(1234)
        self.inds = indicators
        self.history: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.last_t: dict[str, float] = {}
        self.last_v: dict[str, float] = {}
        for ind in indicators:
            t = start - 0.1 * np.arange(points - 1, -1, -1, dtype=np.float64)
            steps = self.rng.normal(0.0, 0.08, points)
            v = ind.warning - 25 + np.cumsum(steps) - np.linspace(0, np.sum(steps), points)  # ends where it starts
            v += 6 * np.sin(np.arange(points) / 3000.0)
            self.history[ind.id] = (t, v)
            self.last_t[ind.id] = float(t[-1])
            self.last_v[ind.id] = float(v[-1])

    def next_batch(self):
        from console.model.kpi import KpiSample

        out = []
        steps = self.rng.normal(0.0, 0.08, len(self.inds))
        for ind, step in zip(self.inds, steps, strict=True):
            t = self.last_t[ind.id] + 0.1
            v = self.last_v[ind.id] + float(step)
            self.last_t[ind.id], self.last_v[ind.id] = t, v
            out.append(KpiSample(ind.id, UNIT, t, v))
        return tuple(out)


def preload(book, walk: Walk) -> None:
    """History straight into the book's series (a backfill; the live path is measured, not this)."""
    from console.kpi.book import Series

    for ind_id, (t, v) in walk.history.items():
        s = Series(book.max_points)
        s._grow(len(t))
        s._t[: len(t)] = t
        s._v[: len(v)] = v
        s.n = len(t)
        book._series[(ind_id, UNIT)] = s
        book.versions[ind_id] = book.versions.get(ind_id, 0) + 1


# ------------------------------------------------------------------------------------------------ what-ifs

WHAT_IFS = {
    "pixel-interval": "a chart redraws at most once per pixel column of time (range / chart width: ~23 s for 6 h on "
                      "930 px) instead of every 0.1 s",
    "thin-pen": "the curve drawn with a 2 px pen instead of the width KpiChart._style gives it (unit_px-based)",
    "parse-cache": "KpiRef.parse memoised (the views parse every tile's reference on every 20 ms tick)",
    "no-axes": "axes and grid hidden: sizes what drawing them costs in each redraw (not a proposal; a cached axes "
               "layer, redrawn only when the ticks or the y range change, would save most of it)",
    "one-pass": "CHARTS.refresh passes at least 19 ms apart (one per 20 ms round of the six views' timers) "
                "instead of 10 ms",
}


def apply_what_ifs(names: list[str]) -> None:
    """Patch the product in this process only, to size a suggested change; never used for the plain modes."""
    import functools

    import pyqtgraph as pg

    import widgets.kpi_chart as kc
    from console.model.kpi import KpiRef

    for name in names:
        if name not in WHAT_IFS:
            raise SystemExit(f"unknown what-if {name!r} (known: {', '.join(WHAT_IFS)})")
    if "pixel-interval" in names:
        kc.MIN_INTERVAL_S = 6 * 3600 / 930
    if "thin-pen" in names:
        orig_style = kc.KpiChart._style

        def _style(self, w, h, unit_px):  # noqa: ANN001
            orig_style(self, w, h, unit_px)
            self.curve.setPen(pg.mkPen(kc.LINE, width=2.0))

        kc.KpiChart._style = _style
    if "parse-cache" in names:
        parse = functools.lru_cache(maxsize=1024)(KpiRef.parse.__func__.__get__(KpiRef))
        KpiRef.parse = staticmethod(parse)
    if "no-axes" in names:
        orig_init = kc.KpiChart.__init__

        def __init__(self, indicator):  # noqa: ANN001, N807
            orig_init(self, indicator)
            self.plot.hideAxis("left")
            self.plot.hideAxis("bottom")
            self.plot.showGrid(x=False, y=False)

        kc.KpiChart.__init__ = __init__
    if "one-pass" in names:
        orig = kc.ChartCache.refresh

        def refresh(self, budget_s: float = kc.BUDGET_S) -> int:  # noqa: ANN001
            if time.monotonic() - self._last_pass < 0.019:
                return 0
            return orig(self, budget_s)

        kc.ChartCache.refresh = refresh


# ------------------------------------------------------------------------------------------------ console


def build_console(cfg: dict, tmp: Path) -> dict:
    import console.qt.wall as wall_mod
    from connectors.registry import discover
    from console.bus import Bus
    from console.commands import AssignSource
    from console.kpi.service import KpiService
    from console.media.hub import MediaHub
    from console.messages import SamplesReceived
    from console.model.kpi import UnitTree
    from console.model.sources import AdminUnit
    from console.persistence import Database
    from console.site import load_site
    from console.store import Store
    from layouts.grid import grid
    from widgets.kpi_chart import CHARTS
    from widgets.wall_view import WallView

    apply_what_ifs(cfg.get("what_if", []))
    registry = discover()
    site = load_site(DEMO_SITE, registry.types, registry.broken)
    rows, cols, tiles = placement(cfg["charts"])
    layout = grid(f"bench{rows * cols}", rows, cols)
    poster = Poster()
    bus = Bus(post=poster.sig.emit)
    db = Database(tmp / "bench.db")
    store = Store(bus, db, {**site.layouts, layout.name: layout}, layout.name)
    indicators = make_indicators(cfg["charts"])
    units = UnitTree([AdminUnit(UNIT, "Tỉnh P", "province")])
    kpi = KpiService(bus, store, indicators, units)
    kpi.publish_sources()
    walk = Walk(indicators, cfg["points"], time.time() - 0.1)
    preload(kpi.book, walk)
    for ind, tile in zip(indicators, tiles, strict=True):
        res = store.execute(AssignSource(tile=tile + 1, source=f"kpi/{ind.id}?view=chart&range={RANGE}"), "bench",
                            "bench")
        assert res.ok, res.error

    class TimedWallView(WallView):
        def _tick(self) -> None:
            t0 = perf()
            super()._tick()
            REC.ticks.append((t0, perf()))

        def paintEvent(self, event) -> None:  # noqa: N802, ANN001
            REC.begin_paint()
            t0 = perf()
            super().paintEvent(event)
            REC.end_paint(t0, perf())

        def event(self, event) -> bool:  # noqa: ANN001
            if event.type() == QEvent.Type.UpdateRequest:
                t0 = perf()
                r = super().event(event)
                REC.updates.append((t0, perf()))
                return r
            return super().event(event)

    # Instrument the one chart cache the views and painters share (instance attributes shadow its methods).
    orig_refresh, orig_draw, orig_image = CHARTS.refresh, CHARTS._draw, CHARTS.image

    def refresh(*a, **kw):  # noqa: ANN002, ANN003
        before = CHARTS._last_pass
        th0 = time.thread_time()
        t0 = perf()
        n = orig_refresh(*a, **kw)
        if CHARTS._last_pass != before:  # a pass that ran (closer than 10 ms to the last one: skipped)
            REC.refreshes.append((t0, perf(), n))
            REC.anchors.append((t0, th0))  # the console's tick: a refresh pass, then the paints it causes
        return n

    def draw(key, entry):  # noqa: ANN001
        t0 = perf()
        orig_draw(key, entry)
        REC.draws[key[1]].append((t0, perf(), entry.serial))

    def image(book, ref, *a, **kw):  # noqa: ANN001, ANN002, ANN003
        img, serial = orig_image(book, ref, *a, **kw)
        REC.chart_blitted(ref.indicator, serial)
        return img, serial

    CHARTS.refresh, CHARTS._draw, CHARTS.image = refresh, draw, image

    # The displays' windows, made the way the console makes them.
    wall_mod.WallView = TimedWallView
    media = MediaHub()
    manager = wall_mod.WallManager(site, store, media, lambda _i: None)
    manager.open()
    assert manager.mode == "screens" and len(manager.windows) == 6, (manager.mode, list(manager.windows))
    views = [manager.windows[name] for name in sorted(manager.windows)]

    def publish() -> None:
        batch = walk.next_batch()
        t0 = perf()
        REC.pubs.append(t0)
        bus.publish(SamplesReceived("bench", batch))
        REC.ingests.append((t0, perf()))

    # ceiling: no samples; each chart tile is marked for repaint `ceiling_rate` times a second (staggered over the
    # 20 ms ticks, with the same update(rect) the views use): the paint cost with every chart image already drawn.
    owner = {}
    for tile in tiles:
        for v in views:
            r = v._tile_device_rect(tile)
            if r.intersects(v.rect().toRectF()):
                owner[tile] = v
    period = 1.0 / max(0.01, float(cfg.get("ceiling_rate") or 10.0))
    due = {tile: time.monotonic() + period * k / len(tiles) for k, tile in enumerate(tiles)}

    def poke() -> None:
        t0 = perf()
        now = time.monotonic()
        for tile in tiles:
            if due[tile] <= now:
                # next slot of this tile's own phase (slots missed while the loop was busy are skipped, the
                # stagger is kept: tiles do not fall into step)
                due[tile] += period * (1 + math.floor((now - due[tile]) / period))
                v = owner[tile]
                v.update(v._tile_device_rect(tile).toAlignedRect())
        REC.ingests.append((t0, perf()))

    def redraws() -> int:
        return CHARTS.redraws

    def close() -> None:
        manager.close()
        media.stop() if hasattr(media, "stop") else None
        db.stop()

    return {"publish": publish, "poke": poke, "redraws": redraws, "close": close, "views": views,
            "indicators": indicators, "keep": (poster, bus, store, kpi, manager)}


# ------------------------------------------------------------------------------------------------ peer


def build_pyqtgraph(cfg: dict, tmp: Path) -> dict:
    """24 pg.PlotWidgets on six full-screen windows, each at its tile's place and size, fed the same samples."""
    import pyqtgraph as pg
    from PySide6.QtGui import QGuiApplication

    from connectors.registry import discover
    from console.bus import Bus
    from console.kpi.book import KpiBook
    from console.messages import SamplesReceived
    from console.model.kpi import RANGES, UnitTree
    from console.model.sources import AdminUnit
    from console.site import display_names, load_site
    from layouts.grid import grid
    from widgets.kpi_chart import CRITICAL, GRID_BG, LINE, TARGET, WARNING

    # pyqtgraph's defaults (no antialiasing): the console's curve is drawn with them too (PlotCurveItem sets
    # the painter's antialias hint from its own option, which defaults to off), so both draw the same lines.
    registry = discover()
    site = load_site(DEMO_SITE, registry.types, registry.broken)
    geometry = site.wall.geometry()
    rows, cols, tiles = placement(cfg["charts"])
    layout = grid("peer", rows, cols)
    poster = Poster()
    bus = Bus(post=poster.sig.emit)
    indicators = make_indicators(cfg["charts"])
    units = UnitTree([AdminUnit(UNIT, "Tỉnh P", "province")])
    book = KpiBook(indicators, units)
    walk = Walk(indicators, cfg["points"], time.time() - 0.1)
    preload(book, walk)
    range_s = float(RANGES[RANGE])

    class Window(QWidget):
        def event(self, event) -> bool:  # noqa: ANN001
            if event.type() == QEvent.Type.UpdateRequest:
                t0 = perf()
                r = super().event(event)
                REC.updates.append((t0, perf()))
                return r
            return super().event(event)

    class Plot(pg.PlotWidget):
        ind_id = ""

        def paintEvent(self, ev) -> None:  # noqa: N802, ANN001  (the viewport's paint events arrive here)
            t0 = perf()
            super().paintEvent(ev)
            t1 = perf()
            REC.paints.append((t0, t1, 1))
            REC.shown[self.ind_id].append((t1, self.serial))

    screens = {s.name(): s for s in QGuiApplication.screens()}
    names = display_names(site.wall.rows, site.wall.cols)
    windows: dict[str, Window] = {}
    for name, screen_name in zip(names, site.wall.screens, strict=True):
        win = Window()
        win.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        win.setAutoFillBackground(True)
        pal = win.palette()
        pal.setColor(win.backgroundRole(), GRID_BG)
        win.setPalette(pal)
        screen = screens[screen_name]
        win.setScreen(screen)
        win.setGeometry(screen.geometry())
        windows[name] = win
    plots = {}
    for ind, tile in zip(indicators, tiles, strict=True):
        r = geometry.tile_rect(layout, tile)
        disp = next(d for d in geometry.displays
                    if d.rect.x <= r.x + 1 and r.x + r.w <= d.rect.right + 1 and d.rect.y <= r.y + 1
                    and r.y + r.h <= d.rect.bottom + 1)
        pw = Plot(windows[disp.name], background=GRID_BG, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        pw.ind_id = ind.id
        pw.serial = 0
        pw.setGeometry(int(r.x - disp.rect.x), int(r.y - disp.rect.y), int(r.w), int(r.h))
        pw.showGrid(x=True, y=True, alpha=0.15)
        pw.setMenuEnabled(False)
        pw.hideButtons()
        t, v = book.series(ind.id, UNIT).times, book.series(ind.id, UNIT).values
        curve = pw.plot(t, v, pen=pg.mkPen(LINE, width=2))
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        for value, color in ((ind.target, TARGET), (ind.warning, WARNING), (ind.critical, CRITICAL)):
            line = pg.InfiniteLine(pos=value, angle=0, movable=False,
                                   pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))
            pw.addItem(line)
        now = time.time()
        pw.setXRange(now - range_s, now, padding=0)
        plots[ind.id] = (pw, curve)
    for win in windows.values():
        win.showFullScreen()

    def on_samples(msg: SamplesReceived) -> None:
        problems, _events = book.ingest(msg.samples)
        assert not problems, problems[:3]
        now = time.time()
        for ind_id in {s.indicator for s in msg.samples}:
            pw, curve = plots[ind_id]
            s = book.series(ind_id, UNIT)
            t0 = perf()
            curve.setData(s.times, s.values)
            pw.setXRange(now - range_s, now, padding=0)
            pw.serial += 1
            REC.draws[ind_id].append((t0, perf(), pw.serial))

    bus.subscribe(SamplesReceived, on_samples)

    def publish() -> None:
        REC.anchor()  # the only thing that makes these charts repaint: the sample batch is the tick
        batch = walk.next_batch()
        t0 = perf()
        REC.pubs.append(t0)
        bus.publish(SamplesReceived("bench", batch))
        REC.ingests.append((t0, perf()))

    def redraws() -> int:
        return len(REC.paints)

    def close() -> None:
        for win in windows.values():
            win.close()

    return {"publish": publish, "poke": None, "redraws": redraws, "close": close, "views": list(windows.values()),
            "indicators": indicators, "keep": (poster, bus, book, windows, plots)}


# ------------------------------------------------------------------------------------------------ figures


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def dist(values: list[float], scale: float = 1000.0) -> dict:
    vals = [v * scale for v in values]
    return {"n": len(vals), "p50": pct(vals, 0.5), "p95": pct(vals, 0.95), "p99": pct(vals, 0.99),
            "max": max(vals) if vals else None, "mean": statistics.fmean(vals) if vals else None}


class BusyIndex:
    """Time the GUI thread spent handling events within [a, b) (the intervals are disjoint, sorted)."""

    def __init__(self, busy: list[tuple[float, float]]) -> None:
        self.starts = [s for s, _ in busy]
        self.ends = [e for _, e in busy]
        self.cum = [0.0]
        for s, e in busy:
            self.cum.append(self.cum[-1] + (e - s))

    def within(self, a: float, b: float) -> float:
        i = bisect.bisect_left(self.ends, a)  # first interval ending after a
        j = bisect.bisect_left(self.starts, b)  # intervals starting before b
        if j <= i:
            return 0.0
        total = self.cum[j] - self.cum[i]
        total -= max(0.0, a - self.starts[i])  # clip the first
        total -= max(0.0, self.ends[j - 1] - b)  # clip the last
        return max(0.0, total)


def figures(cfg: dict, t_start: float, t_end: float, cpu: float, thread_cpu: float, machine: float | None,
            redraws: int, batches: int) -> dict:
    dur = t_end - t_start
    within = lambda rows: [r for r in rows if t_start <= r[0] < t_end]  # noqa: E731
    busy = BusyIndex(REC.busy)
    anchors = [a for a in REC.anchors if t_start <= a[0] <= t_end]
    paint_starts = sorted(p[0] for p in within(REC.paints))
    frames, frames_cpu, frame_paints, spans, all_ticks = [], [], [], [], []
    update_ends = sorted(u[1] for u in REC.updates)
    for (a, ca), (b, cb) in zip(anchors, anchors[1:], strict=False):
        n = bisect.bisect_left(paint_starts, b) - bisect.bisect_left(paint_starts, a)
        all_ticks.append(busy.within(a, b))
        if n == 0:
            continue
        frames.append(busy.within(a, b))
        frames_cpu.append(cb - ca)
        frame_paints.append(n)
        k = bisect.bisect_left(update_ends, b) - 1
        if k >= 0 and update_ends[k] >= a:
            spans.append(update_ends[k] - a)
    # Bursts: runs of event deliveries with less than 1 ms between them (the loop never waited), that painted.
    bursts = []
    cur = None
    for s0, s1 in (b for b in REC.busy if t_start <= b[0] < t_end):
        if cur is not None and s0 - cur[1] < 0.001:
            cur = [cur[0], s1, cur[2] + (s1 - s0)]
        else:
            if cur is not None:
                bursts.append(cur)
            cur = [s0, s1, s1 - s0]
    if cur is not None:
        bursts.append(cur)
    painted_bursts = []
    for b0, b1, work in bursts:
        k = bisect.bisect_left(paint_starts, b0)
        if k < len(paint_starts) and paint_starts[k] < b1:
            painted_bursts.append(work)
    paints = within(REC.paints)
    refreshes = within(REC.refreshes)
    draws = [d for rows in REC.draws.values() for d in rows if t_start <= d[0] < t_end]
    n = cfg["charts"]
    # sample -> screen: a batch published at tp; the first redraw of its chart that started after the publish
    # returned, then the first paint that blitted that redraw (serial) or a later one.
    lat: list[float] = []
    unshown = 0
    pubs = [p for p in REC.pubs if t_start <= p < t_end - 2.0]
    ingest_end = {s: e for s, e in REC.ingests}
    for ind in cfg["indicator_ids"]:
        dr = REC.draws.get(ind, [])
        dstarts = [d[0] for d in dr]
        sh = REC.shown.get(ind, [])
        for tp in pubs:
            te = ingest_end.get(tp, tp)
            i = bisect.bisect_left(dstarts, te)
            if i >= len(dr):
                unshown += 1
                continue
            d0, d1, serial = dr[i]
            hit = next((t for t, s in sh if s >= serial and t >= d1), None)
            if hit is None:
                unshown += 1
                continue
            lat.append(hit - tp)
    out = {
        "mode": cfg["mode"], "charts": n, "points": cfg["points"], "rate": cfg["rate"], "duration_s": dur,
        "frames": len(frames), "frames_per_s": len(frames) / dur,
        "ticks_per_s": max(0, len(anchors) - 1) / dur,
        "frame_ms": dist(frames), "tick_busy_ms": dist(all_ticks), "burst_ms": dist(painted_bursts),
        "ceiling_rate": cfg.get("ceiling_rate") if cfg["mode"] == "ceiling" else None, "frame_cpu_ms": dist(frames_cpu), "frame_span_ms": dist(spans),
        "paints_per_frame_p50": pct(frame_paints, 0.5),
        "paint_ms": dist([p[1] - p[0] for p in paints]), "paints_per_s": len(paints) / dur,
        "update_ms": dist([u[1] - u[0] for u in within(REC.updates)]),
        "refresh_ms": dist([r[1] - r[0] for r in refreshes]), "refresh_passes_per_s": len(refreshes) / dur,
        "refresh_drawn_p50": pct([r[2] for r in refreshes if r[2]], 0.5),
        "draw_ms": dist([d[1] - d[0] for d in draws]),
        "tick_ms": dist([t[1] - t[0] for t in within(REC.ticks)]),
        "ingest_ms": dist([t[1] - t[0] for t in within(REC.ingests)]),
        "redraws_per_s": redraws / dur, "redraws_per_s_per_chart": redraws / dur / n,
        "chart_blits_per_s_per_chart": sum(p[2] for p in paints) / dur / n,
        "batches_per_s": batches / dur,
        "cpu_pct": 100 * cpu / dur, "gui_thread_cpu_pct": 100 * thread_cpu / dur,
        "gui_busy_pct": 100 * busy.within(t_start, t_end) / dur,
        "machine_busy_pct": machine,
        "latency_ms": dist(lat), "latency_unshown": unshown, "latency_samples": len(lat) + unshown,
        "rss_mib": psutil.Process().memory_info().rss / 2**20,
    }
    if machine is not None:
        out["others_pct"] = max(0.0, machine * (os.cpu_count() or 1) - out["cpu_pct"])
    return out


def machine_busy() -> tuple[int, int] | None:
    try:
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        idle = vals[3] + vals[4]
        return sum(vals) - idle, sum(vals)
    except OSError:
        return None


# ------------------------------------------------------------------------------------------------ main


def run(cfg: dict) -> dict:
    from bench.kpi_charts import product_digest

    digest = product_digest()
    app = BenchApp(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    t_build = perf()
    built = build_pyqtgraph(cfg, tmp) if cfg["mode"] == "pyqtgraph-widgets" else build_console(cfg, tmp)
    cfg["indicator_ids"] = [i.id for i in built["indicators"]]
    build_s = perf() - t_build
    proc = psutil.Process()
    marks: dict = {"batches": 0}
    timers = []
    if cfg["mode"] in ("console", "pyqtgraph-widgets"):
        feed = QTimer()
        feed.setTimerType(Qt.TimerType.PreciseTimer)
        feed.setInterval(round(1000 / cfg["rate"]))

        def on_feed() -> None:
            marks["batches"] += 1
            built["publish"]()

        feed.timeout.connect(on_feed)
        feed.start()
        timers.append(feed)
    else:
        poke = QTimer()
        poke.setInterval(20)
        poke.timeout.connect(built["poke"])
        poke.start()
        timers.append(poke)
    prof = cProfile.Profile() if cfg.get("profile") else None

    def start() -> None:
        c = proc.cpu_times()
        marks.update(t0=perf(), cpu0=c.user + c.system, th0=time.thread_time(), m0=machine_busy(),
                     r0=built["redraws"](), b0=marks["batches"])
        if prof:
            prof.enable()

    def stop() -> None:
        if prof:
            prof.disable()
        c = proc.cpu_times()
        marks.update(t1=perf(), cpu1=c.user + c.system, th1=time.thread_time(), m1=machine_busy(),
                     r1=built["redraws"](), b1=marks["batches"])
        for t in timers:
            t.stop()
        if cfg.get("screenshot"):
            # Evidence of what was on the wall: D11's window as painted (grab() repaints it once more).
            built["views"][0].grab().save(cfg["screenshot"])
        app.quit()

    QTimer.singleShot(int(cfg["warmup"] * 1000), start)
    QTimer.singleShot(int((cfg["warmup"] + cfg["duration"]) * 1000), stop)
    app.exec()
    m0, m1 = marks["m0"], marks["m1"]
    machine = 100 * (m1[0] - m0[0]) / (m1[1] - m0[1]) if m0 and m1 and m1[1] > m0[1] else None
    out = figures(cfg, marks["t0"], marks["t1"], marks["cpu1"] - marks["cpu0"], marks["th1"] - marks["th0"],
                  machine, marks["r1"] - marks["r0"], marks["b1"] - marks["b0"])
    out["build_s"] = build_s
    out["product_sources"] = digest
    out["what_if"] = cfg.get("what_if", [])
    if prof:
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf)
        st.sort_stats("tottime").print_stats(30)
        st.sort_stats("cumulative").print_stats(45)
        out["profile"] = buf.getvalue()
        if cfg.get("profile_out"):
            prof.dump_stats(cfg["profile_out"])
    built["close"]()
    return out


def main() -> int:
    cfg = json.loads(Path(sys.argv[1]).read_text())
    out = run(cfg)
    Path(sys.argv[2]).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
