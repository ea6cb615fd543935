"""Paints a meeting's agenda on a tile: the briefing's items, presenters and planned times, the
current item highlighted while the briefing runs. Thread: GUI thread."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from console.model.sources import Source
from widgets.tile_painter import MUTED, TEXT, TileContext, _caption, _font, _paint_message, _unit_px

CURRENT = QColor(40, 110, 200)
DONE = QColor(110, 118, 130)


def minutes_text(seconds: float) -> str:
    if seconds <= 0:
        return ""
    return QCoreApplication.translate("Agenda", "%1 min").replace("%1", str(max(1, round(seconds / 60))))


def paint_agenda(p: QPainter, r: QRectF, source: Source, ctx: TileContext) -> None:
    name = source.id.partition("/")[2]
    store = ctx.store
    briefing = store.briefings.get(name)
    if briefing is None:
        _paint_message(p, r, QCoreApplication.translate("Agenda", "Briefing not available"), source.id)
        return
    run = store.briefing_run if store.briefing_run and store.briefing_run.briefing == name else None
    u = _unit_px(r) * 1.1
    top = _caption(p, r, briefing.title, QCoreApplication.translate("Agenda", "Agenda"))
    if not briefing.scenes:
        _paint_message(p, r.adjusted(0, top, 0, 0), QCoreApplication.translate("Agenda", "No items yet"), "")
        return
    # Planned start of each item: from the run's start while it runs, else from now.
    start = run.started_at if run is not None else time.time()
    starts, t = [], start
    for scene in briefing.scenes:
        starts.append(t)
        t += scene.duration_s
    row_h = min(u * 2.4, (r.height() - top - u) / len(briefing.scenes))
    row_h = max(row_h, u * 1.4)
    y = r.top() + top + u * 0.5
    for n, scene in enumerate(briefing.scenes):
        if y + row_h > r.bottom() + 1:
            break
        row = QRectF(r.left() + u * 0.5, y, r.width() - u, row_h - u * 0.2)
        current = run is not None and n == run.index
        done = run is not None and n < run.index
        if current:
            p.fillRect(row, QColor(CURRENT.red(), CURRENT.green(), CURRENT.blue(), 90))
            p.fillRect(QRectF(row.left(), row.top(), u * 0.3, row.height()), CURRENT)
        color = DONE if done else TEXT
        size = min(u * 1.0, row.height() * 0.45)
        p.setFont(_font(size, bold=True))
        p.setPen(color)
        p.drawText(QRectF(row.left() + u * 0.6, row.top(), u * 1.6, row.height()), Qt.AlignmentFlag.AlignVCenter,
                   f"{n + 1}.")
        when = time.strftime("%H:%M", time.localtime(starts[n])) if scene.duration_s or n == 0 else ""
        right = "  ".join(x for x in (when, minutes_text(scene.duration_s)) if x)
        p.setFont(_font(size * 0.85))
        right_w = QFontMetricsF(p.font()).horizontalAdvance(right) + u * 0.5 if right else 0.0
        p.setPen(MUTED if not done else DONE)
        p.drawText(row.adjusted(0, 0, -u * 0.4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, right)
        text_left = row.left() + u * 2.4
        text_w = row.right() - text_left - right_w
        p.setFont(_font(size, bold=current))
        p.setPen(color)
        fm = QFontMetricsF(p.font())
        title = scene.title + ("  ✓" if done else "")
        has_presenter = bool(scene.presenter) and row.height() > size * 2.6
        title_box = QRectF(text_left, row.top(), text_w, row.height() * (0.58 if has_presenter else 1.0))
        p.drawText(title_box, Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(title, Qt.TextElideMode.ElideRight, max(0.0, text_w)))
        if has_presenter:
            p.setFont(_font(size * 0.72))
            p.setPen(MUTED if not done else DONE)
            p.drawText(QRectF(text_left, row.top() + row.height() * 0.55, text_w, row.height() * 0.4),
                       Qt.AlignmentFlag.AlignTop, scene.presenter)
        y += row_h
