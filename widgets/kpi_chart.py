"""KpiChart: a pyqtgraph time-series plot drawn into a tile, and the cache that spreads its redraws.

The wall is painted, not built from child widgets, so each chart lives in an offscreen
QGraphicsScene and is rendered to an image at the tile's canvas size. Every view of the wall
(each display window, the operator's miniature) blits that one image. Redraws happen when values
changed, at most ``MIN_INTERVAL_S`` apart per chart and within a time budget per pass, so 24 busy
charts cannot stall a frame. Thread: GUI thread.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from console.kpi.book import KpiBook
from console.model.kpi import Indicator, KpiRef

MIN_INTERVAL_S = 0.1  # a chart redraws at most 10 times a second
BUDGET_S = 0.008  # time one refresh pass may spend redrawing charts
EXPIRE_S = 10.0  # a chart nobody painted for this long is dropped

LINE = QColor(90, 170, 240)
TARGET = QColor(46, 184, 114)
WARNING = QColor(242, 178, 40)
CRITICAL = QColor(230, 64, 64)
AXIS = QColor(150, 160, 175)
GRID_BG = QColor(22, 27, 34)


class KpiChart:
    """One plot: the unit's series over the tile's time range, with target and threshold lines."""

    def __init__(self, indicator: Indicator) -> None:
        self.indicator = indicator
        # pyqtgraph works out ticks, pixel sizes and downsampling through the scene's view: a view that
        # is never shown, the size of the image, gives it those (without one the axes stay blank).
        self.view = pg.GraphicsView(background=GRID_BG)
        self.scene = self.view.scene()
        self.plot = pg.PlotItem(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.view.setCentralItem(self.plot)
        self.curve = self.plot.plot()
        # Large series stay smooth: only the visible time range is handed over, and pyqtgraph
        # reduces it to about two points per pixel column, keeping peaks.
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.lines: list[pg.InfiniteLine] = []
        for value, color in ((indicator.target, TARGET), (indicator.warning, WARNING),
                             (indicator.critical, CRITICAL)):
            if value is None:
                continue
            line = pg.InfiniteLine(pos=value, angle=0, movable=False)
            line.setPen(pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))
            self.plot.addItem(line)
            self.lines.append(line)
        self._style_key: tuple = ()
        # What the last drawing showed: the newest value, pixels per unit of value, seconds per pixel
        # column. A new value that would not move anything on screen waits (see ChartCache.refresh).
        self.drawn_last = math.nan
        self.px_per_value = 0.0
        self.s_per_px = 0.0

    def _style(self, w: int, h: int, unit_px: float) -> None:
        key = (w, h, round(unit_px))
        if key == self._style_key:
            return
        self._style_key = key
        font = QFont()
        font.setPixelSize(max(8, int(unit_px * 0.7)))
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setTickFont(font)
            axis.setPen(pg.mkPen(AXIS, width=max(1.0, unit_px / 12)))
            axis.setTextPen(pg.mkPen(AXIS))
        self.plot.getAxis("left").setWidth(int(unit_px * 3.2))
        self.plot.getAxis("bottom").setHeight(int(unit_px * 1.6))
        self.curve.setPen(pg.mkPen(LINE, width=max(2.0, unit_px / 12)))
        for line in self.lines:
            pen = QPen(line.pen)
            pen.setWidthF(max(1.5, unit_px / 10))
            line.setPen(pen)
        self.view.resize(w, h)
        self.view.setRange(QRectF(0, 0, w, h), padding=0)
        self.plot.setGeometry(QRectF(0, 0, w, h))

    def render(self, book: KpiBook, ref: KpiRef, unit: str, w: int, h: int, unit_px: float,
               now: float, at: float | None = None) -> QImage:
        self._style(w, h, unit_px)
        t1 = at if at is not None else now
        t0 = t1 - ref.range_s
        series = book.series(ref.indicator, unit)
        if series is not None and series.n:
            t, v = series.window(t0, t1)
            self.curve.setData(t, v, skipFiniteCheck=True)
            values = [x for x in (self.indicator.target, self.indicator.warning, self.indicator.critical)
                      if x is not None]
            if len(v):
                lo, hi = float(np.min(v)), float(np.max(v))
                # Keep the nearest threshold in sight, so the distance to it reads at a glance.
                near = [x for x in values if lo - (hi - lo + 1) <= x <= hi + (hi - lo + 1)]
                lo, hi = min([lo, *near]), max([hi, *near])
                pad = (hi - lo) * 0.08 or 1.0
                self.plot.setYRange(lo - pad, hi + pad, padding=0)
                self.drawn_last = float(v[-1])
                self.px_per_value = self.plot.vb.height() / (hi - lo + 2 * pad)
                self.s_per_px = (t1 - t0) / max(1.0, self.plot.vb.width())
        else:
            self.curve.setData([], [])
        self.plot.setXRange(t0, t1, padding=0)
        img = QImage(w, h, QImage.Format.Format_RGB32)
        img.fill(GRID_BG)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.scene.render(p, QRectF(0, 0, w, h), QRectF(0, 0, w, h))
        p.end()
        return img


@dataclass
class _Entry:
    chart: KpiChart
    book: KpiBook
    ref: KpiRef
    unit_px: float
    at: float | None = None  # a frozen briefing's "as of" time
    image: QImage | None = None
    version: int = -1  # the book's version of the indicator when the image was drawn
    drawn_at: float = 0.0
    wanted_at: float = 0.0
    serial: int = 0  # bumps on every redraw, so views know the tile changed


class ChartCache:
    """Charts by (book, tile reference, unit, size). Thread: GUI thread."""

    def __init__(self) -> None:
        self._entries: dict[tuple, _Entry] = {}
        self._last_pass = 0.0
        self.redraws = 0  # counted for the benchmark
        self.serials: dict[tuple, int] = {}  # (book, indicator, unit, range) -> redraws, for views' dirty checks

    def _key(self, book: KpiBook, ref: KpiRef, unit: str, w: int, h: int) -> tuple:
        return (id(book), ref.indicator, unit, ref.range, w, h)

    def image(self, book: KpiBook, ref: KpiRef, unit: str, w: int, h: int, unit_px: float,
              at: float | None = None) -> tuple[QImage, int]:
        """The chart's latest image and its serial; drawn now only the first time it is asked for."""
        key = self._key(book, ref, unit, w, h)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is None:
            ind = book.indicators[ref.indicator]
            entry = self._entries[key] = _Entry(KpiChart(ind), book, ref, unit_px, at)
        entry.wanted_at = now
        if entry.at != at or entry.unit_px != unit_px:
            entry.at, entry.unit_px = at, unit_px
            entry.image = None
        if entry.image is None:
            self._draw(key, entry)
        assert entry.image is not None
        return entry.image, entry.serial

    def serial(self, book: KpiBook, ref: KpiRef, unit: str) -> int:
        """How often this chart was drawn (at any size): a view repaints the tile when it changes."""
        return self.serials.get((id(book), ref.indicator, unit, ref.range), 0)

    def _draw(self, key: tuple, entry: _Entry) -> None:
        entry.version = entry.book.versions.get(key[1], 0)
        entry.image = entry.chart.render(entry.book, entry.ref, key[2], key[4], key[5], entry.unit_px, time.time(),
                                         entry.at)
        entry.drawn_at = time.monotonic()
        entry.serial += 1
        skey = key[:4]
        self.serials[skey] = self.serials.get(skey, 0) + 1
        self.redraws += 1

    @staticmethod
    def _visible_change(key: tuple, entry: _Entry, now: float) -> bool:
        """Whether new values would change the picture: the line's end moved a pixel or more, or time
        moved on by a pixel column. Over six hours a column is 20 s: a 10 Hz feed need not redraw ten
        times a second to look live."""
        chart = entry.chart
        if entry.at is not None:
            return False  # a frozen briefing's chart shows the past: new values change nothing
        if not chart.px_per_value or math.isnan(chart.drawn_last):
            return True
        if now - entry.drawn_at >= chart.s_per_px:
            return True
        series = entry.book.series(key[1], key[2])
        if series is None or not series.n:
            return True
        return abs(float(series.values[-1]) - chart.drawn_last) * chart.px_per_value >= 1.0

    def refresh(self, budget_s: float = BUDGET_S) -> int:
        """Redraw charts whose values changed, oldest first, until the budget is spent. Any view may
        call this every tick; passes closer than 10 ms are skipped. Returns how many were drawn."""
        now = time.monotonic()
        if now - self._last_pass < 0.01:
            return 0
        self._last_pass = now
        for key in [k for k, e in self._entries.items() if now - e.wanted_at > EXPIRE_S]:
            del self._entries[key]
        due = [(e.drawn_at, k) for k, e in self._entries.items()
               if now - e.drawn_at >= MIN_INTERVAL_S
               and e.version != e.book.versions.get(k[1], 0) and self._visible_change(k, e, now)]
        due.sort()
        drawn = 0
        start = time.perf_counter()
        for _, key in due:
            if drawn and time.perf_counter() - start > budget_s:
                break
            self._draw(key, self._entries[key])
            drawn += 1
        return drawn


CHARTS = ChartCache()
