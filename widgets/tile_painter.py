"""Paints one tile of the wall from its source's latest data: picture, number, alerts or text.

Painting (not child widgets) lets the same tile be drawn on several display windows, across a
bezel, and in the operator's miniature, from one state. Thread: GUI thread.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QTransform

from console.media.decoder import Reason, StreamInfo, StreamState, fit
from console.media.slots import Frame
from console.model.alerts import Alert
from console.model.kpi import base_source_id, is_kpi_ref
from console.model.sources import Source, SourceKind
from console.model.tours import TourPosition
from console.store import Store
from widgets.picture_cache import PictureCache

if TYPE_CHECKING:
    from widgets.camera_feed import CameraFeed

BG = QColor(14, 17, 22)
TILE_BG = QColor(22, 27, 34)
BORDER = QColor(48, 56, 68)
BLACK = QColor(0, 0, 0)
TEXT = QColor(230, 234, 240)
MUTED = QColor(150, 160, 175)
STATUS = {"ok": QColor(46, 184, 114), "warning": QColor(242, 178, 40), "critical": QColor(230, 64, 64)}
SEVERITY = {
    "critical": QColor(230, 64, 64),
    "major": QColor(242, 140, 40),
    "minor": QColor(242, 205, 60),
    "info": QColor(90, 160, 230),
}




def format_number(value: float) -> str:
    """Numbers as Vietnamese readers expect them: dot for thousands, comma for decimals."""
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}".replace(",", ".")
    whole, frac = f"{value:,.1f}".split(".")
    return whole.replace(",", ".") + "," + frac


def age_text(seconds: float) -> str:
    if seconds < 60:
        return QCoreApplication.translate("TilePainter", "%n s ago").replace("%n", str(int(seconds)))
    if seconds < 3600:
        return QCoreApplication.translate("TilePainter", "%n min ago").replace("%n", str(int(seconds // 60)))
    return QCoreApplication.translate("TilePainter", "%n h ago").replace("%n", str(int(seconds // 3600)))


@dataclass
class TileContext:
    """What a painter needs besides the tile: where the data lives and how big text should be."""

    store: Store
    feed_for: Callable[[int], CameraFeed | None]  # tile index -> the view's camera feed
    tour_position: Callable[[int], TourPosition | None] = lambda _i: None
    overlay: bool = False  # camera details over the picture (name, clock, fps, delay...)
    zoom: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    alerts_for: Callable[[Source], list[Alert]] = lambda _s: []
    banner: Callable[[], str] = lambda: ""  # a calm line along the wall's bottom (never a dialog)
    hits: dict[int, list] = field(default_factory=dict)  # tile -> click targets painted on it (KPI tiles)
    kpi_at: float | None = None  # a briefing's frozen "as of" time: KPI tiles show values as they were
    timer: Callable[[], str] = lambda: ""  # a running briefing's times, for the presentation title strip


def inside_px(r: QRectF) -> QRect:
    """The whole pixels that lie inside ``r`` (its fractional edges left out)."""
    left, top = math.ceil(r.left()), math.ceil(r.top())
    return QRect(left, top, max(0, math.floor(r.right()) - left), max(0, math.floor(r.bottom()) - top))


def fill_around(p: QPainter, outer: QRectF, hole: QRectF, color: QColor) -> None:
    """Fill ``outer`` except ``hole`` (up to four strips): what a picture covers is not painted twice.
    Aliased, so strips that meet at a fractional edge neither overlap nor leave a seam."""
    hole = hole.intersected(outer)
    if hole.isEmpty():
        p.fillRect(outer, color)
        return
    aa = p.testRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    for strip in (QRectF(outer.left(), outer.top(), outer.width(), hole.top() - outer.top()),
                  QRectF(outer.left(), hole.bottom(), outer.width(), outer.bottom() - hole.bottom()),
                  QRectF(outer.left(), hole.top(), hole.left() - outer.left(), hole.height()),
                  QRectF(hole.right(), hole.top(), outer.right() - hole.right(), hole.height())):
        if strip.width() > 0 and strip.height() > 0:
            p.fillRect(strip, color)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)


@functools.lru_cache(maxsize=256)
def _font(px: float | int, bold: bool = False) -> QFont:
    # Painting asks for fonts many times a second; a handful of sizes cover every tile.
    f = QFont()
    f.setPixelSize(max(6, int(px)))
    f.setBold(bold)
    return f


_VIDEO = (SourceKind.CAMERA, SourceKind.TOUR)


def paint_tile(p: QPainter, rect: QRectF, index: int, source_id: str | None, ctx: TileContext) -> None:
    source = ctx.store.sources.get(base_source_id(source_id)) if source_id else None
    video = source is not None and source.kind in _VIDEO and not is_kpi_ref(source_id)
    if video:
        assert source is not None
        camera, badge = (source, "") if source.kind == SourceKind.CAMERA else _tour_camera(index, source, ctx)
        if camera is not None and _paint_live(p, rect, index, camera, ctx, badge):
            return
    p.save()
    p.setClipRect(rect)
    inner = rect.adjusted(2, 2, -2, -2)
    if not video:
        # A live picture fills its whole tile and paints every pixel itself (at 25 frames a second,
        # every full-tile fill counts); other tiles start from the tile's background.
        p.fillRect(rect, TILE_BG)
    if source_id is None:
        if not ctx.store.state.presenting:  # a meeting's wall shows no tile numbers or hints
            _paint_empty(p, inner, index)
    elif source is not None and is_kpi_ref(source_id):
        kpi_painter.paint_kpi_tile(p, inner, index, source_id, ctx)
    elif source is None:
        _paint_message(p, inner, QCoreApplication.translate("TilePainter", "Source not available"), source_id)
    elif source.kind == SourceKind.CAMERA:
        # Pictures use the whole tile, under its 1-pixel border: a stream as big as its tile (a
        # 1080p camera full-screen, 360p on a 3x3 grid) is then converted at its own size, the
        # cheapest conversion there is, and copied 1:1.
        _paint_camera(p, rect, index, source, ctx)
    elif source.kind == SourceKind.AGENDA:
        agenda_painter.paint_agenda(p, inner, source, ctx)
    elif source.kind == SourceKind.TOUR:
        _paint_tour(p, rect, index, source, ctx)
    elif source.kind == SourceKind.ALERTS:
        _paint_alerts(p, inner, source, ctx)
    elif source.kind == SourceKind.DOCUMENT and source.file:
        document_painter.paint_document(p, inner, index, source_id, source, ctx)
    elif source.kind == SourceKind.DOCUMENT:
        _paint_document(p, inner, source, ctx)
    elif source.kind == SourceKind.DOCUMENT_LIST:
        document_list.paint_document_list(p, inner, index, source_id, source, ctx)
    if ctx.kpi_at is not None and source is not None and is_kpi_ref(source_id):
        _paint_frozen_mark(p, inner, ctx.kpi_at)
    _paint_border(p, rect)
    p.restore()


def _paint_border(p: QPainter, r: QRectF) -> None:
    """A tile's 1-pixel border, inside its edges."""
    p.setPen(_BORDER_PEN)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5))


_BORDER_PEN = QPen(BORDER, 1)


FROZEN = QColor(90, 170, 255)


def _paint_frozen_mark(p: QPainter, r: QRectF, at: float) -> None:
    """A briefing's "as of" freeze: a watermark across the tile and a badge with the time the values
    are held at, so nobody mistakes held numbers for live ones."""
    u = _unit_px(r)
    stamp = time.strftime("%H:%M %d/%m", time.localtime(at))
    text = QCoreApplication.translate("TilePainter", "FROZEN AS OF %1").replace("%1", stamp)
    p.save()
    p.translate(r.center())
    p.rotate(-18)
    p.setFont(_font(min(u * 2.2, r.width() / 14), bold=True))
    p.setPen(QColor(FROZEN.red(), FROZEN.green(), FROZEN.blue(), 46))
    p.drawText(QRectF(-r.width(), -u * 2, r.width() * 2, u * 4), Qt.AlignmentFlag.AlignCenter, text)
    p.restore()
    p.setFont(_font(u * 0.72, bold=True))
    fm = QFontMetricsF(p.font())
    w, h = fm.horizontalAdvance(text) + u, u * 1.15
    # Over the right end of the tile's title strip (where the view's name is): it hides no number.
    badge = QRectF(r.right() - w - u * 0.3, r.top() + (u * 1.7 - h) / 2, w, h)
    p.fillRect(badge, QColor(12, 40, 80, 230))
    p.fillRect(QRectF(badge.left(), badge.top(), u * 0.18, h), FROZEN)
    p.setPen(FROZEN)
    p.drawText(badge.adjusted(u * 0.4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)


def paint_title_strip(p: QPainter, strip: QRectF, caption: str, timer: str) -> None:
    """Presentation mode's strip along the top of the wall: the meeting's title, the clock, the timer."""
    h = strip.height()
    p.fillRect(strip, QColor(10, 22, 40))
    p.fillRect(QRectF(strip.left(), strip.bottom() - 3, strip.width(), 3), QColor(40, 110, 200))
    clock = time.strftime("%H:%M:%S")
    p.setFont(_font(h * 0.55, bold=True))
    fm = QFontMetricsF(p.font())
    clock_w = fm.horizontalAdvance(clock)
    right = strip.right() - h * 0.4
    p.setPen(TEXT)
    p.drawText(QRectF(right - clock_w, strip.top(), clock_w, h - 3), Qt.AlignmentFlag.AlignVCenter, clock)
    right -= clock_w + h * 0.6
    if timer:
        p.setFont(_font(h * 0.42))
        tw = QFontMetricsF(p.font()).horizontalAdvance(timer)
        p.setPen(MUTED)
        p.drawText(QRectF(right - tw, strip.top(), tw, h - 3), Qt.AlignmentFlag.AlignVCenter, timer)
        right -= tw + h * 0.6
    p.setFont(_font(h * 0.5, bold=True))
    p.setPen(TEXT)
    fm = QFontMetricsF(p.font())
    left = strip.left() + h * 0.4
    p.drawText(QRectF(left, strip.top(), right - left, h - 3), Qt.AlignmentFlag.AlignVCenter,
               fm.elidedText(caption, Qt.TextElideMode.ElideRight, max(0.0, right - left)))


def paint_blank_note(p: QPainter, canvas: QRectF) -> None:
    """In the operator's miniature of a blanked wall: say that the wall is black on purpose."""
    u = max(12.0, canvas.height() / 24)
    p.setPen(MUTED)
    p.setFont(_font(u, bold=True))
    p.drawText(canvas, Qt.AlignmentFlag.AlignCenter,
               QCoreApplication.translate("TilePainter", "Wall blanked (B to show it again)"))


def paint_banner(p: QPainter, canvas: QRectF, text: str) -> None:
    """A strip along the bottom of the whole canvas: the bottom row of displays shows it."""
    h = max(40.0, canvas.height() * 0.045)
    strip = QRectF(canvas.left(), canvas.bottom() - h, canvas.width(), h)
    p.fillRect(strip, QColor(120, 20, 20, 225))
    p.fillRect(QRectF(strip.left(), strip.top(), strip.width(), 3), STATUS["critical"])
    p.setPen(TEXT)
    p.setFont(_font(h * 0.5, bold=True))
    fm = QFontMetricsF(p.font())
    p.drawText(strip.adjusted(h * 0.5, 0, -h * 0.5, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
               fm.elidedText(text, Qt.TextElideMode.ElideRight, strip.width() - h))


_TEXT_SCALE = [1.0]


def set_text_scale(scale: float) -> None:
    """The site's wall text scale: text and strokes on every tile grow by it (for a far audience)."""
    _TEXT_SCALE[0] = scale


def _unit_px(rect: QRectF) -> float:
    """A text unit that grows with the tile, so a wall tile is legible from 5-8 m."""
    return max(9.0, min(rect.height() / 14.0, rect.width() / 22.0)) * _TEXT_SCALE[0]


def _paint_empty(p: QPainter, r: QRectF, index: int) -> None:
    u = _unit_px(r)
    p.setPen(MUTED)
    p.setFont(_font(u * 2.2, bold=True))
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(index + 1))
    p.setFont(_font(u * 0.8))
    p.drawText(r.adjusted(0, u * 3.2, 0, 0), Qt.AlignmentFlag.AlignCenter, QCoreApplication.translate("TilePainter", "Empty tile"))


def _paint_message(p: QPainter, r: QRectF, title: str, detail: str, color: QColor = STATUS["warning"]) -> None:
    u = _unit_px(r)
    p.setPen(color)
    p.setFont(_font(u * 1.1, bold=True))
    p.drawText(r.adjusted(u, 0, -u, -u * 1.5), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, title)
    p.setPen(MUTED)
    p.setFont(_font(u * 0.8))
    p.drawText(r.adjusted(u, u * 1.5, -u, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, detail)


def _caption(p: QPainter, r: QRectF, title: str, right: str = "", color: QColor = TEXT,
             bottom: bool = False) -> float:
    """A title strip at the top (or bottom) of a tile; returns its height. Drawn once into a picture
    and blitted afterwards: laying text out again for every video frame cost more than the frame."""
    strip, u = _caption_strip(r, bottom)
    h = strip.height()
    t = p.transform()
    dev = p.device()
    dpr = dev.devicePixelRatioF() if dev is not None else 1.0
    if t.isRotating() or strip.width() <= 0 or strip.height() <= 0:
        _draw_caption(p, strip, u, title, right, color)
        return h
    box = t.mapRect(strip)
    image = _caption_picture(title, right, color, max(1, round(box.width() * dpr)), max(1, round(box.height() * dpr)),
                             strip.width(), h, u, dpr)
    p.save()
    p.resetTransform()  # the clip stays where it was, in device pixels
    p.drawImage(QPointF(round(box.x() * dpr) / dpr, round(box.y() * dpr) / dpr), image)
    p.restore()
    return h


def _caption_strip(r: QRectF, bottom: bool) -> tuple[QRectF, float]:
    """Where a tile's caption goes (its top or bottom), and the tile's text unit."""
    u = _unit_px(r)
    h = u * 1.7
    return QRectF(r.left(), r.bottom() - h if bottom else r.top(), r.width(), h), u


def _caption_picture(title: str, right: str, color: QColor, w_px: int, h_px: int, width: float, h: float,
                     u: float, dpr: float) -> QImage:
    """A caption strip of ``width`` x ``h`` painter units drawn into a picture of ``w_px`` x ``h_px``."""
    key = (title, right, color.rgba(), w_px, h_px, round(width, 2), round(h, 2))
    image = _CAPTIONS.get(key)
    if image is None:
        image = QImage(w_px, h_px, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        q = QPainter(image)
        q.setRenderHint(QPainter.RenderHint.Antialiasing)
        q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        q.scale(w_px / width, h_px / h)
        _draw_caption(q, QRectF(0, 0, width, h), u, title, right, color)
        q.end()
        image.setDevicePixelRatio(dpr)
        _CAPTIONS.put(key, image)
    return image


def _draw_caption(p: QPainter, strip: QRectF, u: float, title: str, right: str, color: QColor) -> None:
    p.fillRect(strip, QColor(0, 0, 0, 150))
    p.setFont(_font(u * 0.95, bold=True))
    p.setPen(color)
    fm = QFontMetricsF(p.font())
    right_w = 0.0
    if right:
        p.setFont(_font(u * 0.8))
        right_w = QFontMetricsF(p.font()).horizontalAdvance(right) + u
        p.setPen(MUTED)
        p.drawText(strip.adjusted(0, 0, -u * 0.5, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, right)
        p.setFont(_font(u * 0.95, bold=True))
        p.setPen(color)
    text = fm.elidedText(title, Qt.TextElideMode.ElideRight, strip.width() - u - right_w)
    p.drawText(strip.adjusted(u * 0.5, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)


_CAPTIONS: PictureCache[QImage] = PictureCache(24 * 2**20)


def reason_text(reason: Reason) -> str:
    texts = {
        Reason.AUTH: QCoreApplication.translate("TilePainter", "Authentication refused: check user name and password"),
        Reason.NOT_FOUND: QCoreApplication.translate("TilePainter", "Stream not found on the camera or server"),
        Reason.REFUSED: QCoreApplication.translate("TilePainter", "Connection refused: camera or server is down"),
        Reason.UNREACHABLE: QCoreApplication.translate("TilePainter", "Host unreachable: check the network"),
        Reason.TIMEOUT: QCoreApplication.translate("TilePainter", "No answer from the camera (timeout)"),
        Reason.CODEC: QCoreApplication.translate("TilePainter", "Unsupported video codec"),
        Reason.ENDED: QCoreApplication.translate("TilePainter", "The stream ended"),
        Reason.OTHER: QCoreApplication.translate("TilePainter", "Stream error"),
    }
    return texts.get(reason, "")


def state_text(info: StreamInfo | None, now: float) -> tuple[str, str]:
    """The headline and detail a tile shows for a stream that is not simply live."""
    if info is None or info.state == StreamState.CONNECTING:
        return QCoreApplication.translate("TilePainter", "Connecting…"), ""
    wait = max(0, int(round((info.next_try_at or now) - now)))
    retry = QCoreApplication.translate("TilePainter", "attempt %1, next try in %2 s").replace(
        "%1", str(info.attempt)).replace("%2", str(wait))
    if info.state == StreamState.STALLED:
        age = int(now - (info.last_frame_at or now))
        return QCoreApplication.translate("TilePainter", "No picture for %n s").replace("%n", str(age)), ""
    if info.state == StreamState.FAILED:
        return reason_text(info.reason), retry
    if info.state == StreamState.RECONNECTING:
        title = QCoreApplication.translate("TilePainter", "Reconnecting")
        return title, reason_text(info.reason) + (" · " if info.reason else "") + retry
    return "", ""


def _one_to_one(r: QRectF, iw: int, ih: int) -> QRectF | None:
    """Where a picture of ``iw`` x ``ih`` goes, copied 1:1 and centred, if the decoder made it for the tile
    ``r`` (decoder.fit: its width rounded down to 16 pixels, or a stream a hair larger than the tile at
    its own size); None for one to scale (fit keeps a much smaller picture as it is: Qt enlarges it).
    Stretching a picture by a few pixels would cost a smooth rescale for nothing."""
    if fit(iw, ih, int(r.width()), int(r.height())) != (iw, ih) or (r.width() - iw >= 24 and r.height() - ih >= 24):
        return None
    return QRectF(round(r.center().x() - iw / 2), round(r.center().y() - ih / 2), iw, ih)


def _paint_frame(p: QPainter, r: QRectF, frame: Frame, zoom: tuple[float, float, float] | None) -> QRectF:
    img = frame.image
    qimg = QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_RGB32)
    src = QRectF(0, 0, img.shape[1], img.shape[0])
    if zoom is not None:
        factor, cx, cy = zoom
        w, h = src.width() / factor, src.height() / factor
        src = QRectF(cx * img.shape[1] - w / 2, cy * img.shape[0] - h / 2, w, h)
    target = _one_to_one(r, img.shape[1], img.shape[0]) if zoom is None and not p.transform().isScaling() else None
    if target is not None:
        fill_around(p, r, target, BLACK)
        p.drawImage(target.topLeft(), qimg)
        return target
    # Otherwise fit the picture into the tile, keeping its shape (no stretched faces or number plates).
    scale = min(r.width() / src.width(), r.height() / src.height())
    w, h = src.width() * scale, src.height() * scale
    target = QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h)
    # Letterbox bars around a scaled picture; its edges are fractional, so the bars reach under it.
    fill_around(p, r, QRectF(inside_px(target)), BLACK)
    p.drawImage(target, qimg, src)
    return target


@dataclass(frozen=True)
class _LivePlan:
    """A live camera tile's geometry, worked out once for its size and its picture's size: where the
    picture goes, the letterbox strips around it, and its caption picture and place."""

    target: QRectF
    strips: bool  # the picture leaves letterbox strips to fill
    caption: QImage
    caption_at: QPointF


_LIVE_PLANS: dict[tuple, _LivePlan | None] = {}
_UNSCALED = frozenset({QTransform.TransformationType.TxNone, QTransform.TransformationType.TxTranslate})
_LIVE = StreamState.LIVE  # (an enum member looked up once: this runs for every frame of every tile)


def _live_plan(r: QRectF, iw: int, ih: int, title: str, right: str) -> _LivePlan | None:
    key = (r.x(), r.y(), r.width(), r.height(), iw, ih, title, right)
    if key in _LIVE_PLANS:
        return _LIVE_PLANS[key]
    target = _one_to_one(r, iw, ih)
    plan = None
    if target is not None:
        strip, u = _caption_strip(r, bottom=True)
        h = strip.height()
        caption = _caption_picture(title, right, TEXT, max(1, round(strip.width())), max(1, round(h)),
                                   strip.width(), h, u, 1.0)
        plan = _LivePlan(target, not target.contains(r), caption, QPointF(round(strip.x()), round(strip.y())))
    if len(_LIVE_PLANS) > 256:
        _LIVE_PLANS.clear()
    _LIVE_PLANS[key] = plan
    return plan


def _paint_live(p: QPainter, r: QRectF, index: int, source: Source, ctx: TileContext, badge: str = "") -> Frame | None:
    """The common case, at 25 frames a second per tile: a live camera (or a tour's current camera, with
    the tour's ``badge``) shown 1:1 with only its caption.
    Paints it with a handful of calls from a cached plan and returns the frame; None (nothing painted)
    for anything else (a state to show, details overlay, zoom, a masked camera, a scaled view), which
    ``_paint_camera`` paints. Both give the same pixels."""
    feed = ctx.feed_for(index)
    if feed is None or ctx.overlay or index in ctx.zoom:
        return None
    frame = feed.frame()
    info = feed.info
    if frame is None or info is None or info.state is not _LIVE:
        return None
    state = ctx.store.state
    if state.presenting and "sensitive" in source.tags and index not in state.unmasked:
        return None
    t = p.transform()
    if t.type() not in _UNSCALED or t.dx() % 1 or t.dy() % 1:
        return None  # scaled (the operator's miniature) or off the pixel grid
    dev = p.device()
    if dev is None or dev.devicePixelRatioF() != 1.0:
        return None
    img = frame.image
    plan = _live_plan(r, img.shape[1], img.shape[0], source.name, _caption_right(badge, info, None))
    if plan is None:
        return None
    p.save()
    p.setClipRect(r)
    if plan.strips:
        fill_around(p, r, plan.target, BLACK)
    p.drawImage(plan.target.topLeft(),
                QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_RGB32))
    p.drawImage(plan.caption_at, plan.caption)
    _paint_border(p, r)
    p.restore()
    return frame


def _paint_camera(p: QPainter, r: QRectF, index: int, source: Source, ctx: TileContext,
                  badge: str = "") -> None:
    feed = ctx.feed_for(index)
    frame = feed.frame() if feed is not None else None
    info = feed.info if feed is not None else None
    now = time.time()
    state = ctx.store.state
    if state.presenting and "sensitive" in source.tags and index not in state.unmasked:
        _paint_masked(p, r, frame, source)
        return
    if frame is not None:
        _paint_frame(p, r, frame, ctx.zoom.get(index))
    else:
        p.fillRect(r, TILE_BG)
    title, detail = ("", "") if info is not None and info.state == StreamState.LIVE and frame else state_text(info, now)
    if title:
        if frame is not None:
            p.fillRect(r, QColor(0, 0, 0, 150))  # the last good picture stays, dimmed
        failed = info is not None and info.state == StreamState.FAILED
        _paint_message(p, r, title, detail, STATUS["critical"] if failed else STATUS["warning"])
    if ctx.overlay and info is not None:
        _paint_overlay(p, r, source, info, feed.role if feed else "", now, bool(feed and feed.priority))
    _caption(p, r, source.name, _caption_right(badge, info, ctx.zoom.get(index)), bottom=True)


def _caption_right(badge: str, info: StreamInfo | None, zoom: tuple[float, float, float] | None) -> str:
    """What a camera tile's caption says at its right end: a tour's badge, a shed stream, the zoom."""
    parts = [badge] if badge else []
    if info is not None and info.reduced:
        # The hub put this stream on key frames only so that the other tiles keep their frame rate.
        parts.append(QCoreApplication.translate("TilePainter", "reduced rate: machine busy"))
    if zoom is not None:
        parts.append(f"{zoom[0]:.1f}×")
    return "  ".join(parts)


def _paint_masked(p: QPainter, r: QRectF, frame: Frame | None, source: Source) -> None:
    """A sensitive camera during a meeting: the picture blurred beyond recognition (faces, plates),
    so the room sees that a camera is there and roughly what, never who."""
    p.fillRect(r, QColor(0, 0, 0))
    if frame is not None:
        img = frame.image
        qimg = QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_RGB32)
        # A few dozen pixels across, stretched back smoothly: a blur that costs nothing to paint.
        tiny = qimg.scaled(max(1, img.shape[1] // 48), max(1, img.shape[0] // 48),
                           Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        scale = min(r.width() / img.shape[1], r.height() / img.shape[0])
        w, h = img.shape[1] * scale, img.shape[0] * scale
        p.save()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h), tiny)
        p.restore()
        p.fillRect(r, QColor(0, 0, 0, 90))
    _paint_message(p, r, QCoreApplication.translate("TilePainter", "Camera masked for the meeting"), "", MUTED)
    _caption(p, r, source.name, "", bottom=True)


def _paint_overlay(p: QPainter, r: QRectF, source: Source, info: StreamInfo, role: str, now: float,
                   priority: bool = False) -> None:
    u = _unit_px(r)
    lines = [
        source.name,
        time.strftime("%H:%M:%S", time.localtime(now)),
        f"{info.width}×{info.height} {info.codec.upper()} {role}".strip(),
        f"{info.fps:.1f} fps · {info.bitrate_kbps:.0f} kb/s · {info.decode_path}"
        + (" · " + QCoreApplication.translate("TilePainter", "light decode") if info.light else ""),
        QCoreApplication.translate("TilePainter", "delay %1 ms").replace("%1", f"{info.delay_ms:.0f}")
        # A machine too busy for this stream: decoding fell behind and jumped back to live (decoder.CATCH_UP_AFTER_S).
        + (" · " + QCoreApplication.translate("TilePainter", "skipped ahead to live %1×").replace("%1", str(info.catch_ups))
           if info.catch_ups else ""),
    ]
    if priority:
        # The alarm tile or one the operator pinned: never moved to key frames only (hub.LoadGovernor).
        lines.append(QCoreApplication.translate("TilePainter", "kept at full rate when busy"))
    p.setFont(_font(u * 0.75))
    fm = QFontMetricsF(p.font())
    w = max(fm.horizontalAdvance(line) for line in lines) + u
    h = fm.height() * len(lines) + u * 0.5
    box = QRectF(r.right() - w - u * 0.4, r.top() + u * 0.4, w, h)
    p.fillRect(box, QColor(0, 0, 0, 170))
    p.setPen(TEXT)
    for k, line in enumerate(lines):
        p.drawText(QRectF(box.left() + u * 0.5, box.top() + u * 0.25 + k * fm.height(), w, fm.height()),
                   Qt.AlignmentFlag.AlignVCenter, line)


def _tour_camera(index: int, source: Source, ctx: TileContext) -> tuple[Source | None, str]:
    """The camera a tour tile shows now and the tour's badge (name, step, time left), if it has one yet."""
    pos = ctx.tour_position(index)
    camera = ctx.store.sources.get(pos.camera) if pos is not None and pos.camera else None
    if pos is None or camera is None:
        return None, ""
    badge = f"{source.name} {pos.step + 1}/{pos.steps}"
    if pos.paused:
        badge += " " + QCoreApplication.translate("TilePainter", "(paused)")
    else:
        badge += f" · {int(pos.remaining_s)} s"
    return camera, badge


def _paint_tour(p: QPainter, r: QRectF, index: int, source: Source, ctx: TileContext) -> None:
    camera, badge = _tour_camera(index, source, ctx)
    if camera is None:
        p.fillRect(r, TILE_BG)
        _paint_message(p, r, QCoreApplication.translate("TilePainter", "Tour starting…"), source.name)
        return
    _paint_camera(p, r, index, camera, ctx, badge)


def _paint_alerts(p: QPainter, r: QRectF, source: Source, ctx: TileContext) -> None:
    alerts = ctx.alerts_for(source)
    u = _unit_px(r)
    top = _caption(p, r, source.name, str(len(alerts)) if alerts else "")
    y = r.top() + top + u * 0.4
    row_h = u * 1.6
    if not alerts:
        _paint_message(p, r.adjusted(0, top, 0, 0), QCoreApplication.translate("TilePainter", "No alerts"), "")
        return
    for a in alerts:
        if y + row_h > r.bottom():
            break
        color = SEVERITY.get(a.severity.label, MUTED)
        p.fillRect(QRectF(r.left() + u * 0.4, y + row_h * 0.2, u * 0.45, row_h * 0.6), color)
        p.setFont(_font(u * 0.8))
        p.setPen(MUTED)
        stamp = time.strftime("%H:%M", time.localtime(a.last_time))
        p.drawText(QRectF(r.left() + u * 1.2, y, u * 3.2, row_h), Qt.AlignmentFlag.AlignVCenter, stamp)
        p.setFont(_font(u * 0.85, bold=a.severity.label == "critical"))
        p.setPen(TEXT)
        fm = QFontMetricsF(p.font())
        title = a.title + (f"  ×{a.count}" if a.count > 1 else "")
        text = fm.elidedText(title, Qt.TextElideMode.ElideRight, r.width() - u * 5.0)
        p.drawText(QRectF(r.left() + u * 4.4, y, r.width() - u * 4.8, row_h), Qt.AlignmentFlag.AlignVCenter, text)
        y += row_h


def _paint_document(p: QPainter, r: QRectF, source: Source, ctx: TileContext) -> None:
    doc = ctx.store.documents.get(source.id)
    u = _unit_px(r)
    top = _caption(p, r, doc.title if doc else source.name)
    if doc is None:
        _paint_message(p, r.adjusted(0, top, 0, 0), QCoreApplication.translate("TilePainter", "Waiting for data"), "")
        return
    p.fillRect(r.adjusted(0, top, 0, 0), QColor(240, 238, 232))
    p.setPen(QColor(30, 30, 30))
    p.setFont(_font(u * 0.95))
    y = r.top() + top + u
    for line in doc.lines:
        rect = QRectF(r.left() + u, y, r.width() - 2 * u, r.bottom() - y)
        bound = p.boundingRect(rect, Qt.TextFlag.TextWordWrap, line)
        if y + bound.height() > r.bottom():
            break
        p.drawText(rect, Qt.TextFlag.TextWordWrap, line)
        y += bound.height() + u * 0.4


# KPI and document tiles have their own painters, which use this module's pieces: imported last on purpose.
from widgets import agenda_painter, document_list, document_painter, kpi_painter  # noqa: E402
