"""The briefing pack: a PDF with one page per scene (picture, timing, speaker notes) for the minutes."""

from __future__ import annotations

import math
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
    QTextLayout,
    QTextOption,
)

from console.model.briefings import Briefing, Scene, format_duration

DPI = 150
MARGIN_MM = 12.0
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans"]  # both carry every Vietnamese letter
INK = QColor(20, 24, 30)
MUTED = QColor(96, 104, 116)
ACCENT = QColor(28, 92, 170)
RULE = QColor(190, 196, 204)
FRAME = QColor(150, 156, 166)
NOTES_PT = (12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0)  # tried in turn until the notes fit
NOTES_COLUMNS = 3
MEASURE = 100  # characters a notes column holds at most when notes run long: long lines are hard to follow
SHORT_NOTES_LINES = 8  # notes of up to this many lines stay in one column
SEPARATOR = "   ·   "
MIN_PICTURE_SHARE = 0.25  # of the body's height: long notes shrink the picture down to this, then the type


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
        text += "; " + QCoreApplication.translate("BriefingPack", "%1 in all").replace(
            "%1", format_duration(total))
    return QCoreApplication.translate("BriefingPack", "Shown: %1").replace("%1", text)


def _meta_line(scene: Scene, rows: list[dict]) -> str:
    parts = []
    if scene.presenter:
        parts.append(QCoreApplication.translate("BriefingPack", "Presenter: %1").replace(
            "%1", scene.presenter))
    planned = (format_duration(scene.duration_s) if scene.duration_s
               else QCoreApplication.translate("BriefingPack", "not set"))
    parts.append(QCoreApplication.translate("BriefingPack", "Planned: %1").replace("%1", planned))
    shown = _shown_text(rows)
    if shown:
        parts.append(shown)
    return SEPARATOR.join(parts)


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
    p.drawText(QRectF(left, y, width, _metrics(f, dev).height()), int(Qt.AlignmentFlag.AlignLeft),
               briefing.title)
    y += _metrics(f, dev).height() + 2 * px
    f = _font(20, bold=True)
    heading = (QCoreApplication.translate("BriefingPack", "Scene %1 of %2: %3")
               .replace("%1", str(index + 1)).replace("%2", str(count)).replace("%3", scene.title))
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
    # Left-aligned, the page number last: a right-aligned one leaves a gap across the page that makes
    # PDF readers (PDFium: Chrome, QtPdf) take a page of short note lines for vertical text and
    # scramble copying and searching.
    p.drawText(QRectF(left, footer_top, width, fh), int(Qt.AlignmentFlag.AlignLeft),
               f"{footer_left}{SEPARATOR}{index + 1} / {count}")
    body_bottom = footer_top - 4 * px - gap
    body_h = body_bottom - body_top

    # Notes: the biggest type that fits, in up to NOTES_COLUMNS columns, under a picture of at least
    # MIN_PICTURE_SHARE of the body; the picture takes what the notes leave.
    notes = scene.notes.strip()
    caption_font = _font(11, bold=True)
    caption_h = _metrics(caption_font, dev).height() + 2 * px
    room = body_h * (1 - MIN_PICTURE_SHARE) - gap - caption_h
    shown_notes = notes or QCoreApplication.translate("BriefingPack", "No notes.")
    notes_font, columns, lines, line_h = _fit_notes(shown_notes, dev, width, room, gap * 3)
    rows_per_column = -(-len(lines) // columns)
    notes_h = rows_per_column * line_h
    picture_h = body_h - gap - caption_h - min(notes_h, room)
    if image is not None and not image.isNull():
        # The picture never needs more height than its width allows; the rest goes to the notes.
        picture_h = min(picture_h, width * image.height() / image.width())

    box = QRectF(left, body_top, width, picture_h)
    if image is not None and not image.isNull():
        target = _fit_rect(image, box)
        # Scaled here, once: a wall-sized picture would otherwise go into the file at full size.
        scaled = image.scaled(max(1, round(target.width())), max(1, round(target.height())),
                              Qt.AspectRatioMode.IgnoreAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        p.drawImage(target, scaled)
    else:
        target = QRectF(box.center().x() - box.height() * 8 / 9, box.top(), box.height() * 16 / 9,
                        box.height())
        target = target.intersected(box)
        p.fillRect(target, QColor(238, 240, 243))
        p.setPen(MUTED)
        p.setFont(_font(14))
        p.drawText(target, int(Qt.AlignmentFlag.AlignCenter),
                   QCoreApplication.translate("BriefingPack", "No picture"))
    p.setPen(QPen(FRAME, 1 * px))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(target)

    y = box.top() + picture_h + gap
    p.setPen(ACCENT)
    p.setFont(caption_font)
    p.drawText(QRectF(left, y, width, caption_h), int(Qt.AlignmentFlag.AlignLeft),
               QCoreApplication.translate("BriefingPack", "Speaker notes"))
    y += caption_h
    p.setPen(INK if notes else MUTED)
    p.setFont(notes_font)
    ascent = _metrics(notes_font, dev).ascent()
    rows_fit = max(1, int((body_bottom - y + 0.5) // line_h))  # what the smallest type could not fit is cut
    column_w = (width - gap * 3 * (columns - 1)) / columns
    for n, line in enumerate(lines[: rows_fit * columns]):
        column, row = divmod(n, min(rows_per_column, rows_fit))
        p.drawText(QPointF(left + column * (column_w + gap * 3), y + row * line_h + ascent), line)


def _wrap(text: str, font: QFont, device: QPaintDevice, width: float) -> list[str]:
    """The lines ``text`` breaks into at ``width``; its own line breaks kept, empty lines too."""
    lines: list[str] = []
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        layout = QTextLayout(para, font, device)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(para[line.textStart(): line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
    return lines


def _fit_notes(text: str, device: QPaintDevice, width: float, room: float,
               column_gap: float) -> tuple[QFont, int, list[str], float]:
    """Font, column count, lines and line height for the notes: the biggest type that fits ``room``,
    in as few columns as that type needs (long lines across a whole page are hard to follow)."""
    for pt in NOTES_PT:
        font = _font(pt)
        metrics = _metrics(font, device)
        line_h = metrics.lineSpacing()
        # A few lines stay in one column; more flow in columns about MEASURE characters wide.
        ideal = math.ceil((width + column_gap) / (MEASURE * metrics.averageCharWidth() + column_gap))
        ideal = max(1, min(NOTES_COLUMNS, ideal))
        if len(_wrap(text, font, device, width)) <= SHORT_NOTES_LINES:
            ideal = 1
        for columns in (ideal, *(c for c in range(1, NOTES_COLUMNS + 1) if c != ideal)):
            lines = _wrap(text, font, device, (width - column_gap * (columns - 1)) / columns)
            if -(-len(lines) // columns) * line_h <= room:
                return font, columns, lines, line_h
    return font, NOTES_COLUMNS, lines, line_h


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
    exported = QCoreApplication.translate("BriefingPack", "Exported %1").replace(
        "%1", time.strftime("%Y-%m-%d %H:%M"))
    pack = QCoreApplication.translate("BriefingPack", "Briefing pack")
    footer = SEPARATOR.join(x for x in (site_name, pack, exported) if x)
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
