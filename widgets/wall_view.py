"""WallView: draws the wall canvas, or one display's part of it, from the store's state.

The same view is a display window on the wall (its region 1:1), the scaled wall window on a
laptop, and the operator's live miniature (the whole canvas, with selection and drop targets).
Thread: GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from console.media.slots import FrameHub
from console.model.geometry import Rect, WallGeometry
from console.model.sources import SourceKind
from console.store import Store
from widgets.tile_painter import BG, TileContext, paint_tile

SOURCE_MIME = "application/x-ioc-source"
BEZEL = QColor(0, 0, 0)
SELECT = QColor(64, 156, 255)


def tile_rects(store: Store, geometry: WallGeometry) -> list[QRectF]:
    layout = store.state.layout
    rects = (geometry.tile_rect(layout, i) for i in range(layout.tile_count))
    return [QRectF(r.x, r.y, r.w, r.h) for r in rects]


def paint_canvas(p: QPainter, store: Store, frames: FrameHub, geometry: WallGeometry, region: Rect,
                 show_bezels: bool) -> None:
    """Paint the tiles that meet ``region`` (canvas pixels); the painter maps canvas to device."""
    ctx = TileContext(store, frames)
    clip = QRectF(region.x, region.y, region.w, region.h)
    p.fillRect(clip, BG)
    for i, rect in enumerate(tile_rects(store, geometry)):
        if rect.intersects(clip):
            paint_tile(p, rect, i, store.state.tiles[i], ctx)
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


def render_canvas(store: Store, frames: FrameHub, geometry: WallGeometry, scale: float = 1.0) -> QImage:
    """The whole wall canvas as an image (for screenshots and checks)."""
    w, h = max(1, round(geometry.width * scale)), max(1, round(geometry.height * scale))
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(BG)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.scale(scale, scale)
    paint_canvas(p, store, frames, geometry, Rect(0, 0, geometry.width, geometry.height), show_bezels=True)
    p.end()
    return img


class WallView(QWidget):
    """A view of the wall canvas. ``region`` None shows the whole canvas scaled to fit."""

    sig_tile_clicked = Signal(int)
    sig_tile_activated = Signal(int)
    sig_source_dropped = Signal(int, str)  # tile number (1-based), source id

    def __init__(self, store: Store, frames: FrameHub, geometry: WallGeometry, region: Rect | None = None,
                 interactive: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.frames = frames
        self.geometry_ = geometry
        self.region = region or Rect(0, 0, geometry.width, geometry.height)
        self.interactive = interactive
        self.selected: int | None = None
        self._held: dict[str, int] = {}  # source id -> tiles of this view showing it
        self._seen_version = -1
        self._seen_live = -1
        self._seen_frames: dict[str, int] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAcceptDrops(interactive)
        self.setMouseTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if interactive else Qt.FocusPolicy.NoFocus)
        # One timer per view pulls what changed; painting happens only when something did.
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._tick)

    # -- frames: hold the streams this view shows, only while it is visible ----------------
    def _wanted(self) -> dict[str, int]:
        clip = QRectF(self.region.x, self.region.y, self.region.w, self.region.h)
        wanted: dict[str, int] = {}
        for i, rect in enumerate(tile_rects(self.store, self.geometry_)):
            sid = self.store.state.tiles[i]
            src = self.store.sources.get(sid) if sid else None
            if src is not None and src.kind == SourceKind.CAMERA and rect.intersects(clip):
                wanted[src.id] = wanted.get(src.id, 0) + 1
        return wanted

    def _sync_frames(self) -> None:
        wanted = self._wanted() if self.isVisible() else {}
        for sid in set(self._held) - set(wanted):
            self.frames.release(sid)
            self._seen_frames.pop(sid, None)
        for sid in set(wanted) - set(self._held):
            self.frames.acquire(sid)
        self._held = {sid: 1 for sid in wanted}

    def held_sources(self) -> set[str]:
        return set(self._held)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._seen_version = -1
        self._timer.start()
        self._tick()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._timer.stop()
        self._sync_frames()

    def closeEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        for sid in list(self._held):
            self.frames.release(sid)
        self._held = {}
        super().closeEvent(event)

    def release(self) -> None:
        self._timer.stop()
        for sid in list(self._held):
            self.frames.release(sid)
        self._held = {}

    def _tick(self) -> None:
        dirty = False
        if self.store.state.version != self._seen_version or self.store.live_version != self._seen_live:
            if self.store.state.version != self._seen_version:
                self._sync_frames()
            # Sources may arrive after the state (a connector's catalogue), so re-check holds.
            elif set(self._wanted()) != set(self._held):
                self._sync_frames()
            self._seen_version = self.store.state.version
            self._seen_live = self.store.live_version
            dirty = True
        for sid in self._held:
            seq = self.frames.slot(sid).seq
            if self._seen_frames.get(sid) != seq:
                self._seen_frames[sid] = seq
                dirty = True
        if dirty:
            self.update()

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
        p.fillRect(self.rect(), BG)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        # Until decoders scale to the tile's size, smooth scaling keeps burned-in text readable.
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        s, o = self._scale(), self._origin()
        p.translate(o)
        p.scale(s, s)
        p.translate(-self.region.x, -self.region.y)
        paint_canvas(p, self.store, self.frames, self.geometry_, self.region, show_bezels=self.interactive)
        if self.interactive and self.selected is not None and self.selected < self.store.state.layout.tile_count:
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
        if self.interactive and event.button() == Qt.MouseButton.LeftButton:
            self.select(self.tile_at(event.position()))
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.tile_at(event.position()) if self.interactive else None
        if index is not None:
            self.sig_tile_activated.emit(index + 1)

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
