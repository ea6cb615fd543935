"""Painting alone: the GUI thread's CPU per camera-tile picture, without decoders, against a bare drawImage loop.

    .venv/bin/python -m bench.paint_only --tiles 4,9,16,25 --frames 400 --runs 3

The wall's decoders share the GUI thread's process (and the GIL) with painting, so in bench/camera_wall.py the
GUI thread's figure mixes painting with waiting. Here no decoder runs: a hub hands every tile a picture already
at the size the decoder would make for it (``decoder.fit``), a new one for every tile on every step, and the
real ``WallView`` (offscreen, 1920x1080, a k x k grid) picks them up on its own timer tick and paints them.
CPU is the GUI thread's own (``time.thread_time``) over all steps, divided by the pictures painted.

The same wall is also measured with its shortcut for live tiles switched off (``general``): every picture
through the general tile painter, as before that shortcut existed. The ceiling: a bare QWidget that repaints each tile's rectangle and paints the same pictures 1:1 with one
``drawImage`` each (no captions, no letterbox, no states): what copying the pixels costs on its own.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCREEN = (1920, 1080)
# console: the wall as it runs; general: the same wall with the live-tile shortcut (tile_painter._paint_live)
# switched off, every tile through the general painter; bare: the ceiling.
KINDS = ("console", "general", "bare")


class _StaticHandle:
    """What a tile holds: the newest picture and a live stream's figures."""

    def __init__(self, spec, size: tuple[int, int]) -> None:
        from console.media.decoder import StreamInfo, StreamState
        from console.media.slots import FrameSlot

        self.spec = spec
        self.slot = FrameSlot()
        self.size = size
        self.info = StreamInfo(state=StreamState.LIVE, codec="h264", width=1280, height=720, fps=25.0)

    def frame(self):
        return self.slot.read()

    @property
    def seq(self) -> int:
        return self.slot.seq

    def resize(self, size: tuple[int, int], detail: bool = False, priority: bool = False,
               masked: bool = False) -> None:
        self.size = size

    def release(self) -> None:
        pass


class StaticHub:
    """Stands in for MediaHub: no decoders; ``step`` gives every held tile a new picture of its size."""

    def __init__(self) -> None:
        self.handles: list[_StaticHandle] = []
        self._pictures: dict[tuple[int, int], list[np.ndarray]] = {}

    def acquire(self, spec, size=(640, 360), detail: bool = False, priority: bool = False,
                masked: bool = False) -> _StaticHandle:
        handle = _StaticHandle(spec, size)
        self.handles.append(handle)
        return handle

    def step(self, n: int) -> None:
        from console.media.decoder import fit

        for h in self.handles:
            w, hh = fit(1280, 720, *h.size)
            pics = self._pictures.get((w, hh))
            if pics is None:
                rng = np.random.default_rng(w * hh)
                pics = [rng.integers(0, 255, (hh, w, 4), dtype=np.uint8) for _ in range(2)]
                self._pictures[(w, hh)] = pics
            h.slot.write(pics[n % 2])

    def decoders(self) -> dict:
        return {}

    def stop(self) -> None:
        pass


def console_wall(n: int, hub: StaticHub):
    from console.bus import Bus
    from console.commands import AssignSource
    from console.messages import SourcesChanged
    from console.model.geometry import Bezel, wall_geometry
    from console.model.sources import Source, SourceKind, StreamSpec
    from console.persistence import Database
    from console.store import Store
    from layouts.grid import Cell, Layout
    from widgets.wall_view import WallView

    k = math.ceil(math.sqrt(n))
    tmp = tempfile.TemporaryDirectory(prefix="bench-paint-")
    db = Database(Path(tmp.name) / "bench.db")
    bus = Bus()
    layout = Layout(f"grid{k}x{k}", k, k, tuple(Cell(r, c) for r in range(k) for c in range(k)))
    store = Store(bus, db, {layout.name: layout}, layout.name)
    sources = tuple(Source(f"bench/cam{i + 1}", SourceKind.CAMERA, f"Camera {i + 1}", "bench",
                           main=StreamSpec(f"rtsp://127.0.0.1:1/cam{i + 1}")) for i in range(n))
    bus.publish(SourcesChanged("bench", sources))
    for i in range(n):
        assert store.execute(AssignSource(tile=i + 1, source=f"bench/cam{i + 1}"), "bench", "bench").ok
    geometry = wall_geometry(1, 1, ["WALL-1"], SCREEN, (1209.6, 680.4), Bezel())
    view = WallView(store, hub, geometry, None)  # type: ignore[arg-type]  # StaticHub stands in for MediaHub
    view.resize(*SCREEN)
    return view, (tmp, db)


def bare_wall(n: int, hub: StaticHub):
    """The ceiling: one drawImage per tile picture, each tile's rectangle repainted on its own."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QWidget

    from console.model.sources import StreamSpec

    k = math.ceil(math.sqrt(n))
    tw, th = SCREEN[0] // k, SCREEN[1] // k
    rects = [((i % k) * tw, (i // k) * th, tw, th) for i in range(n)]
    handles = [hub.acquire(StreamSpec(f"bare{i}"), (tw - 2, th - 2)) for i in range(n)]

    class Bare(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.seen = [-1] * n

        def _tick(self) -> None:
            for i, h in enumerate(handles):
                if h.seq != self.seen[i]:
                    self.seen[i] = h.seq
                    x, y, w, hh = rects[i]
                    self.update(x, y, w, hh)

        def paintEvent(self, event) -> None:  # noqa: N802
            p = QPainter(self)
            area = event.rect()
            for (x, y, w, hh), h in zip(rects, handles, strict=True):
                if not area.intersects(QRect(x, y, w, hh)):
                    continue
                f = h.frame()
                if f is None:
                    continue
                img = f.image
                p.drawImage(x + 1, y + 1, QImage(img.data, img.shape[1], img.shape[0], img.strides[0],
                                                 QImage.Format.Format_RGB32))
            p.end()

    view = Bare()
    view.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    view.resize(*SCREEN)
    return view, None


def measure(kind: str, n: int, frames: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from widgets import tile_painter

    app = QApplication.instance() or QApplication([sys.argv[0]])
    hub = StaticHub()
    fast = tile_painter._paint_live
    if kind == "general":  # the same wall with the live-tile shortcut switched off
        tile_painter._paint_live = lambda *_args: None  # type: ignore[assignment]
    try:
        view, keep = (bare_wall if kind == "bare" else console_wall)(n, hub)
        return _measure(app, hub, view, keep, frames)
    finally:
        tile_painter._paint_live = fast


def _measure(app, hub: StaticHub, view, keep, frames: int) -> dict:
    view.show()
    painted = [0]
    orig = view.paintEvent

    def counting(event):
        painted[0] += 1
        orig(event)

    view.paintEvent = counting  # type: ignore[method-assign]
    for i in range(20):  # warm up: feeds opened, captions cached
        hub.step(i)
        view._tick()
        app.processEvents()
    painted[0] = 0
    c0, t0 = time.thread_time(), time.perf_counter()
    for i in range(frames):
        hub.step(i)
        view._tick()
        app.processEvents()
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    pictures = frames * len(hub.handles)
    view.close()
    if keep is not None:
        keep[1].stop()
    return {"cpu_ms_per_picture": 1000 * cpu / pictures, "wall_ms_per_picture": 1000 * wall / pictures,
            "paint_events": painted[0], "pictures": pictures,
            "tile": f"{hub.handles[0].size[0]}x{hub.handles[0].size[1]}"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiles", default="4,9,16,25")
    ap.add_argument("--frames", type=int, default=400, help="steps per cell (every tile gets a picture each step)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    rows = []
    for n in [int(x) for x in args.tiles.split(",")]:
        got: dict[str, list[dict]] = {k: [] for k in KINDS}
        for _ in range(args.runs):
            for kind in KINDS:  # interleaved, so a slow spell of the machine hits every kind alike
                got[kind].append(measure(kind, n, args.frames))
        med = {k: statistics.median(r["cpu_ms_per_picture"] for r in v) for k, v in got.items()}
        rows.append((n, got["console"][0]["tile"], med))
    print("| tiles | tile (px) | console ms/picture (x bare) | general path ms/picture (x bare) | bare drawImage "
          "ms/picture | console / general / bare, % of a core at 25 fps |")
    print("|---|---|---|---|---|---|")
    for n, tile, med in rows:
        b = med["bare"]
        # 25 pictures a second per tile: the GUI thread's share of a core for the whole wall.
        share = " / ".join(f"{100 * med[k] * 25 * n / 1000:.1f}" for k in KINDS)
        print(f"| {n} | {tile} | {med['console']:.3f} ({med['console'] / b:.2f}x) | "
              f"{med['general']:.3f} ({med['general'] / b:.2f}x) | {b:.3f} | {share} |")
    print(f"\nGUI thread CPU (time.thread_time), medians of {args.runs} runs of {args.frames} steps; "
          "offscreen, 1920x1080, no decoders.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
