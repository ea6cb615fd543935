"""Guard against PySide6 6.12.0's reference leak on Python 3.11.

That release drops a reference to True/None on every repaint; Python 3.11 does not make those
objects immortal, so after a couple of thousand repaints the count reaches zero and the process
aborts (the wall goes dark). pyproject.toml pins PySide6 below 6.12 on 3.11; this test repaints
the wall's own view and a pyqtgraph plot thousands of times and fails if the counts drift down.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterator

import av
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject

from console.bus import Bus
from console.commands import AssignSource
from console.kpi.service import KpiService
from console.media.hub import MediaHub
from console.messages import SamplesReceived, SourcesChanged
from console.model.kpi import Indicator, KpiSample, UnitTree
from console.model.sources import Source, SourceKind, StreamSpec
from console.persistence import Database
from console.store import Store
from widgets.wall_view import WallView

REPAINTS = 3000
SLACK = 50
CHECK_EVERY = 10
CAMERA = "demo/cam-01"
KPI = "kpi/aqi?view=chart&range=1h"


class PaintCounter(QObject):
    """Counts the paint events a widget really gets (a repaint that paints nothing guards nothing)."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def counts() -> tuple[int, int]:
    return sys.getrefcount(True), sys.getrefcount(None)


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """Cyclic garbage collected mid-loop (earlier tests' leftovers holding hundreds of Nones) would move the
    counts for reasons of its own: collect first, then keep the collector off while counting."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def assert_no_drift(before: tuple[int, int], after: tuple[int, int], what: str, repaints: int) -> None:
    for name, b, a in zip(("True", "None"), before, after, strict=True):
        assert a >= b - SLACK, (
            f"{what}: references to {name} fell from {b} to {a} over {repaints} repaints; this PySide6 "
            f"({pg.Qt.QtCore.__version__}) leaks them and will abort the console on Python "
            f"{sys.version_info.major}.{sys.version_info.minor}"
        )


def write_clip(path, image: np.ndarray, frames: int = 25) -> None:
    """A short H.264 file of one still picture: the camera tile decodes it like any stream."""
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height = image.shape[1], image.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast", "crf": "10"}
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgra")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.fixture
def store(tmp_path, demo_site):
    db = Database(tmp_path / "refcount.db")
    bus = Bus()
    store = Store(bus, db, demo_site.layouts, "ops", demo_site.presets)
    bus.publish(SourcesChanged("demo", (
        Source(CAMERA, SourceKind.CAMERA, "Ngã tư Lê Hồng Phong", "demo",
               main=StreamSpec(str(tmp_path / "still.mp4"), "file")),
    )))
    kpi = KpiService(bus, store, (Indicator("aqi", "AQI", unit_label="AQI", warning=100, critical=150),),
                     UnitTree(demo_site.units))
    kpi.publish_sources()
    now = time.time()
    bus.publish(SamplesReceived("demo", tuple(
        KpiSample("aqi", "p-ninhbinh", now - 60 * k, 60.0 + (k % 7) * 5) for k in range(50, -1, -1))))
    assert store.execute(AssignSource(tile=1, source=CAMERA), "tester", "test").ok
    assert store.execute(AssignSource(tile=7, source=KPI), "tester", "test").ok
    yield store
    db.stop()


@pytest.mark.timeout(60)
def test_repaints_do_not_drain_true_and_none(qtbot, store, demo_site, tmp_path):
    started = time.monotonic()
    image = np.zeros((96, 160, 4), np.uint8)
    image[..., 3] = 255
    image[48:, :, :3] = (70, 70, 72)
    image[:48, :, 0] = np.arange(160, dtype=np.uint8)[None, :]
    write_clip(tmp_path / "still.mp4", image)
    media = MediaHub()

    view = WallView(store, media, demo_site.wall.geometry(), None, interactive=True)
    qtbot.addWidget(view)
    view.resize(480, 180)
    with qtbot.waitExposed(view):
        view.show()
    view.select(0)
    qtbot.waitUntil(lambda: 0 in view.feeds and view.feeds[0].frame() is not None, timeout=10000)
    view.repaint()
    # the camera tile is really painted from the frame: its road grey is on the view
    img = view.grab().toImage()
    centre = view.tile_center(0)
    road = img.pixelColor(int(centre.x()), int(centre.y()) + 15).getRgb()[:3]
    # decoded H.264: the road grey (72, 70, 70) within the codec's rounding
    assert all(abs(a - b) <= 8 for a, b in zip(road, (72, 70, 70), strict=True)), road

    painted = PaintCounter(view)
    with no_collection():
        before = counts()
        for i in range(REPAINTS):
            view.repaint()
            if i % CHECK_EVERY == 0:
                # fail here, before a leaking Qt drains the count to zero and aborts the test run
                assert_no_drift(before, counts(), "WallView.repaint", i + 1)
        assert painted.count >= REPAINTS
        assert_no_drift(before, counts(), "WallView.repaint", REPAINTS)
    view.release()
    media.stop()

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(320, 200)
    curve = plot.plot(np.zeros(32))
    # a fixed range keeps each repaint to the curve (auto-range relays out the axes every time)
    plot.enableAutoRange(False)
    plot.setXRange(0, 31)
    plot.setYRange(-1, 1)
    with qtbot.waitExposed(plot):
        plot.show()
    xs = np.arange(32, dtype=float)
    # the plot is drawn on the view's viewport: repainting the PlotWidget itself paints only its frame
    viewport = plot.viewport()
    viewport.repaint()
    painted = PaintCounter(viewport)
    with no_collection():
        before = counts()
        for i in range(REPAINTS):
            curve.setData(xs, np.sin(xs / 5 + i / 10))
            viewport.repaint()
            if i % CHECK_EVERY == 0:
                assert_no_drift(before, counts(), "pyqtgraph plot repaint", i + 1)
        assert painted.count >= REPAINTS
        assert_no_drift(before, counts(), "pyqtgraph plot repaint", REPAINTS)
    assert time.monotonic() - started < 30
