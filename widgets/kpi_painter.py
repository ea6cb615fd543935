"""Paints KPI tiles: card, live chart, ranking bars and table, each with its "as of" and freshness.

What a tile shows is its reference (``kpi/aqi?unit=w-hoalu&view=bars``). The breadcrumb and the
bars are click targets: the painter records where they are, and the view turns a click into a
``ShowKpi`` command, so drilling is a change of the wall's state like any other. Thread: GUI thread.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from console.kpi.book import KpiBook, Reading
from console.model.kpi import Indicator, KpiRef, KpiRefError, Status, UnitTree
from console.model.sources import Quality
from widgets.kpi_chart import CHARTS
from widgets.tile_painter import (
    MUTED,
    STATUS,
    TEXT,
    TileContext,
    _caption,
    _font,
    _paint_message,
    _unit_px,
)

UNAVAILABLE = QColor(120, 128, 140)
GOOD_NEWS = QColor(46, 184, 114)
BAD_NEWS = QColor(230, 64, 64)


@dataclass(frozen=True)
class Hit:
    """A click target on a KPI tile: a breadcrumb or a unit's bar (its unit), or a view switch."""

    rect: QRectF
    unit: str = ""
    view: str = ""


def english() -> bool:
    return QLocale().language() == QLocale.Language.English


def format_value(ind: Indicator, value: float, signed: bool = False) -> str:
    """Vietnamese digits: dot for thousands, comma for decimals; the indicator's own precision."""
    if math.isnan(value):
        return "–"
    text = f"{abs(value):,.{ind.decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    return sign + text


def status_color(status: Status) -> QColor:
    return STATUS.get(status.value, TEXT)


def _ref(text: str) -> KpiRef | None:
    try:
        return KpiRef.parse(text)
    except KpiRefError:
        return None


def paint_kpi_tile(p: QPainter, r: QRectF, index: int, ref_text: str, ctx: TileContext) -> None:
    store = ctx.store
    book, units = store.kpi_book, store.kpi_units
    ref = _ref(ref_text)
    hits: list[Hit] = []
    ctx.hits[index] = hits
    if book is None or units is None or ref is None or ref.indicator not in book.indicators:
        _paint_message(p, r, QCoreApplication.translate("KpiPainter", "Indicator not available"), ref_text)
        return
    ind = book.indicators[ref.indicator]
    unit = ref.unit or units.default_scope()
    u = _unit_px(r)
    title = ind.display_name("en" if english() else "vi")
    view_names = {"card": QCoreApplication.translate("KpiPainter", "card"), "chart": QCoreApplication.translate("KpiPainter", "chart"), "bars": QCoreApplication.translate("KpiPainter", "ranking"), "table": QCoreApplication.translate("KpiPainter", "table")}
    top = _caption(p, r, title, view_names.get(ref.view, ""))
    y = r.top() + top
    crumb_h = u * 1.35
    _breadcrumb(p, QRectF(r.left() + u * 0.5, y + u * 0.15, r.width() - u, crumb_h), units, unit, u, hits)
    y += crumb_h + u * 0.25
    foot_h = u * 1.3
    body = QRectF(r.left() + u * 0.6, y, r.width() - u * 1.2, r.bottom() - y - foot_h - u * 0.2)
    foot = QRectF(r.left() + u * 0.6, r.bottom() - foot_h - u * 0.1, r.width() - u * 1.2, foot_h)
    at = ctx.kpi_at
    now = at if at is not None else time.time()
    provider = store.kpi_providers.get(ref.indicator, "")
    health = store.health.get(provider) if provider else None
    down = health is not None and health.state in ("retrying", "failed")
    if ref.view == "card":
        reading = book.reading(ind.id, unit, at)
        newest = reading.time if reading else None
        _card(p, body, book, ind, ref, unit, reading, u, now, down, at)
    elif ref.view == "bars":
        newest = _bars(p, body, book, units, ind, unit, u, now, hits, at)
    elif ref.view == "table":
        newest = _table(p, body, book, units, ind, unit, u, now, hits, at)
    else:
        reading = book.reading(ind.id, unit, at)
        newest = reading.time if reading else None
        _chart(p, body, book, ref, unit, u, at)
    _footer(p, foot, ind, newest, now, u, down, health.state if health else "", provider)


def _breadcrumb(p: QPainter, r: QRectF, units: UnitTree, unit: str, u: float, hits: list[Hit]) -> None:
    p.setFont(_font(u * 0.8))
    fm = QFontMetricsF(p.font())
    x = r.left()
    path = units.path(unit) or [unit]
    for k, code in enumerate(path):
        last = k == len(path) - 1
        name = units.name(code)
        w = min(fm.horizontalAdvance(name), r.right() - x)
        if w <= 0:
            break
        box = QRectF(x, r.top(), w, r.height())
        p.setPen(TEXT if last else QColor(120, 180, 255))
        p.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fm.elidedText(name, Qt.TextElideMode.ElideRight, w))
        if not last:
            hits.append(Hit(box, unit=code))
            x += w
            p.setPen(MUTED)
            sep = "  ›  "
            p.drawText(QRectF(x, r.top(), fm.horizontalAdvance(sep), r.height()), Qt.AlignmentFlag.AlignVCenter, sep)
            x += fm.horizontalAdvance(sep)


def _footer(p: QPainter, r: QRectF, ind: Indicator, newest: float | None, now: float, u: float, down: bool,
            state: str, provider: str) -> None:
    p.setFont(_font(u * 0.75))
    if newest is None:
        text = QCoreApplication.translate("KpiPainter", "no values yet") if not down else QCoreApplication.translate("KpiPainter", "source unavailable (%1)").replace("%1", provider)
        p.setPen(STATUS["warning"] if down else MUTED)
        p.drawText(r, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        return
    stamp = time.strftime("%H:%M %d/%m/%Y" if ind.period != "live" else "%H:%M:%S %d/%m", time.localtime(newest))
    text = QCoreApplication.translate("KpiPainter", "as of %1").replace("%1", stamp)
    color = MUTED
    age = now - newest
    if down:
        text = QCoreApplication.translate("KpiPainter", "SOURCE UNAVAILABLE, last value kept") + " · " + text
        color = STATUS["warning"]
    elif age > ind.stale_after_s:
        text = QCoreApplication.translate("KpiPainter", "STALE, last value kept") + " · " + text + " (" + _age(age) + ")"
        color = STATUS["warning"]
    p.setPen(color)
    p.drawText(r, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
               QFontMetricsF(p.font()).elidedText(text, Qt.TextElideMode.ElideRight, r.width()))


def _age(seconds: float) -> str:
    if seconds < 3600:
        return QCoreApplication.translate("KpiPainter", "%n min ago").replace("%n", str(int(seconds // 60)))
    if seconds < 2 * 86400:
        return QCoreApplication.translate("KpiPainter", "%n h ago").replace("%n", str(int(seconds // 3600)))
    return QCoreApplication.translate("KpiPainter", "%n days ago").replace("%n", str(int(seconds // 86400)))


def _stale(ind: Indicator, reading: Reading | None, now: float) -> bool:
    return reading is not None and now - reading.time > ind.stale_after_s


def _card(p: QPainter, r: QRectF, book: KpiBook, ind: Indicator, ref: KpiRef, unit: str, reading: Reading | None,
          u: float, now: float, down: bool, at: float | None) -> None:
    if reading is None:
        _paint_message(p, r, QCoreApplication.translate("KpiPainter", "Source unavailable") if down else QCoreApplication.translate("KpiPainter", "Waiting for data"), "")
        return
    dim = down or _stale(ind, reading, now) or reading.quality == Quality.BAD
    color = UNAVAILABLE if dim else status_color(reading.status)
    p.fillRect(QRectF(r.left() - u * 0.6, r.top(), u * 0.35, r.height()), color)
    big = min(r.height() * 0.42, r.width() / 5.2)
    p.setFont(_font(big, bold=True))
    p.setPen(MUTED if dim else TEXT)
    number_h = big * 1.2
    number = QRectF(r.left() + u * 0.2, r.top(), r.width(), number_h)
    text = format_value(ind, reading.value)
    p.drawText(number, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    adv = QFontMetricsF(p.font()).horizontalAdvance(text)
    p.setFont(_font(big * 0.36))
    p.setPen(MUTED)
    p.drawText(number.adjusted(adv + u * 0.5, 0, 0, -big * 0.12),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, ind.unit_label)
    y = r.top() + number_h
    line_h = u * 1.2
    change = reading.change
    if change is not None:
        good = ind.better(change)
        arrow = "▲" if change > 0 else ("▼" if change < 0 else "■")
        pct = f" ({change / reading.previous * 100:+.1f}%)".replace(".", ",") if reading.previous else ""
        against = QCoreApplication.translate("KpiPainter", "vs previous period") if ind.period != "live" else QCoreApplication.translate("KpiPainter", "vs 1 h before")
        p.setFont(_font(u * 0.95, bold=True))
        p.setPen(MUTED if good is None else (GOOD_NEWS if good else BAD_NEWS))
        first = f"{arrow} {format_value(ind, change, signed=True)}{pct}"
        p.drawText(QRectF(r.left() + u * 0.2, y, r.width(), line_h), Qt.AlignmentFlag.AlignVCenter, first)
        adv = QFontMetricsF(p.font()).horizontalAdvance(first)
        p.setFont(_font(u * 0.8))
        p.setPen(MUTED)
        p.drawText(QRectF(r.left() + u * 0.7 + adv, y, r.width(), line_h), Qt.AlignmentFlag.AlignVCenter, against)
    y += line_h
    status_line = {Status.OK: QCoreApplication.translate("KpiPainter", "within limits"), Status.WARNING: QCoreApplication.translate("KpiPainter", "above warning threshold"),
                   Status.CRITICAL: QCoreApplication.translate("KpiPainter", "above critical threshold")}[reading.status]
    if ind.higher_is_better and reading.status != Status.OK:
        status_line = QCoreApplication.translate("KpiPainter", "below warning threshold") if reading.status == Status.WARNING else \
            QCoreApplication.translate("KpiPainter", "below critical threshold")
    limits = []
    if ind.target is not None:
        limits.append(QCoreApplication.translate("KpiPainter", "target %1").replace("%1", format_value(ind, ind.target)))
    if reading.rolled_up:
        limits.append(QCoreApplication.translate("KpiPainter", "total of %n units").replace("%n", str(reading.rolled_up)) if ind.rollup == "sum"
                      else QCoreApplication.translate("KpiPainter", "mean of %n units").replace("%n", str(reading.rolled_up)))
    p.setFont(_font(u * 0.8))
    p.setPen(status_color(reading.status) if not dim else MUTED)
    p.drawText(QRectF(r.left() + u * 0.2, y, r.width(), line_h), Qt.AlignmentFlag.AlignVCenter,
               " · ".join([status_line, *limits]))
    y += line_h + u * 0.3
    spark = QRectF(r.left() + u * 0.2, y, r.width() - u * 0.2, r.bottom() - y)
    series = book.series(ind.id, unit)
    if spark.height() > u * 1.2 and series is not None and series.n > 1:
        t1 = at if at is not None else now
        _, v = series.window(t1 - ref.range_s, t1)
        _sparkline(p, spark, v, color)


def _sparkline(p: QPainter, r: QRectF, v: np.ndarray, color: QColor) -> None:
    if len(v) < 2:
        return
    if len(v) > 2 * r.width():
        step = int(len(v) // r.width())
        v = v[: len(v) // step * step].reshape(-1, step).mean(axis=1)
    lo, hi = float(np.min(v)), float(np.max(v))
    span = (hi - lo) or 1.0
    xs = r.left() + r.width() * np.arange(len(v)) / (len(v) - 1)
    ys = r.bottom() - r.height() * (v - lo) / span
    path = QPainterPath(QPointF(float(xs[0]), float(ys[0])))
    for x, y in zip(xs[1:], ys[1:], strict=True):
        path.lineTo(float(x), float(y))
    p.setPen(QPen(color, max(1.5, r.height() / 28)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _scope_rows(book: KpiBook, units: UnitTree, ind: Indicator, unit: str,
                at: float | None) -> tuple[list[tuple[str, Reading | None]], bool]:
    """The units a ranking or table lists: the unit's children, or the unit itself when it has none."""
    rows = book.children_readings(ind.id, unit, at)
    if rows:
        return rows, True
    return [(unit, book.reading(ind.id, unit, at))], False


def _bars(p: QPainter, r: QRectF, book: KpiBook, units: UnitTree, ind: Indicator, unit: str, u: float,
          now: float, hits: list[Hit], at: float | None) -> float | None:
    rows, _children = _scope_rows(book, units, ind, unit, at)
    known = [(c, rd) for c, rd in rows if rd is not None]
    missing = [c for c, rd in rows if rd is None]
    # Worst first: the unit that needs attention is at the top.
    known.sort(key=lambda cr: cr[1].value, reverse=not ind.higher_is_better)  # type: ignore[union-attr]
    if not known:
        _paint_message(p, r, QCoreApplication.translate("KpiPainter", "Waiting for data"), "")
        return None
    limits = [x for x in (ind.warning, ind.critical, ind.target) if x is not None]
    top = max([rd.value for _, rd in known] + limits) or 1.0  # type: ignore[union-attr]
    n = len(known) + len(missing)
    row_h = min(u * 2.2, r.height() / max(1, n))
    label_w = min(r.width() * 0.34, u * 9)
    value_w = u * 4.2
    bar_w = r.width() - label_w - value_w - u * 0.6
    x0 = r.left() + label_w + u * 0.3
    p.setFont(_font(min(u * 0.9, row_h * 0.5)))
    fm = QFontMetricsF(p.font())
    y = r.top()
    for code, rd in known:
        assert rd is not None
        stale = _stale(ind, rd, now)
        color = UNAVAILABLE if stale else status_color(rd.status)
        row = QRectF(r.left(), y, r.width(), row_h)
        p.setPen(TEXT)
        p.drawText(QRectF(r.left(), y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fm.elidedText(units.name(code), Qt.TextElideMode.ElideRight, label_w))
        length = max(2.0, bar_w * max(0.0, rd.value) / top)
        p.fillRect(QRectF(x0, y + row_h * 0.18, length, row_h * 0.64), color)
        p.setPen(MUTED if stale else TEXT)
        p.drawText(QRectF(x0 + length + u * 0.3, y, value_w, row_h),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, format_value(ind, rd.value))
        hits.append(Hit(row, unit=code))
        y += row_h
    for code in missing:
        p.setPen(MUTED)
        p.drawText(QRectF(r.left(), y, r.width(), row_h), Qt.AlignmentFlag.AlignVCenter,
                   units.name(code) + " – " + QCoreApplication.translate("KpiPainter", "no values"))
        y += row_h
    # Threshold marks across the bars, so "over the limit" is visible without reading numbers.
    for value, color in ((ind.warning, STATUS["warning"]), (ind.critical, STATUS["critical"])):
        if value is None:
            continue
        x = x0 + bar_w * value / top
        p.setPen(QPen(color, max(1.5, u / 8), Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.top() + row_h * n))
    return max(rd.time for _, rd in known if rd is not None)


def _table(p: QPainter, r: QRectF, book: KpiBook, units: UnitTree, ind: Indicator, unit: str, u: float,
           now: float, hits: list[Hit], at: float | None) -> float | None:
    rows, children = _scope_rows(book, units, ind, unit, at)
    if children:
        rows = [(unit, book.reading(ind.id, unit, at)), *rows]
    row_h = min(u * 1.8, r.height() / max(2, len(rows) + 1))
    cols = [0.0, 0.42, 0.64, 0.84]  # unit, value, change, as of
    p.setFont(_font(min(u * 0.8, row_h * 0.5), bold=True))
    p.setPen(MUTED)
    heads = [QCoreApplication.translate("KpiPainter", "Unit"), ind.unit_label or QCoreApplication.translate("KpiPainter", "Value"), QCoreApplication.translate("KpiPainter", "Change"), QCoreApplication.translate("KpiPainter", "As of")]
    for k, head in enumerate(heads):
        p.drawText(QRectF(r.left() + r.width() * cols[k], r.top(), r.width() * 0.3, row_h),
                   Qt.AlignmentFlag.AlignVCenter, head)
    y = r.top() + row_h
    newest: float | None = None
    for k, (code, rd) in enumerate(rows):
        if y + row_h > r.bottom() + 1:
            break
        total = children and k == 0
        if k % 2 == 0:
            p.fillRect(QRectF(r.left(), y, r.width(), row_h), QColor(255, 255, 255, 10))
        p.setFont(_font(min(u * 0.85, row_h * 0.52), bold=total))
        fm = QFontMetricsF(p.font())
        p.setPen(TEXT)
        p.drawText(QRectF(r.left(), y, r.width() * 0.4, row_h), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(units.name(code), Qt.TextElideMode.ElideRight, r.width() * 0.4))
        if not total:
            hits.append(Hit(QRectF(r.left(), y, r.width(), row_h), unit=code))
        if rd is None:
            p.setPen(MUTED)
            p.drawText(QRectF(r.left() + r.width() * cols[1], y, r.width() * 0.5, row_h), Qt.AlignmentFlag.AlignVCenter,
                       QCoreApplication.translate("KpiPainter", "no values"))
            y += row_h
            continue
        newest = rd.time if newest is None else max(newest, rd.time)
        stale = _stale(ind, rd, now)
        p.setPen(UNAVAILABLE if stale else status_color(rd.status))
        p.drawText(QRectF(r.left() + r.width() * cols[1], y, r.width() * 0.2, row_h), Qt.AlignmentFlag.AlignVCenter,
                   "● " + format_value(ind, rd.value))
        change = rd.change
        if change is not None:
            good = ind.better(change)
            p.setPen(MUTED if good is None else (GOOD_NEWS if good else BAD_NEWS))
            p.drawText(QRectF(r.left() + r.width() * cols[2], y, r.width() * 0.2, row_h),
                       Qt.AlignmentFlag.AlignVCenter, format_value(ind, change, signed=True))
        p.setPen(STATUS["warning"] if stale else MUTED)
        stamp = time.strftime("%H:%M %d/%m", time.localtime(rd.time))
        p.drawText(QRectF(r.left() + r.width() * cols[3], y, r.width() * 0.16, row_h), Qt.AlignmentFlag.AlignVCenter,
                   stamp + (" ⚠" if stale else ""))
        y += row_h
    return newest


def _chart(p: QPainter, r: QRectF, book: KpiBook, ref: KpiRef, unit: str, u: float, at: float | None) -> None:
    if r.width() < 40 or r.height() < 30:
        return
    device = p.transform().mapRect(r)
    scale = max(device.width() / r.width(), 0.01)
    # Draw at canvas size (1:1 on the wall's displays); a scaled-down view shrinks the same image.
    w, h = int(r.width()), int(r.height())
    if scale > 1.5:
        w, h = int(device.width()), int(device.height())
    img, _serial = CHARTS.image(book, ref, unit, w, h, u * (w / r.width()), at)
    if scale == 1.0 and not p.transform().isScaling():
        # Drawn for this size: copy it 1:1 at a whole pixel (a fractional target would smooth-scale it).
        p.drawImage(QPointF(round(r.left()), round(r.top())), img)
    else:
        p.drawImage(r, img)
