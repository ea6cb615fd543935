"""Paints document tiles: the page the tile's reference names, its caption, and the operator's pointer.

Each view renders the page at its own device size (through ``DOCUMENTS``), so a 4K wall display and
the operator's miniature both get sharp text from the same reference. The page sits above a caption
strip, never under it. Thread: GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QRadialGradient

from console.model.documents import DocRef, DocRefError
from console.model.sources import Source
from widgets.document_render import DOCUMENTS, error_text, page_rect
from widgets.tile_painter import MUTED, STATUS, TEXT, TileContext, _font, _paint_message, _unit_px

__all__ = ["page_area", "page_point", "page_rect", "paint_document", "tile_page_rect", "tile_point"]

LASER = QColor(235, 20, 20)


def page_area(r: QRectF) -> QRectF:
    """The part of a document tile (the inner rectangle ``paint_tile`` hands over) the page gets."""
    return r.adjusted(0, 0, 0, -_caption_height(r))


def tile_page_rect(r: QRectF, ref: DocRef, path: str) -> QRectF | None:
    """Where the whole page ``ref`` shows lies in tile ``r`` (None while the document is not ready):
    what a view needs to turn a mouse position into page coordinates with ``page_point``."""
    doc = DOCUMENTS.open(path)
    if not doc.page_count:
        return None
    size = doc.page_sizes[min(ref.page, doc.page_count) - 1]
    return page_rect(page_area(r), size, ref.fit, ref.zoom, ref.cx, ref.cy)


def page_point(page: QRectF, pos: QPointF, area: QRectF | None = None) -> tuple[float, float] | None:
    """``pos`` as 0..1 of the page lying at ``page``; None off the page or outside ``area`` (the
    visible part of the tile, when given: a zoomed page reaches beyond it)."""
    if page.width() <= 0 or page.height() <= 0 or (area is not None and not area.contains(pos)):
        return None
    x, y = (pos.x() - page.left()) / page.width(), (pos.y() - page.top()) / page.height()
    return (x, y) if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 else None


def tile_point(page: QRectF, x: float, y: float) -> QPointF:
    """The inverse of ``page_point``: the point ``x, y`` (0..1) of the page lying at ``page``."""
    return QPointF(page.left() + x * page.width(), page.top() + y * page.height())


def paint_document(p: QPainter, r: QRectF, index: int, ref_text: str, source: Source, ctx: TileContext) -> None:
    try:
        ref = DocRef.parse(ref_text)
    except DocRefError:
        ref = DocRef(source.id)
    doc = DOCUMENTS.open(source.file)
    count = doc.page_count
    if count:
        ctx.store.doc_pages[source.id] = count  # page commands clamp to it
    page = min(ref.page, count) if count else ref.page  # the file shrank since the page was chosen
    area = page_area(r)
    u = _unit_px(r)
    if doc.state == "converting":
        _paint_message(p, area, QCoreApplication.translate("DocumentPainter", "Converting document…"),
                       doc.detail, MUTED)
    elif doc.state != "ready":
        _paint_message(p, area, doc.error, doc.detail, STATUS["critical"])
    elif not _paint_page(p, area, source.file, page, ref):
        _paint_message(p, area, error_text("render"), doc.detail, STATUS["critical"])
    else:
        pointer = ctx.store.pointer
        if pointer is not None and pointer.tile == index:
            size = doc.page_sizes[page - 1]
            at = tile_point(page_rect(area, size, ref.fit, ref.zoom, ref.cx, ref.cy), pointer.x, pointer.y)
            if area.contains(at):
                _paint_pointer(p, at, u)
    right = ""
    if count:
        right = QCoreApplication.translate("DocumentPainter", "Page %1 of %2").replace(
            "%1", str(page)).replace("%2", str(count))
        if ref.zoom != 1.0:
            right += f"  {ref.zoom:g}×"
    _paint_caption(p, QRectF(r.left(), area.bottom(), r.width(), r.bottom() - area.bottom()), source.name, right, u)


def _device_size(p: QPainter, r: QRectF) -> tuple[int, int]:
    """How many device pixels ``r`` covers: the miniature draws through a scaling transform."""
    dev = p.transform().mapRect(r)
    device = p.device()
    ratio = device.devicePixelRatioF() if device is not None else 1.0
    return round(dev.width() * ratio), round(dev.height() * ratio)


def _paint_page(p: QPainter, area: QRectF, path: str, page: int, ref: DocRef) -> bool:
    w, h = _device_size(p, area)
    got = DOCUMENTS.page_image(path, page, w, h, ref.fit, ref.zoom, ref.cx, ref.cy)
    if got is None:
        return w < 1 or h < 1  # nothing to draw in an empty tile is no failure
    image, visible = got
    sx, sy = area.width() / w, area.height() / h
    target = QRectF(area.left() + visible.left() * sx, area.top() + visible.top() * sy,
                    visible.width() * sx, visible.height() * sy)
    t = p.transform()
    device = p.device()
    if not t.isScaling() and (device is None or device.devicePixelRatioF() == 1.0):
        # Rendered for exactly these pixels: copy it 1:1 at a whole pixel, not resampled (blurred).
        p.drawImage(QPointF(round(target.left() + t.dx()) - t.dx(), round(target.top() + t.dy()) - t.dy()), image)
    else:
        p.drawImage(target, image)
    return True


def _paint_pointer(p: QPainter, at: QPointF, u: float) -> None:
    """A laser-pointer dot: a red core with a white rim (seen on red ink too) in a soft red glow."""
    rad = max(3.0, u * 0.3)
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    glow = QRadialGradient(at, rad * 3)
    glow.setColorAt(0.0, QColor(255, 30, 30, 170))
    glow.setColorAt(0.4, QColor(255, 30, 30, 80))
    glow.setColorAt(1.0, QColor(255, 30, 30, 0))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(glow)
    p.drawEllipse(at, rad * 3, rad * 3)
    p.setPen(QPen(QColor(255, 255, 255, 230), max(1.0, rad * 0.16)))
    p.setBrush(LASER)
    p.drawEllipse(at, rad, rad)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 170, 170))
    p.drawEllipse(at, rad * 0.3, rad * 0.3)
    p.restore()


def _caption_height(r: QRectF) -> float:
    return _unit_px(r) * 1.0


def _paint_caption(p: QPainter, strip: QRectF, title: str, right: str, u: float) -> None:
    p.fillRect(strip, QColor(0, 0, 0, 150))
    right_w = 0.0
    if right:
        p.setFont(_font(u * 0.55))
        right_w = QFontMetricsF(p.font()).horizontalAdvance(right) + u
        p.setPen(MUTED)
        p.drawText(strip.adjusted(0, 0, -u * 0.5, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                   right)
    p.setFont(_font(u * 0.58, bold=True))
    p.setPen(TEXT)
    text = QFontMetricsF(p.font()).elidedText(title, Qt.TextElideMode.ElideRight, strip.width() - u - right_w)
    p.drawText(strip.adjusted(u * 0.5, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
