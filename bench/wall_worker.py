"""One measured viewer process for bench/camera_wall.py (one process per cell, so CPU and memory are its own).

    .venv/bin/python -m bench.wall_worker '<json config>'

Config keys: viewer (console | opencv | qtmm | probe-qtmm), urls (one per tile), duration (s), warmup_s (the
longest wait for every tile's first frame), settle_s, screen (w, h), stamp_tiles (tile indexes whose
pictures carry the latency mount's time stamp), rss_every_s (soak: sample RSS this often).

Prints ``WINDOW_START`` / ``WINDOW_END`` when the measurement window opens and closes (the parent samples the
server's and its own figures then) and finally one line ``RESULT <json>``.

The viewers:
- console: the console's own pipeline: a Store with one camera Source per tile (``main`` = the stream), a
  square grid layout on one 1920x1080 display, and the real ``WallView`` (MediaHub -> StreamDecoder ->
  FrameSlot -> tile_painter) in an offscreen window. Painted frames are observed by wrapping
  ``tile_painter._paint_live`` (live tiles) and ``_paint_camera``/``_paint_frame`` (the rest) in this
  process only (product code is unchanged).
- opencv: one ``cv2.VideoCapture(url)`` per tile on its own thread, ``cvtColor`` to RGB and ``cv2.resize``
  to the tile size; a widget paints the newest picture of each tile 1:1 (QImage over the array + drawImage)
  on a 20 ms timer, like WallView.
- qtmm: one ``QMediaPlayer`` + ``QVideoSink`` per tile; each frame ``QVideoFrame.toImage()`` and painted
  scaled into its tile on the same 20 ms timer.
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def thread_cpu_s() -> dict[str, float]:
    """CPU seconds per group of threads (gui = the main thread, decode = the console's decoder threads,
    other = Qt's, FFmpeg's and the peers' own), from /proc (Linux); empty elsewhere."""
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    main_id = threading.main_thread().native_id
    tick = os.sysconf("SC_CLK_TCK")
    groups = {"gui": 0.0, "decode": 0.0, "other": 0.0}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return {}
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        name = names.get(int(tid), "")
        group = "gui" if int(tid) == main_id else "decode" if name.startswith("decode") else "other"
        groups[group] += used
    return groups


def rss_mib() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def grid_of(n: int) -> int:
    return max(1, math.ceil(math.sqrt(n)))


def tile_rects(n: int, screen: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    k = grid_of(n)
    w, h = screen
    out = []
    for i in range(n):
        r, c = divmod(i, k)
        x0, x1 = round(c * w / k), round((c + 1) * w / k)
        y0, y1 = round(r * h / k), round((r + 1) * h / k)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def stamp_of(image: np.ndarray) -> int | None:
    """The latency mount's sender time (ms) from a painted picture (BGRA, RGBA or RGB: green = luma for the
    grey blocks), or None."""
    from tests.servers.rtsp import LATENCY_HEIGHT, decode_stamp

    h, w = image.shape[:2]
    rows = min(h, int(h * 14 / LATENCY_HEIGHT) + 2)
    y = np.zeros((h, w), np.uint8)
    y[:rows] = image[:rows, :, 1]
    return decode_stamp(y)


@dataclass
class TileStats:
    """What one tile painted during the window."""

    last_seq: int = -1
    first_paint: float | None = None  # epoch, any time
    painted: int = 0  # new frames painted in the window
    delays_ms: deque[float] = field(default_factory=deque)  # paint time - frame ready time
    e2e_ms: deque[float] = field(default_factory=deque)  # paint time - sender clock (latency mount)
    bad_stamps: int = 0


class Recorder:
    """Per-frame samples of the window. ``keep``: the newest samples kept per list (None: all). A soak keeps
    a bounded number, or the samples themselves would grow the process by ~1 MiB a minute (16 tiles at
    25 fps, a float and a list slot each) and read as the console's memory growth."""

    def __init__(self, n: int, stamp_tiles: set[int], keep: int | None = None) -> None:
        self.tiles = [TileStats(delays_ms=deque(maxlen=keep), e2e_ms=deque(maxlen=keep)) for _ in range(n)]
        self.stamp_tiles = stamp_tiles
        self.measuring = False
        self.paints = 0
        self.paint_ms: deque[float] = deque(maxlen=keep)  # wall time of a paintEvent
        # the GUI thread's own CPU time in it (less: waiting for the GIL or a core)
        self.paint_cpu_ms: deque[float] = deque(maxlen=keep)

    def painted(self, index: int, seq: int, ready_at: float, image: np.ndarray | None, now: float) -> None:
        t = self.tiles[index]
        if t.first_paint is None:
            t.first_paint = now
        if seq == t.last_seq:
            return
        t.last_seq = seq
        if not self.measuring:
            return
        t.painted += 1
        t.delays_ms.append((now - ready_at) * 1000)
        if index in self.stamp_tiles and image is not None:
            stamp = stamp_of(image)
            if stamp is None:
                t.bad_stamps += 1
            else:
                t.e2e_ms.append(now * 1000 - stamp)


# --------------------------------------------------------------------------------------------------------
# viewers


class ConsoleViewer:
    """The console's real WallView over a MediaHub."""

    def __init__(self, cfg: dict, rec: Recorder) -> None:
        from console.bus import Bus
        from console.commands import AssignSource
        from console.media import slots
        from console.media.hub import MediaHub
        from console.messages import SourcesChanged
        from console.model.geometry import Bezel, wall_geometry
        from console.model.sources import Source, SourceKind, StreamSpec
        from console.persistence import Database
        from console.store import Store
        from layouts.grid import Cell, Layout
        from widgets import tile_painter
        from widgets.wall_view import WallView

        self.rec = rec
        urls = cfg["urls"]
        n = len(urls)
        k = grid_of(n)
        screen = tuple(cfg["screen"])
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-wall-")
        self.db = Database(Path(self.tmp.name) / "bench.db")
        bus = Bus()
        layout = Layout(f"grid{k}x{k}", k, k, tuple(Cell(r, c) for r in range(k) for c in range(k)))
        self.store = Store(bus, self.db, {layout.name: layout}, layout.name)
        self.specs = [StreamSpec(url) for url in urls]
        sources = tuple(
            Source(f"bench/cam{i + 1}", SourceKind.CAMERA, f"Camera {i + 1}", "bench", main=spec)
            for i, spec in enumerate(self.specs)
        )
        bus.publish(SourcesChanged("bench", sources))
        for i in range(n):
            assert self.store.execute(AssignSource(tile=i + 1, source=f"bench/cam{i + 1}"), "bench", "bench").ok
        geometry = wall_geometry(1, 1, ["WALL-1"], screen, (1209.6, 680.4), Bezel())

        # Observe first frames (acquire -> first frame written) and painted frames, in this process only.
        self.acquired_at: dict[str, float] = {}
        self.first_frame_at: dict[str, float] = {}
        hub = MediaHub()
        orig_acquire = hub.acquire

        def acquire(spec, *args, **kwargs):
            first = spec.key not in hub.decoders()
            t0 = time.time()
            handle = orig_acquire(spec, *args, **kwargs)
            if first:
                self.acquired_at.setdefault(spec.url, t0)
                slot = handle._entry.slot
                url = spec.url
                orig_write = slot.write

                def write(image, slot=slot, url=url, orig_write=orig_write):
                    orig_write(image)
                    if url not in self.first_frame_at:
                        self.first_frame_at[url] = time.time()
                        slot.write = orig_write  # instance attribute removed from the hot path afterwards

                slot.write = write
            return handle

        hub.acquire = acquire  # type: ignore[method-assign]
        self.hub = hub
        del slots  # only imported to document where Frame comes from

        current: list[int | None] = [None]
        painted: list[tuple[int, object]] = []
        orig_cam, orig_frame = tile_painter._paint_camera, tile_painter._paint_frame

        def paint_camera(p, r, index, source, ctx, badge=""):
            current[0] = index
            try:
                orig_cam(p, r, index, source, ctx, badge)
            finally:
                current[0] = None

        def paint_frame(p, r, frame, zoom):
            target = orig_frame(p, r, frame, zoom)
            if current[0] is not None:
                painted.append((current[0], frame))
            return target

        orig_live = tile_painter._paint_live

        def paint_live(p, r, index, source, ctx, badge=""):
            frame = orig_live(p, r, index, source, ctx, badge)
            if frame is not None:
                painted.append((index, frame))
            return frame

        tile_painter._paint_camera = paint_camera
        tile_painter._paint_frame = paint_frame
        tile_painter._paint_live = paint_live

        class MeasuredWall(WallView):
            def paintEvent(self, event):  # noqa: N802
                painted.clear()
                t0, c0 = time.perf_counter(), time.thread_time()
                super().paintEvent(event)
                now = time.time()
                if rec.measuring:
                    rec.paints += 1
                    rec.paint_ms.append((time.perf_counter() - t0) * 1000)
                    rec.paint_cpu_ms.append((time.thread_time() - c0) * 1000)
                for index, frame in painted:
                    rec.painted(index, frame.seq, frame.time, frame.image, now)

        self.view = MeasuredWall(self.store, hub, geometry, None)
        self.view.resize(*screen)

    def start(self) -> None:
        self.view.show()

    def ttff(self) -> list[float | None]:
        out = []
        for spec in self.specs:
            a, f = self.acquired_at.get(spec.url), self.first_frame_at.get(spec.url)
            out.append(None if a is None or f is None else f - a)
        return out

    def warm_ms(self) -> float | None:
        """A second acquire of a stream already decoded for a tile: time until that handle has a frame."""
        spec = self.specs[0]
        t0 = time.perf_counter()
        handle = self.hub.acquire(spec, (320, 180))
        try:
            while handle.frame() is None:
                if time.perf_counter() - t0 > 5:
                    return None
                time.sleep(0.0005)
            return (time.perf_counter() - t0) * 1000
        finally:
            handle.release()

    def info(self) -> dict:
        sizes = {}
        for _, d in self.hub.decoders().items():
            f = d.slot.read()
            if f is not None:
                sizes[f"{f.image.shape[1]}x{f.image.shape[0]}"] = sizes.get(f"{f.image.shape[1]}x{f.image.shape[0]}", 0) + 1
        infos = [d.info for d in self.hub.decoders().values()]
        return {"decoded_sizes": sizes, "light_decoders": sum(i.light for i in infos),
                "catch_ups": sum(i.catch_ups for i in infos), "reduced_streams": sum(i.reduced for i in infos),
                "widget": [self.view.width(), self.view.height()]}

    def stop(self) -> None:
        self.view.release()
        self.hub.stop()
        self.db.stop()


class _Latest:
    """Newest picture of one peer tile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seq = 0
        self.item: tuple[int, object, float] | None = None  # seq, picture, ready time
        self.opened_at: float | None = None
        self.first_at: float | None = None

    def put(self, picture: object) -> None:
        now = time.time()
        with self.lock:
            self.seq += 1
            self.item = (self.seq, picture, now)
            if self.first_at is None:
                self.first_at = now


def _peer_widget(cfg: dict, rec: Recorder, tiles: list[_Latest], scaled: bool):
    """A minimal wall: a 20 ms timer repaints when any tile has a new picture; tiles painted from QImage."""
    from PySide6.QtCore import QRectF, QTimer
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QWidget

    rects = tile_rects(len(tiles), tuple(cfg["screen"]))

    class PeerWall(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.seen = [-1] * len(tiles)
            self.timer = QTimer(self)
            self.timer.setInterval(20)
            self.timer.timeout.connect(self.tick)
            self.timer.start()

        def tick(self) -> None:
            if any(t.seq != s for t, s in zip(tiles, self.seen, strict=True)):
                self.seen = [t.seq for t in tiles]
                self.update()

        def paintEvent(self, _event) -> None:  # noqa: N802
            t0, c0 = time.perf_counter(), time.thread_time()
            p = QPainter(self)
            p.fillRect(self.rect(), QColor(14, 17, 22))
            drawn = []
            for i, (t, (x, y, w, h)) in enumerate(zip(tiles, rects, strict=True)):
                with t.lock:
                    item = t.item
                if item is None:
                    continue
                seq, pic, ready = item
                if scaled:  # a QImage from QVideoFrame.toImage(), painted scaled into the tile
                    p.drawImage(QRectF(x, y, w, h), pic)
                    arr = None
                    if i in rec.stamp_tiles:
                        arr = _qimage_array(pic)
                else:  # an RGB888 numpy array already at tile size
                    arr = pic
                    img = QImage(arr.data, arr.shape[1], arr.shape[0], arr.strides[0], QImage.Format.Format_RGB888)
                    p.drawImage(x, y, img)
                drawn.append((i, seq, ready, arr))
            p.end()
            now = time.time()
            if rec.measuring:
                rec.paints += 1
                rec.paint_ms.append((time.perf_counter() - t0) * 1000)
                rec.paint_cpu_ms.append((time.thread_time() - c0) * 1000)
            for i, seq, ready, arr in drawn:
                rec.painted(i, seq, ready, arr, now)

    w = PeerWall()
    w.resize(*cfg["screen"])
    return w


def _qimage_array(img) -> np.ndarray:
    from PySide6.QtGui import QImage

    if img.format() not in (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32,
                            QImage.Format.Format_ARGB32_Premultiplied, QImage.Format.Format_RGBA8888,
                            QImage.Format.Format_RGBA8888_Premultiplied, QImage.Format.Format_RGBX8888):
        img = img.convertToFormat(QImage.Format.Format_RGB32)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : w * 4].reshape(h, w, 4)  # green is channel 1 in BGRA and RGBA alike


class OpenCvViewer:
    def __init__(self, cfg: dict, rec: Recorder) -> None:
        import cv2

        self.cv2 = cv2
        self.urls = cfg["urls"]
        self.rects = tile_rects(len(self.urls), tuple(cfg["screen"]))
        self.tiles = [_Latest() for _ in self.urls]
        self.stop_ev = threading.Event()
        self.threads = [
            threading.Thread(target=self.run, args=(i,), name=f"cv2 tile {i}", daemon=True) for i in range(len(self.urls))
        ]
        self.widget = _peer_widget(cfg, rec, self.tiles, scaled=False)

    def run(self, i: int) -> None:
        cv2 = self.cv2
        tile = self.tiles[i]
        _, _, w, h = self.rects[i]
        tile.opened_at = time.time()
        cap = cv2.VideoCapture(self.urls[i])
        while not self.stop_ev.is_set():
            ok, bgr = cap.read()
            if not ok:
                time.sleep(0.05)
                continue
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if rgb.shape[1] != w or rgb.shape[0] != h:
                rgb = cv2.resize(rgb, (w, h))
            tile.put(rgb)
        cap.release()

    def start(self) -> None:
        self.widget.show()
        for t in self.threads:
            t.start()

    def ttff(self) -> list[float | None]:
        return [None if t.first_at is None or t.opened_at is None else t.first_at - t.opened_at for t in self.tiles]

    def warm_ms(self) -> None:
        return None  # no sharing: a second tile of the same camera opens a second connection

    def info(self) -> dict:
        return {"cv2": self.cv2.__version__, "cv2_threads": self.cv2.getNumThreads()}

    def stop(self) -> None:
        self.stop_ev.set()


class QtMultimediaViewer:
    def __init__(self, cfg: dict, rec: Recorder) -> None:
        from PySide6.QtCore import QObject, QUrl, Slot
        from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

        self.tiles = [_Latest() for _ in cfg["urls"]]
        self.widget = _peer_widget(cfg, rec, self.tiles, scaled=True)
        self.players = []
        self.receivers = []
        self.urls = cfg["urls"]
        self.errors: list[str] = []

        class Receiver(QObject):
            def __init__(self, tile: _Latest) -> None:
                super().__init__()
                self.tile = tile

            @Slot(QVideoFrame)
            def on_frame(self, frame) -> None:
                if frame.isValid():
                    self.tile.put(frame.toImage())

        for url, tile in zip(self.urls, self.tiles, strict=True):
            player = QMediaPlayer()
            sink = QVideoSink()
            player.setVideoSink(sink)
            receiver = Receiver(tile)
            sink.videoFrameChanged.connect(receiver.on_frame)
            player.errorOccurred.connect(lambda _e, s, u=url: self.errors.append(f"{u}: {s}"))
            player.setSource(QUrl(url))
            self.players.append((player, sink))
            self.receivers.append(receiver)

    def start(self) -> None:
        self.widget.show()
        for (player, _), tile in zip(self.players, self.tiles, strict=True):
            tile.opened_at = time.time()
            player.play()

    def ttff(self) -> list[float | None]:
        return [None if t.first_at is None or t.opened_at is None else t.first_at - t.opened_at for t in self.tiles]

    def warm_ms(self) -> None:
        return None

    def info(self) -> dict:
        return {"errors": self.errors[:5]}

    def stop(self) -> None:
        for player, _ in self.players:
            player.stop()


# --------------------------------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    return float(np.percentile(np.asarray(values), q))


def run(cfg: dict) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    if cfg.get("switchinterval"):
        sys.setswitchinterval(float(cfg["switchinterval"]))  # diagnosis only: the GIL's hand-over interval
    app = QApplication.instance() or QApplication([sys.argv[0]])
    n = len(cfg["urls"])
    every = float(cfg.get("rss_every_s", 0) or 0)
    # A soak samples memory: keep ~10 s of per-frame samples, filled before the first memory sample.
    rec = Recorder(n, set(cfg.get("stamp_tiles", [])), keep=250 if every else None)
    kind = cfg["viewer"]
    viewer = {"console": ConsoleViewer, "opencv": OpenCvViewer, "qtmm": QtMultimediaViewer}[kind](cfg, rec)
    duration = float(cfg["duration"])
    result: dict = {"viewer": kind, "n": n}
    state = {"phase": "warmup", "t": time.time(), "until": time.time() + float(cfg.get("warmup_s", 8))}
    rss_samples: list[tuple[float, float]] = []
    w0: dict = {}

    def step() -> None:
        now = time.time()
        phase = state["phase"]
        if phase == "warmup":
            if all(t.first_paint is not None for t in rec.tiles) or now >= state["until"]:
                state["phase"], state["until"] = "settle", now + float(cfg.get("settle_s", 1.0))
                result["warmup_s"] = now - state["t"]
                result["tiles_live_at_start"] = sum(t.first_paint is not None for t in rec.tiles)
        elif phase == "settle":
            if now >= state["until"]:
                say("WINDOW_START")
                w0.update(t=now, cpu=cpu_s(), threads=thread_cpu_s())
                rec.measuring = True
                state["phase"], state["until"] = "measure", now + duration
                state["next_rss"] = now
        elif phase == "measure":
            if every and now >= state["next_rss"]:
                rss_samples.append((now - w0["t"], rss_mib()))
                state["next_rss"] += every
            if now >= state["until"]:
                rec.measuring = False
                elapsed = now - w0["t"]
                cpu = cpu_s() - w0["cpu"]
                t1 = thread_cpu_s()
                result["thread_cpu_pct"] = {g: 100 * (t1[g] - w0["threads"].get(g, 0.0)) / elapsed for g in t1}
                say("WINDOW_END")
                result.update(window_s=elapsed, cpu_pct=100 * cpu / elapsed, rss_mib=rss_mib(), peak_rss_mib=peak_rss_mib())
                if every:
                    rss_samples.append((elapsed, result["rss_mib"]))
                state["phase"] = "done"
                finish(elapsed)

    def finish(elapsed: float) -> None:
        fps = [t.painted / elapsed for t in rec.tiles]
        delays = [d for t in rec.tiles for d in t.delays_ms]
        e2e = [d for t in rec.tiles for d in t.e2e_ms]
        result.update(
            fps=fps,
            fps_median=statistics.median(fps),
            full_rate_tiles=sum(f >= 24 for f in fps),
            delay_p50=pct(delays, 50),
            delay_p95=pct(delays, 95),
            e2e_p50=pct(e2e, 50),
            e2e_p95=pct(e2e, 95),
            e2e_n=len(e2e),
            bad_stamps=sum(t.bad_stamps for t in rec.tiles),
            paints_per_s=rec.paints / elapsed,
            paint_ms_p50=pct(rec.paint_ms, 50),
            paint_ms_p95=pct(rec.paint_ms, 95),
            paint_cpu_ms_p50=pct(rec.paint_cpu_ms, 50),
            ttff=viewer.ttff(),
            warm_ms=viewer.warm_ms(),
            rss_samples=rss_samples,
            threads=threading.active_count(),
            os_threads=len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None,
            info=viewer.info(),
        )
        app.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(step)
    viewer.start()
    timer.start()
    app.exec()
    return result


def main() -> None:
    cfg = json.loads(sys.argv[1])
    if cfg["viewer"] == "probe-qtmm":
        try:
            from PySide6 import QtMultimedia  # noqa: F401

            say("RESULT " + json.dumps({"ok": True}))
        except ImportError as exc:
            say("RESULT " + json.dumps({"ok": False, "why": str(exc)}))
        os._exit(0)
    try:
        result = run(cfg)
    except Exception as exc:  # report, so that the parent can show why a cell has no figures
        import traceback

        traceback.print_exc()
        result = {"viewer": cfg.get("viewer"), "error": f"{type(exc).__name__}: {exc}"}
    say("RESULT " + json.dumps(result))
    # Skip teardown: decoder threads and media players may take seconds to wind down; the process is done.
    os._exit(0)


if __name__ == "__main__":
    main()
