"""How a decoded picture meets its tile: converted at the tile's size, or at its own size when the two are
within a few percent, and then copied 1:1 (sharp) rather than stretched."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from console.media.decoder import NEAR_NATIVE, fit, light_wanted
from console.media.slots import Frame
from widgets.tile_painter import _paint_frame


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
