"""WallView: draws the wall canvas, or one display's part of it, from the store's state.

The same view is a display window on the wall (its region 1:1), the scaled wall window on a
laptop, and the operator's live miniature (the whole canvas, with selection and drop targets).
Thread: GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from console.commands import ShowDocument
from console.media.hub import MediaHub
from console.model.alerts import Alert
from console.model.documents import DocRef, DocRefError
from console.model.geometry import Rect, WallGeometry
from console.model.kpi import KpiRef, KpiRefError, base_source_id, is_kpi_ref
from console.model.sources import Source, SourceKind
from console.model.tours import TOUR_PREFIX, TourPosition
from console.store import Store
from layouts.grid import Layout
from widgets.camera_feed import CameraFeed
from widgets.document_painter import page_area, page_point, tile_page_rect
from widgets.document_render import DOCUMENTS
from widgets.kpi_chart import CHARTS
from widgets.tile_painter import (
    BG,
    TileContext,
    inside_px,
    paint_banner,
    paint_blank_note,
    paint_tile,
    paint_title_strip,
)

SOURCE_MIME = "application/x-ioc-source"
BEZEL = QColor(0, 0, 0)
SELECT = QColor(64, 156, 255)


_RECTS: dict[tuple[int, int, bool], tuple[Layout, WallGeometry, list[QRectF]]] = {}


def strip_height(geometry: WallGeometry) -> float:
    """The title and clock strip along the top of the wall in presentation mode."""
    return float(round(max(48.0, geometry.height * 0.045)))


def tile_rects(store: Store, geometry: WallGeometry) -> list[QRectF]:
    """Tile rectangles on the canvas; computed once per layout (views ask 50 times a second).
    In presentation mode the tiles make room for the title strip (they shrink a little in height)."""
    layout = store.state.layout
    presenting = store.state.presenting
    key = (id(layout), id(geometry), presenting)
    hit = _RECTS.get(key)
    if hit is None or hit[0] is not layout or hit[1] is not geometry:
        rects = [geometry.tile_rect(layout, i) for i in range(layout.tile_count)]
        top, k = (strip_height(geometry), 1 - strip_height(geometry) / geometry.height) if presenting else (0.0, 1.0)
        hit = (layout, geometry, [QRectF(r.x, top + r.y * k, r.w, r.h * k) for r in rects])
        if len(_RECTS) > 64:
            _RECTS.clear()
        _RECTS[key] = hit
    return hit[2]


def paint_canvas(p: QPainter, ctx: TileContext, geometry: WallGeometry, region: Rect, show_bezels: bool,
                 only: int | None = None, exposed: list[QRectF] | None = None) -> None:
    """Paint the tiles that meet ``region`` (canvas pixels); the painter maps canvas to device.
    ``only``: paint just that tile, over the whole region (a tile shown full-screen)."""
    store = ctx.store
    state = store.state
    clip = QRectF(region.x, region.y, region.w, region.h)
    if state.blank:
        # A presenter's B: the wall goes black; the operator's miniature says why.
        p.fillRect(clip, QColor(0, 0, 0))
        if show_bezels:
            paint_blank_note(p, QRectF(0, 0, geometry.width, geometry.height))
        return
    if exposed:
        # Only what Qt asked to repaint (a tile's new frame, say): tiles outside it are skipped.
        bound = QRectF(exposed[0])
        for r in exposed[1:]:
            bound = bound.united(r)
        clip = clip.intersected(bound)
    if only is not None and only < store.state.layout.tile_count:
        # One tile over the whole view: it paints every pixel itself.
        paint_tile(p, QRectF(region.x, region.y, region.w, region.h), only, store.state.tiles[only], ctx)
    else:
        rects = tile_rects(store, geometry)
        painted = [i for i, rect in enumerate(rects)
                   if rect.intersects(clip) and (not exposed or any(rect.intersects(e) for e in exposed))]
        if p.transform().isScaling():
            p.fillRect(clip, BG)
        else:
            # The background only between tiles: a tile paints its own pixels (a full-wall fill under
            # nine live pictures was a third of a paint's cost).
            gaps = QRegion(clip.toAlignedRect())
            for i in painted:
                gaps -= QRegion(inside_px(rects[i]))
            for r in gaps:  # type: ignore[attr-defined]  # iterable at run time
                p.fillRect(r, BG)
        for i in painted:
            paint_tile(p, rects[i], i, store.state.tiles[i], ctx)
    canvas = QRectF(0, 0, geometry.width, geometry.height)
    if state.presenting and only is None:
        paint_title_strip(p, QRectF(0, 0, geometry.width, strip_height(geometry)), state.caption, ctx.timer())
    banner = ctx.banner()
    if banner and not state.presenting:
        paint_banner(p, clip if only is not None else canvas, banner)
    if only is not None:
        return
    if show_bezels:
        # Blank out what the panels' frames hide, so the miniature looks like the real wall.
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(BEZEL)
        cols = sorted({(d.rect.x, d.rect.right) for d in geometry.displays})
        rows = sorted({(d.rect.y, d.rect.bottom) for d in geometry.displays})
        for (_, right), (nxt, _) in zip(cols, cols[1:], strict=False):
            p.drawRect(QRectF(right, 0, max(nxt - right, 2.0), geometry.height))
        for (_, bottom), (nxt, _) in zip(rows, rows[1:], strict=False):
            p.drawRect(QRectF(0, bottom, geometry.width, max(nxt - bottom, 2.0)))


def render_canvas(ctx: TileContext, geometry: WallGeometry, scale: float = 1.0) -> QImage:
    """The whole wall canvas as an image (for screenshots and checks)."""
    w, h = max(1, round(geometry.width * scale)), max(1, round(geometry.height * scale))
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(BG)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.scale(scale, scale)
    paint_canvas(p, ctx, geometry, Rect(0, 0, geometry.width, geometry.height), show_bezels=True)
    p.end()
    return img


class WallView(QWidget):
    """A view of the wall canvas. ``region`` None shows the whole canvas scaled to fit."""

    sig_tile_clicked = Signal(int)
    sig_tile_activated = Signal(int)
    sig_source_dropped = Signal(int, str)  # tile number (1-based), source id
    sig_context_menu = Signal(int, QPoint)  # tile number, global position
    sig_kpi_unit = Signal(int, str)  # a KPI tile's bar or breadcrumb clicked: tile number, unit code
    sig_command = Signal(object)  # a command the view's gestures ask for (a document zoomed by the wheel)

    def __init__(self, store: Store, media: MediaHub, geometry: WallGeometry, region: Rect | None = None,
                 interactive: bool = False, parent: QWidget | None = None,
                 tour_position: Callable[[int], TourPosition | None] | None = None,
                 alerts_for: Callable[[Source], list[Alert]] | None = None,
                 banner: Callable[[], str] | None = None, timer: Callable[[], str] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.media = media
        self.tour_position: Callable[[int], TourPosition | None] = tour_position or (lambda _i: None)
        self.alerts_for: Callable[[Source], list[Alert]] = alerts_for or (lambda _s: [])
        self.banner: Callable[[], str] = banner or (lambda: "")
        self.timer: Callable[[], str] = timer or (lambda: "")  # a briefing's times for the title strip
        self._seen_second = 0
        self._seen_banner = ""
        self.geometry_ = geometry
        self.region = region or Rect(0, 0, geometry.width, geometry.height)
        self.interactive = interactive
        self.selected: int | None = None
        self.feeds: dict[int, CameraFeed] = {}  # tile index -> its camera, while shown here
        self.maximized: int | None = None  # a tile shown over the whole view (double-click)
        self.zoom: dict[int, tuple[float, float, float]] = {}  # tile -> (factor, centre x, centre y) in 0..1
        self.overlay = False
        self._drag_from: QPointF | None = None
        self._seen_version = -1
        self._seen_live = -1
        self._seen_frames: dict[int, int] = {}
        self._plan_key: tuple = ()
        self._frame_rects: dict[int, QRect] = {}  # tile -> its rectangle in the view (for this plan)
        self.hits: dict[int, list] = {}  # tile -> click targets its last paint drew (KPI bars, breadcrumbs)
        self.kpi_at: float | None = None  # KPI values as of this time (a frozen briefing), None: live
        self._seen_kpi: dict[int, tuple] = {}
        self._kpi_painted: dict[int, float] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAcceptDrops(interactive)
        # The operator's pointer on a document follows the mouse with Shift held, buttons up.
        self.setMouseTracking(interactive)
        self._seen_pointer: tuple[int, int | None] = (0, None)
        self._seen_docs = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if interactive else Qt.FocusPolicy.NoFocus)
        # One timer per view pulls what changed; painting happens only when something did.
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._tick)

    # -- cameras: hold the streams this view shows, only while it is visible ----------------
    def context(self) -> TileContext:
        at = self.kpi_at if self.kpi_at is not None else self.store.state.as_of
        return TileContext(self.store, self.feeds.get, self.tour_position, self.overlay and not self.store.state.presenting,
                           self.zoom, self.alerts_for, self.banner, self.hits, at, self.timer)

    def _camera_of(self, index: int) -> Source | None:
        sid = self.store.state.tiles[index]
        tour = self.tour_position(index) if sid else None
        if tour is not None:
            sid = tour.camera
        src = self.store.sources.get(sid) if sid else None
        return src if src is not None and src.kind == SourceKind.CAMERA else None

    def _wanted(self) -> dict[int, tuple[Source, tuple[int, int], bool, bool, bool]]:
        """Camera tiles visible in this view: source, on-screen size in device pixels, main forced,
        priority (the alarm tile's camera and the tiles kept at full rate keep every frame when the machine
        is too busy for all its streams) and masked (a sensitive camera in a meeting, shown blurred)."""
        if not self.isVisible() or self.isMinimized():
            return {}
        state = self.store.state
        priority = set(state.full_rate) | self.store.alarm_tiles
        clip = QRectF(self.region.x, self.region.y, self.region.w, self.region.h)
        scale = self._scale() * self.devicePixelRatioF()
        wanted = {}
        for i, rect in enumerate(tile_rects(self.store, self.geometry_)):
            if self.maximized is not None and i != self.maximized:
                continue  # covered by the full-screen tile: no decoding for it
            src = self._camera_of(i)
            if src is None or not rect.intersects(clip):
                continue
            if self.maximized == i:
                rect = clip
            # Full-screen and zoomed tiles show detail: they always take the main stream.
            main = self.maximized == i or self.zoom.get(i, (1.0, 0.5, 0.5))[0] > 1.0
            # The picture fills the tile: ask for exactly its pixels.
            # Nobody sees it sharp: a sensitive camera blurred for a meeting, or any camera on a blanked wall (kept
            # at a picture a GOP rather than let go, so that it is back at once when the wall is shown again).
            masked = state.blank or (state.presenting and "sensitive" in src.tags and i not in state.unmasked)
            wanted[i] = (src, (int(rect.width() * scale), int(rect.height() * scale)), main, i in priority, masked)
        return wanted

    def _sync_feeds(self) -> None:
        wanted = self._wanted()
        for i in list(self.feeds):
            if i not in wanted:
                self.feeds.pop(i).release()
                self._seen_frames.pop(i, None)
            elif wanted[i][0] != self.feeds[i].source:
                src, size, main, first, masked = wanted[i]
                if src.main is None and src.sub is None:
                    self.feeds.pop(i).release()
                else:
                    # Another camera on the same tile (a tour moving on, an alarm): the old picture
                    # stays until the new camera's first frame, as in a main/sub switch.
                    self.feeds[i].switch(src, size, main, first, masked)
        for i, (src, size, zoomed, first, masked) in wanted.items():
            feed = self.feeds.get(i)
            if feed is None:
                if src.main is None and src.sub is None:
                    continue  # not playable yet (the demo may still be making its clips)
                self.feeds[i] = CameraFeed(self.media, src, size, zoomed, first, masked)
            elif (feed.size, feed.force_main, feed.priority, feed.masked) != (size, zoomed, first, masked):
                feed.update(size, zoomed, first, masked)

    def held_sources(self) -> set[str]:
        return {feed.source.id for feed in self.feeds.values()}

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._seen_version = -1
        self._timer.start()
        self._tick()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self.release()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.WindowStateChange:
            self._tick()  # minimised or restored: hold or let go of the streams now
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.release()
        super().closeEvent(event)

    def release(self) -> None:
        """Stop this view's decoding (hidden, closed); showing it again starts it again."""
        self._timer.stop()
        for feed in self.feeds.values():
            feed.release()
        self.feeds = {}
        self._seen_frames = {}
        self._plan_key = ()  # shown again, it must plan its streams anew

    def _tick(self) -> None:
        if not self._timer.isActive() and self.isVisible():
            self._timer.start()
        dirty = False
        if self.store.state.version != self._seen_version or self.store.live_version != self._seen_live:
            self._seen_version = self.store.state.version
            self._seen_live = self.store.live_version
            dirty = True
        # Which streams to hold changes only with the wall, the sources, the view's size, zoom or
        # full-screen tile, or a tour moving on: check those cheaply, re-plan only when one changed.
        tiles = self.store.state.tiles
        tours = tuple((pos.camera if (pos := self.tour_position(i)) else None)
                      for i, sid in enumerate(tiles) if sid and sid.startswith(TOUR_PREFIX))
        plan_key = (self._seen_version, self._seen_live, self.width(), self.height(), self.maximized,
                    tuple(sorted(self.zoom)), tours, self.isVisible(), self.isMinimized(), self.store.alarm_tiles)
        if plan_key != self._plan_key:
            self._plan_key = plan_key
            self._frame_rects = {}
            self._sync_feeds()
        fresh = []
        for i, feed in self.feeds.items():
            seq = feed.seq
            if self._seen_frames.get(i) != seq:
                self._seen_frames[i] = seq
                fresh.append(i)
            elif (info := feed.info) is not None and info.state != "live":
                fresh.append(i)  # keep the state text's countdown moving
        fresh.extend(self._kpi_changes())
        fresh.extend(self._document_changes())
        banner = self.banner()
        if banner != self._seen_banner:
            self._seen_banner = banner
            dirty = True
        if self.store.state.presenting and int(time.time()) != self._seen_second:
            # The title strip's clock and timers move on once a second.
            self._seen_second = int(time.time())
            self._update_canvas_rect(QRectF(0, 0, self.geometry_.width, strip_height(self.geometry_)))
        if dirty or (self.overlay and self.feeds) or (self.maximized is not None and fresh):
            self.update()
        else:
            # Only the tiles whose picture changed: a new frame on one camera repaints one tile.
            rects = self._frame_rects
            for i in fresh:
                rect = rects.get(i)
                if rect is None:
                    rect = rects[i] = self._tile_device_rect(i).toAlignedRect()
                self.update(rect)

    def _kpi_changes(self) -> list[int]:
        """KPI tiles whose values (or chart) changed: repainted at most 10 times a second each."""
        book = self.store.kpi_book
        if book is None:
            return []
        CHARTS.refresh()
        now = time.monotonic()
        wall_clock = int(time.time() // 5)  # stale marks and "as of" ages move on even without values
        out = []
        for i, ref_text in enumerate(self.store.state.tiles):
            if not is_kpi_ref(ref_text) or (self.maximized is not None and i != self.maximized):
                continue
            try:
                ref = KpiRef.parse(ref_text or "")
            except KpiRefError:
                continue
            unit = ref.unit or (self.store.kpi_units.default_scope() if self.store.kpi_units else "")
            if ref.view == "chart":
                key: tuple = (ref_text, CHARTS.serial(book, ref, unit), wall_clock)
            else:
                key = (ref_text, book.versions.get(ref.indicator, 0), wall_clock)
            if self._seen_kpi.get(i) != key and now - self._kpi_painted.get(i, 0.0) >= 0.1:
                self._seen_kpi[i] = key
                self._kpi_painted[i] = now
                out.append(i)
        return out

    def _document_changes(self) -> list[int]:
        """Document tiles to repaint: the pointer moved on them, or a page finished converting."""
        out: list[int] = []
        pointer = self.store.pointer
        key = (self.store.pointer_version, pointer.tile if pointer else None)
        if key != self._seen_pointer:
            out += [i for i in (self._seen_pointer[1], key[1]) if i is not None]
            self._seen_pointer = key
        DOCUMENTS.refresh()
        if DOCUMENTS.version != self._seen_docs:
            self._seen_docs = DOCUMENTS.version
            out += [i for i in range(len(self.store.state.tiles)) if self._document_of(i) is not None]
        return [i for i in out if i < len(self.store.state.tiles)]

    def _document_of(self, index: int) -> tuple[Source, DocRef] | None:
        ref_text = self.store.state.tiles[index] if index < len(self.store.state.tiles) else None
        src = self.store.sources.get(base_source_id(ref_text)) if ref_text else None
        if src is None or src.kind != SourceKind.DOCUMENT or not src.file:
            return None
        try:
            return src, DocRef.parse(ref_text or "")
        except DocRefError:
            return None

    def _page_under(self, index: int, pos: QPointF) -> tuple[float, float] | None:
        """Where on the page of document tile ``index`` the view's point ``pos`` is (0..1), if on it."""
        found = self._document_of(index)
        if found is None:
            return None
        src, ref = found
        if self.maximized == index:
            rect = QRectF(self.region.x, self.region.y, self.region.w, self.region.h)
        else:
            rect = tile_rects(self.store, self.geometry_)[index]
        inner = rect.adjusted(2, 2, -2, -2)
        page = tile_page_rect(inner, ref, src.file)
        return None if page is None else page_point(page, self.to_canvas(pos), page_area(inner))

    def kpi_hit(self, pos: QPointF) -> tuple[int, str] | None:
        """The KPI tile and unit under a point of this view (a bar or breadcrumb), if any."""
        index = self.tile_at(pos)
        if index is None:
            return None
        c = self.to_canvas(pos)
        for hit in self.hits.get(index, ()):
            if hit.rect.contains(c) and hit.unit:
                return index, hit.unit
        return None

    # -- geometry ------------------------------------------------------------------------
    def _scale(self) -> float:
        return min(self.width() / self.region.w, self.height() / self.region.h)

    def _origin(self) -> QPointF:
        s = self._scale()
        return QPointF((self.width() - self.region.w * s) / 2, (self.height() - self.region.h * s) / 2)

    def to_canvas(self, pos: QPointF) -> QPointF:
        s, o = self._scale(), self._origin()
        return QPointF((pos.x() - o.x()) / s + self.region.x, (pos.y() - o.y()) / s + self.region.y)

    def tile_at(self, pos: QPointF) -> int | None:
        if self.maximized is not None:
            return self.maximized
        c = self.to_canvas(pos)
        for i, rect in enumerate(tile_rects(self.store, self.geometry_)):
            if rect.contains(c):
                return i
        return None

    def tile_center(self, index: int) -> QPointF:
        """Widget coordinates of a tile's centre (used by keyboard focus and tests)."""
        rect = tile_rects(self.store, self.geometry_)[index]
        s, o = self._scale(), self._origin()
        return QPointF(o.x() + (rect.center().x() - self.region.x) * s, o.y() + (rect.center().y() - self.region.y) * s)

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        s, o = self._scale(), self._origin()
        # The letterbox around the canvas (a view whose shape differs from its region); the canvas
        # paints its own pixels.
        margins = QRegion(event.rect()) - QRegion(inside_px(QRectF(o.x(), o.y(), self.region.w * s,
                                                                    self.region.h * s)))
        for r in margins:  # type: ignore[attr-defined]  # iterable at run time
            p.fillRect(r, BG)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        # Pictures made for their tile are copied 1:1; smoothing is for the rest (the miniature, zoom).
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.translate(o)
        p.scale(s, s)
        p.translate(-self.region.x, -self.region.y)
        # Each rectangle Qt asks for, in canvas pixels, shrunk a hair so a neighbour that only touches
        # it is not repainted too.
        to_canvas = p.transform().inverted()[0]
        exposed = [to_canvas.mapRect(QRectF(r)).adjusted(0.5, 0.5, -0.5, -0.5)
                   for r in event.region()]  # type: ignore[attr-defined]  # iterable at run time
        paint_canvas(p, self.context(), self.geometry_, self.region,
                     show_bezels=self.interactive and self.maximized is None, only=self.maximized,
                     exposed=exposed)
        if self.interactive and self.maximized is None and self.selected is not None \
                and self.selected < self.store.state.layout.tile_count:
            rect = tile_rects(self.store, self.geometry_)[self.selected]
            p.setPen(QPen(SELECT, 3 / s))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(2 / s, 2 / s, -2 / s, -2 / s))
        p.end()

    # -- interaction (miniature) ---------------------------------------------------------
    def select(self, index: int | None) -> None:
        self.selected = index
        self.update()
        if index is not None:
            self.sig_tile_clicked.emit(index + 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.kpi_hit(event.position())
            if hit is not None:
                self.sig_kpi_unit.emit(hit[0] + 1, hit[1])
            index = self.tile_at(event.position())
            if self.interactive and self.maximized is None:
                self.select(index)
            if index is not None and index in self.zoom:
                self._drag_from = event.position()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.tile_at(event.position())
        if self.interactive and index is not None and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            at = self._page_under(index, event.position())
            if at is not None:
                self.store.set_pointer(index, *at)
        if self._drag_from is not None and index is not None and index in self.zoom:
            factor, cx, cy = self.zoom[index]
            rect = self._tile_device_rect(index)
            delta = event.position() - self._drag_from
            self._drag_from = event.position()
            # Dragging moves the picture with the hand, so the view's centre moves the other way.
            self.set_zoom(index, factor, cx - delta.x() / rect.width() / factor,
                          cy - delta.y() / rect.height() / factor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        index = self.tile_at(QPointF(event.pos()))
        if self.interactive and index is not None:
            self.select(index)
            self.sig_context_menu.emit(index + 1, event.globalPos())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.tile_at(event.position())
        if index is not None:
            self.toggle_maximized(index)
            self.sig_tile_activated.emit(index + 1)

    def toggle_maximized(self, index: int | None) -> None:
        """Show one tile over this whole view, or go back to the layout."""
        self.maximized = None if index is None or self.maximized == index else index
        self._tick()
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        index = self.tile_at(event.position())
        document = self._document_of(index) if index is not None and self.interactive else None
        if index is not None and document is not None:
            # Zoom the page towards the point under the cursor; the wall follows (it is the tile's state).
            ref = document[1]
            at = self._page_under(index, event.position()) or (ref.cx, ref.cy)
            zoom = max(1.0, min(4.0, ref.zoom * (1.25 if event.angleDelta().y() > 0 else 0.8)))
            self.sig_command.emit(ShowDocument(tile=index + 1, zoom=zoom, cx=at[0], cy=at[1]))
            event.accept()
            return
        if index is None or self._camera_of(index) is None:
            return
        factor, cx, cy = self.zoom.get(index, (1.0, 0.5, 0.5))
        rect = self._tile_device_rect(index)
        # Zoom about the point under the cursor, so it stays where it is on the screen.
        fx = (event.position().x() - rect.x()) / rect.width() - 0.5
        fy = (event.position().y() - rect.y()) / rect.height() - 0.5
        px, py = cx + fx / factor, cy + fy / factor
        new = max(1.0, min(8.0, factor * (1.25 if event.angleDelta().y() > 0 else 0.8)))
        self.set_zoom(index, new, px - fx / new, py - fy / new)
        event.accept()

    def set_zoom(self, index: int, factor: float, cx: float = 0.5, cy: float = 0.5) -> None:
        """Digital zoom of a camera tile: ``factor`` >= 1 about the centre (cx, cy), 0..1 of the picture."""
        if factor <= 1.0:
            self.zoom.pop(index, None)
        else:
            half = 0.5 / factor
            self.zoom[index] = (factor, min(1 - half, max(half, cx)), min(1 - half, max(half, cy)))
        self._tick()
        self.update()

    def _update_canvas_rect(self, rect: QRectF) -> None:
        """Repaint the part of this view that shows ``rect`` of the canvas (if any)."""
        region = QRectF(self.region.x, self.region.y, self.region.w, self.region.h)
        part = rect.intersected(region)
        if part.isEmpty():
            return
        s, o = self._scale(), self._origin()
        self.update(QRectF(o.x() + (part.x() - self.region.x) * s, o.y() + (part.y() - self.region.y) * s,
                           part.width() * s, part.height() * s).toAlignedRect().adjusted(-1, -1, 1, 1))

    def _tile_device_rect(self, index: int) -> QRectF:
        if self.maximized == index:
            rect = QRectF(self.region.x, self.region.y, self.region.w, self.region.h)
        else:
            rect = tile_rects(self.store, self.geometry_)[index]
        s, o = self._scale(), self._origin()
        return QRectF(o.x() + (rect.x() - self.region.x) * s, o.y() + (rect.y() - self.region.y) * s,
                      rect.width() * s, rect.height() * s)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(SOURCE_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(SOURCE_MIME) and self.tile_at(event.position()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        index = self.tile_at(event.position())
        if index is None or not event.mimeData().hasFormat(SOURCE_MIME):
            event.ignore()
            return
        source_id = bytes(event.mimeData().data(SOURCE_MIME).data()).decode("utf-8")
        event.acceptProposedAction()
        self.select(index)
        self.sig_source_dropped.emit(index + 1, source_id)
