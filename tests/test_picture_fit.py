"""How a decoded picture meets its tile: converted at the tile's size, or at its own size when the two are
within a few percent, and then copied 1:1 (sharp) rather than stretched."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from console.bus import Bus
from console.commands import AssignSource
from console.media.decoder import NEAR_NATIVE, StreamInfo, StreamState, fit, light_wanted
from console.media.slots import Frame
from console.messages import SourcesChanged
from console.model.sources import Source, SourceKind, StreamSpec
from console.model.tours import TourPosition
from console.persistence import Database
from console.store import Store
from layouts.grid import BUILTIN_LAYOUTS
from widgets import tile_painter
from widgets.tile_painter import TileContext, _paint_frame


def test_a_stream_close_to_its_tile_comes_at_its_own_size():
    assert fit(1920, 1080, 1920, 1080) == (1920, 1080)
    assert fit(1920, 1080, 1916, 1076) == (1920, 1080)  # 0.4% smaller: no rescale
    assert fit(640, 360, 630, 355) == (640, 360)
    # Clearly smaller tiles get a picture made for them, its width a multiple of 16 pixels.
    w, h = fit(1920, 1080, 1800, 1000)
    assert (w, h) == (1776, 1000) and w % 16 == 0
    assert fit(1280, 720, 640, 360) == (640, 360)
    assert fit(1920, 1080, int(1920 * NEAR_NATIVE) - 2, 1080)[0] < 1920
    # Never enlarged: a small stream on a big tile comes at its own size, and Qt scales it.
    assert fit(640, 360, 1920, 1080) == (640, 360)


def checkerboard(w: int, h: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    grey = np.where((xx + yy) % 2 == 0, 255, 0).astype(np.uint8)
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 0] = img[..., 1] = img[..., 2] = grey
    img[..., 3] = 255
    return img


def paint(picture: np.ndarray, tile: QRectF, canvas: tuple[int, int]) -> np.ndarray:
    out = QImage(canvas[0], canvas[1], QImage.Format.Format_RGB32)
    out.fill(0x123456)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setClipRect(tile)
    _paint_frame(p, tile, Frame(1, picture, 0.0), None)
    p.end()
    view = np.frombuffer(out.constBits(), np.uint8).reshape(canvas[1], out.bytesPerLine() // 4, 4)
    return view[:, : canvas[0], :3].copy()


def test_a_picture_a_hair_larger_than_its_tile_is_shown_sharp_and_centred(qapp):
    """1-pixel detail (a number plate's strokes) survives: the middle of the picture is copied, not squeezed."""
    pic = checkerboard(648, 368)
    px = paint(pic, QRectF(0, 0, 640, 360), (640, 360))
    # Every pixel is pure black or white (no blending from a rescale) and the whole tile is covered.
    assert set(np.unique(px)) <= {0, 255}
    # Centred: the tile's (0, 0) is the picture's (4, 4).
    assert (px[0, 0, 0] == 255) == ((4 + 4) % 2 == 0)
    assert np.array_equal(px[:, :, 0], pic[4:364, 4:644, 0])


def test_a_picture_made_for_its_tile_fills_it_and_bars_are_black(qapp):
    pic = checkerboard(624, 360)  # width rounded down to 16 pixels for a 630-pixel tile
    px = paint(pic, QRectF(10, 20, 630, 360), (660, 400))
    assert set(np.unique(px[20:380, 10:640])) <= {0, 255}  # inside the tile: picture or black bars only
    assert np.array_equal(px[20:380, 13:637, 0], pic[:, :, 0])  # copied 1:1, centred
    assert (px[20:380, 10:13] == 0).all() and (px[20:380, 637:640] == 0).all()  # the bars
    assert (px[0:20, :, 0] == 0x56).all(), "nothing painted outside the tile"


def test_light_decoding_only_where_the_tile_shows_half_the_stream_or_less():
    assert light_wanted(1920, 1080, 640, 360, detail=False, light_now=False)  # a 3x3 wall tile
    assert light_wanted(1280, 720, 640, 360, detail=False, light_now=False)  # exactly half
    assert not light_wanted(1280, 720, 700, 394, detail=False, light_now=False)
    assert not light_wanted(1920, 1080, 640, 360, detail=True, light_now=False)  # full-screen or zoomed
    assert not light_wanted(0, 0, 640, 360, detail=False, light_now=False)  # size not known yet
    # A gap between going light and going back, so a tile near the line does not switch at every key frame.
    assert light_wanted(1280, 720, 704, 396, detail=False, light_now=True)
    assert not light_wanted(1280, 720, 800, 450, detail=False, light_now=True)


# -- a live camera tile: the per-frame shortcut paints what the general painter paints ------------------

class _Feed:
    """A tile's camera feed as the painter sees it: the newest frame and the stream's figures."""

    def __init__(self, picture: np.ndarray, state: StreamState = StreamState.LIVE) -> None:
        self.picture = picture
        self.info = StreamInfo(state=state, codec="h264", width=1280, height=720, fps=25.0)
        self.role = "main"
        self.priority = False

    def frame(self) -> Frame:
        return Frame(1, self.picture, 0.0)


@pytest.fixture
def camera_store(tmp_path, qapp) -> Iterator[Store]:
    db = Database(tmp_path / "console.db")
    s = Store(Bus(), db, BUILTIN_LAYOUTS, "2x2")
    s.bus.publish(SourcesChanged("cams", (Source("cams/gate", SourceKind.CAMERA, "Cổng chính", "cams",
                                                 main=StreamSpec("rtsp://127.0.0.1:1/gate")),)))
    assert s.execute(AssignSource(tile=1, source="cams/gate"), "tester", "ui").ok
    yield s
    db.stop()


def paint_camera_tile(store: Store, feed: _Feed, tile: QRectF, shortcut: bool, monkeypatch,
                      offset: tuple[float, float] = (0, 0), **ctx) -> tuple[np.ndarray, int]:
    """The tile painted into a canvas; also how many frames the live-tile shortcut painted."""
    taken = []
    live = tile_painter._paint_live

    def counted(*args):
        frame = live(*args) if shortcut else None
        taken.append(frame is not None)
        return frame

    monkeypatch.setattr(tile_painter, "_paint_live", counted)
    out = QImage(700, 420, QImage.Format.Format_RGB32)
    out.fill(0x123456)
    p = QPainter(out)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.translate(*offset)
    tile_painter.paint_tile(p, tile, 0, store.state.tiles[0], TileContext(store, lambda _i: feed, **ctx))
    p.end()
    view = np.frombuffer(out.constBits(), np.uint8).reshape(420, out.bytesPerLine() // 4, 4)
    return view[:, :700, :3].copy(), sum(taken)


def noise(w: int, h: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    img[..., 3] = 255
    return img


@pytest.mark.parametrize("tile, picture", [
    (QRectF(10, 20, 640, 360), (640, 360)),  # a 3x3 tile of a 1080p wall, picture made for it
    (QRectF(10, 20, 630, 360), (624, 360)),  # width rounded down to 16 pixels: black bars left and right
    (QRectF(10, 20, 640, 360), (648, 368)),  # a stream a hair larger than its tile, at its own size
])
def test_a_live_tile_is_painted_the_same_by_the_per_frame_shortcut(camera_store, monkeypatch, tile, picture):
    feed = _Feed(noise(*picture))
    fast, taken = paint_camera_tile(camera_store, feed, tile, True, monkeypatch)
    general, _ = paint_camera_tile(camera_store, feed, tile, False, monkeypatch)
    assert taken == 1, "a live tile shown 1:1 takes the shortcut"
    assert np.array_equal(fast, general)
    # What a viewer sees: the picture's middle, the caption over its bottom, the border, nothing outside.
    x, y = int(tile.x()), int(tile.y())
    cx, cy = x + int(tile.width()) // 2, y + int(tile.height()) // 3
    px, py = cx - round(tile.center().x() - picture[0] / 2), cy - round(tile.center().y() - picture[1] / 2)
    assert np.array_equal(fast[cy, cx], feed.picture[py, px, :3])
    assert (fast[y + int(tile.height()) - 20, x + 8: x + 200] < feed.picture[:, :, :3].mean()).mean() > 0.6, \
        "the caption strip darkens the bottom of the picture"
    assert (fast[y, x + 5] == [68, 56, 48]).all(), "the tile's border"
    assert (fast[0:y, :, 0] == 0x56).all() and (fast[:, x + int(tile.width()) + 1:, 0] == 0x56).all()


@pytest.mark.parametrize("case", ["stalled", "overlay", "zoomed", "scaled view", "off the pixel grid"])
def test_anything_but_a_plain_live_tile_goes_through_the_general_painter(camera_store, monkeypatch, case):
    feed = _Feed(noise(640, 360), StreamState.STALLED if case == "stalled" else StreamState.LIVE)
    ctx: dict = {"overlay": case == "overlay", "zoom": {0: (2.0, 0.5, 0.5)} if case == "zoomed" else {}}
    tile = QRectF(10, 20, 640, 360)
    if case == "scaled view":
        tile = QRectF(10, 20, 1280, 720)
    offset = (0.5, 0) if case == "off the pixel grid" else (0, 0)
    if case == "scaled view":
        # The operator's miniature: the canvas is scaled down into the view.
        out = QImage(700, 420, QImage.Format.Format_RGB32)
        p = QPainter(out)
        p.scale(0.5, 0.5)
        taken = []
        live = tile_painter._paint_live
        monkeypatch.setattr(tile_painter, "_paint_live", lambda *a: taken.append(live(*a)) or None)
        tile_painter.paint_tile(p, tile, 0, camera_store.state.tiles[0], TileContext(camera_store, lambda _i: feed))
        p.end()
        assert taken == [None]
        return
    fast, taken = paint_camera_tile(camera_store, feed, tile, True, monkeypatch, offset, **ctx)
    general, _ = paint_camera_tile(camera_store, feed, tile, False, monkeypatch, offset, **ctx)
    assert taken == 0
    assert np.array_equal(fast, general)


def test_a_tour_tile_takes_the_shortcut_with_its_badge(tmp_path, qapp, monkeypatch):
    db = Database(tmp_path / "console.db")
    store = Store(Bus(), db, BUILTIN_LAYOUTS, "2x2")
    try:
        store.bus.publish(SourcesChanged("cams", (
            Source("cams/gate", SourceKind.CAMERA, "Cổng chính", "cams", main=StreamSpec("rtsp://127.0.0.1:1/gate")),
            Source("tour/night", SourceKind.TOUR, "Tuần tra đêm", "tours"))))
        assert store.execute(AssignSource(tile=1, source="tour/night"), "tester", "ui").ok
        feed = _Feed(noise(640, 360))
        tile = QRectF(10, 20, 640, 360)
        pos = TourPosition("night", "cams/gate", 1, 4, False, 7.4, ())
        fast, taken = paint_camera_tile(store, feed, tile, True, monkeypatch, tour_position=lambda _i: pos)
        general, _ = paint_camera_tile(store, feed, tile, False, monkeypatch, tour_position=lambda _i: pos)
        assert taken == 1
        assert np.array_equal(fast, general)
        # The badge ("Tuần tra đêm 2/4 · 7 s") sits at the caption's right end: light text pixels there.
        strip = fast[int(tile.bottom()) - 30: int(tile.bottom()) - 4, int(tile.right()) - 120: int(tile.right()) - 8]
        assert (strip.min(axis=2) > 120).sum() > 30
    finally:
        db.stop()
