"""The briefing pack: a PDF with one page per scene (picture, timing, speaker notes) for the minutes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from console.model.briefings import Briefing, Scene

DPI = 150
MARGIN_MM = 12.0
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans"]  # both carry every Vietnamese letter
INK = QColor(20, 24, 30)
MUTED = QColor(96, 104, 116)
ACCENT = QColor(28, 92, 170)
RULE = QColor(190, 196, 204)
FRAME = QColor(150, 156, 166)
NOTES_PT = (12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0)  # tried in turn until the notes fit
MIN_PICTURE_SHARE = 0.25  # of the body's height: long notes shrink the picture down to this, then the type


def _tr(text: str) -> str:
    return QCoreApplication.translate("BriefingPack", text)


def format_duration(seconds: float) -> str:
    """4:12, or 1:02:03 past an hour (whole seconds, rounded down)."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


def _font(pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


def _shown_text(rows: list[dict]) -> str:
    """When the scene was on the wall: each showing's start-end (a presenter may come back to a scene)."""
    parts = []
    total = 0.0
    for row in rows:
        start, end = row.get("start"), row.get("end")
        if start is None:
            continue
        if end is None:
            parts.append(f"{_clock(start)}–…")
            continue
        total += end - start
        parts.append(f"{_clock(start)}–{_clock(end)} ({format_duration(end - start)})")
    if not parts:
        return ""
    text = ", ".join(parts)
    if len(parts) > 1 and total:
        text += "; " + _tr("%1 in all").replace("%1", format_duration(total))
    return _tr("Shown: %1").replace("%1", text)


def _meta_line(scene: Scene, rows: list[dict]) -> str:
    parts = []
    if scene.presenter:
        parts.append(_tr("Presenter: %1").replace("%1", scene.presenter))
    planned = format_duration(scene.duration_s) if scene.duration_s else _tr("not set")
    parts.append(_tr("Planned: %1").replace("%1", planned))
    shown = _shown_text(rows)
    if shown:
        parts.append(shown)
    return "   ·   ".join(parts)


def _metrics(font: QFont, device: QPaintDevice) -> QFontMetricsF:
    # Measured on the PDF itself: the screen's resolution would give other line heights.
    return QFontMetricsF(font, device)


def _text_height(font: QFont, device: QPaintDevice, width: float, text: str) -> float:
    return _metrics(font, device).boundingRect(QRectF(0, 0, width, 1e6), int(Qt.TextFlag.TextWordWrap),
                                               text).height()


def _fit_rect(image: QImage, box: QRectF) -> QRectF:
    scale = min(box.width() / image.width(), box.height() / image.height())
    w, h = image.width() * scale, image.height() * scale
    return QRectF(box.center().x() - w / 2, box.top(), w, h)


def _paint_page(p: QPainter, page: QRectF, briefing: Briefing, index: int, image: QImage | None,
                rows: list[dict], footer_left: str) -> None:
    dev = p.device()
    scene = briefing.scenes[index]
    count = len(briefing.scenes)
    px = DPI / 72.0  # device pixels per point
    gap = 8 * px
    left, width = page.left(), page.width()

    # Header: briefing, scene, then who, plan and what really happened.
    y = page.top()
    p.setPen(MUTED)
    f = _font(12, bold=True)
    p.setFont(f)
    p.drawText(QRectF(left, y, width, _metrics(f, dev).height()), int(Qt.AlignmentFlag.AlignLeft), briefing.title)
    y += _metrics(f, dev).height() + 2 * px
    f = _font(20, bold=True)
    heading = (_tr("Scene %1 of %2: %3").replace("%1", str(index + 1)).replace("%2", str(count))
               .replace("%3", scene.title))
    h = _text_height(f, dev, width, heading)
    p.setPen(INK)
    p.setFont(f)
    p.drawText(QRectF(left, y, width, h), int(Qt.TextFlag.TextWordWrap), heading)
    y += h + 2 * px
    f = _font(10)
    meta = _meta_line(scene, rows)
    h = _text_height(f, dev, width, meta)
    p.setPen(MUTED)
    p.setFont(f)
    p.drawText(QRectF(left, y, width, h), int(Qt.TextFlag.TextWordWrap), meta)
    y += h + 4 * px
    p.setPen(QPen(RULE, 1.5 * px))
    p.drawLine(QPointF(left, y), QPointF(page.right(), y))
    body_top = y + gap

    # Footer first, so the body knows where it must stop.
    f = _font(9)
    fh = _metrics(f, dev).height()
    footer_top = page.bottom() - fh
    p.setPen(QPen(RULE, 1 * px))
    p.drawLine(QPointF(left, footer_top - 4 * px), QPointF(page.right(), footer_top - 4 * px))
    p.setPen(MUTED)
    p.setFont(f)
    footer = QRectF(left, footer_top, width, fh)
    p.drawText(footer, int(Qt.AlignmentFlag.AlignLeft), footer_left)
    p.drawText(footer, int(Qt.AlignmentFlag.AlignRight), f"{index + 1} / {count}")
    body_bottom = footer_top - 4 * px - gap
    body_h = body_bottom - body_top

    # Notes: as big as they fit under a picture of at least MIN_PICTURE_SHARE of the body.
    notes = scene.notes.strip()
    caption_font = _font(11, bold=True)
    caption_h = _metrics(caption_font, dev).height() + 2 * px
    notes_font = _font(NOTES_PT[0])
    notes_text = notes or _tr("No notes.")
    notes_h = _text_height(notes_font, dev, width, notes_text)
    room = body_h * (1 - MIN_PICTURE_SHARE) - gap - caption_h
    for pt in NOTES_PT:
        notes_font = _font(pt)
        notes_h = _text_height(notes_font, dev, width, notes_text)
        if notes_h <= room:
            break
    notes_h = min(notes_h, room)  # the smallest type still too long: clipped, never over the footer
    picture_h = body_h - gap - caption_h - notes_h
    if image is not None and not image.isNull():
        # The picture never needs more height than its width allows; the rest goes to the notes.
        picture_h = min(picture_h, width * image.height() / image.width())

    box = QRectF(left, body_top, width, picture_h)
    if image is not None and not image.isNull():
        target = _fit_rect(image, box)
        scaled = image.scaled(max(1, round(target.width())), max(1, round(target.height())),
                              Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        p.drawImage(target, scaled)
    else:
        target = QRectF(box.center().x() - box.height() * 8 / 9, box.top(), box.height() * 16 / 9, box.height())
        target = target.intersected(box)
        p.fillRect(target, QColor(238, 240, 243))
        p.setPen(MUTED)
        p.setFont(_font(14))
        p.drawText(target, int(Qt.AlignmentFlag.AlignCenter), _tr("No picture"))
    p.setPen(QPen(FRAME, 1 * px))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(target)

    y = box.top() + picture_h + gap
    p.setPen(ACCENT)
    p.setFont(caption_font)
    p.drawText(QRectF(left, y, width, caption_h), int(Qt.AlignmentFlag.AlignLeft), _tr("Speaker notes"))
    y += caption_h
    p.setPen(INK if notes else MUTED)
    p.setFont(notes_font)
    notes_rect = QRectF(left, y, width, max(0.0, min(notes_h, body_bottom - y)))
    p.save()
    p.setClipRect(notes_rect)
    p.drawText(notes_rect, int(Qt.TextFlag.TextWordWrap), notes_text)
    p.restore()


def export_pack(path: Path, briefing: Briefing, images: Mapping[int, QImage], log_rows: list[dict],
                site_name: str) -> int:
    """Write the pack: one A4 landscape page per scene, in order. ``images``: 0-based scene index ->
    its picture; ``log_rows``: the run log (rows of other briefings are ignored). Returns the pages
    written. Raises ValueError for a briefing without scenes, OSError when the file cannot be written."""
    if not briefing.scenes:
        raise ValueError(f"briefing {briefing.name!r} has no scenes: nothing to put in a pack")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setTitle(briefing.title)
    writer.setCreator(site_name)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    rows_by_scene: dict[int, list[dict]] = {}
    for row in log_rows:
        if row.get("briefing", briefing.name) == briefing.name and isinstance(row.get("scene"), int):
            rows_by_scene.setdefault(row["scene"], []).append(row)
    footer = "   ·   ".join(x for x in (site_name, _tr("Briefing pack"), _tr("Exported %1").replace(
        "%1", time.strftime("%Y-%m-%d %H:%M"))) if x)
    p = QPainter()
    if not p.begin(writer):
        raise OSError(f"could not write {path}")
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        page = QRectF(0, 0, writer.width(), writer.height())
        for index in range(len(briefing.scenes)):
            if index:
                writer.newPage()
            _paint_page(p, page, briefing, index, images.get(index), rows_by_scene.get(index + 1, []), footer)
    finally:
        p.end()
    return len(briefing.scenes)
