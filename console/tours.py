"""Camera tours: a tile that cycles through cameras, each for its own dwell time.

The next camera's stream is opened a little before its turn, so the switch is instant; a camera
that has not delivered a picture by then is skipped (and the skip is shown). A tour can be paused
and resumed. Runs on the asyncio loop; no Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from console.bus import Bus
from console.media.hub import MediaHub, StreamHandle
from console.messages import TourPauseRequested, WallChanged
from console.model.sources import Source, StreamSpec
from console.model.tours import Tour, TourPosition

log = logging.getLogger(__name__)

PRELOAD_S = 2.0  # open the next camera this long before its turn


class _Runner:
    def __init__(self, tour: Tour, hub: MediaHub, sources: dict[str, Source]) -> None:
        self.tour = tour
        self.hub = hub
        self.sources = sources
        self.index = 0
        self.camera: str | None = tour.steps[0].camera if tour.steps else None
        self.paused = False
        self.switch_at = time.monotonic() + (tour.steps[0].dwell_s if tour.steps else 0)
        self.paused_left = 0.0
        self.skipped: tuple[str, ...] = ()
        self.task: asyncio.Task | None = None
        self._preloaded: list[StreamHandle] = []

    def position(self) -> TourPosition:
        left = self.paused_left if self.paused else max(0.0, self.switch_at - time.monotonic())
        return TourPosition(self.tour.name, self.camera, self.index, len(self.tour.steps), self.paused, left,
                            self.skipped)

    def pause(self, paused: bool) -> None:
        if paused and not self.paused:
            self.paused_left = max(0.0, self.switch_at - time.monotonic())
        elif not paused and self.paused:
            self.switch_at = time.monotonic() + self.paused_left
        self.paused = paused

    def _stream(self, camera: str) -> StreamSpec | None:
        src = self.sources.get(camera)
        if src is None:
            return None
        return src.sub or src.main

    def _preload(self, camera: str) -> StreamHandle | None:
        spec = self._stream(camera)
        if spec is None:
            return None
        handle = self.hub.acquire(spec)
        self._preloaded.append(handle)
        return handle

    def _release_preloaded(self) -> None:
        for handle in self._preloaded:
            handle.release()
        self._preloaded = []

    async def run(self) -> None:
        steps = self.tour.steps
        if len(steps) < 2:
            return
        try:
            while True:
                # Wait until PRELOAD_S before the switch (longer while paused).
                while self.paused or time.monotonic() < self.switch_at - PRELOAD_S:
                    await asyncio.sleep(0.1)
                candidates = [(self.index + k) % len(steps) for k in range(1, len(steps) + 1)]
                handles = {i: self._preload(steps[i].camera) for i in candidates[:3]}
                while self.paused or time.monotonic() < self.switch_at:
                    await asyncio.sleep(0.05)
                skipped = []
                chosen = None
                for i in candidates:
                    handle = handles.get(i) or self._preload(steps[i].camera)
                    if handle is not None and handle.frame() is not None:
                        chosen = i
                        break
                    skipped.append(steps[i].camera)
                if chosen is None:
                    # Every camera is offline: stay, and look again after a short while.
                    self.skipped = tuple(skipped)
                    self.switch_at = time.monotonic() + PRELOAD_S + 1
                    self._release_preloaded()
                    continue
                self.index = chosen
                self.camera = steps[chosen].camera
                self.skipped = tuple(s for s in skipped if s != self.camera)
                if self.skipped:
                    log.info("tour %r skipped offline cameras: %s", self.tour.name, ", ".join(self.skipped))
                self.switch_at = time.monotonic() + steps[chosen].dwell_s
                # The tile's own feed picks the stream up within a frame; then let go of ours.
                await asyncio.sleep(1.0)
                self._release_preloaded()
        finally:
            self._release_preloaded()


class Tours:
    """Owner of the tour runners: one per wall tile that shows a tour. Thread: GUI thread."""

    def __init__(self, bus: Bus, hub: MediaHub, tours: tuple[Tour, ...], sources: dict[str, Source]) -> None:
        self.hub = hub
        self.tours = {t.source_id: t for t in tours}
        self.sources = sources
        self._runners: dict[int, _Runner] = {}  # tile index -> runner
        self._unsubscribe = bus.subscribe(WallChanged, self._on_wall)
        self._unsubscribe_pause = bus.subscribe(TourPauseRequested, self._on_pause)

    def sync(self, tiles: tuple[str | None, ...]) -> None:
        for index, runner in list(self._runners.items()):
            if index >= len(tiles) or tiles[index] != runner.tour.source_id:
                self._stop(index)
        for index, sid in enumerate(tiles):
            if sid in self.tours and index not in self._runners:
                runner = _Runner(self.tours[sid], self.hub, self.sources)
                runner.task = asyncio.ensure_future(runner.run())
                self._runners[index] = runner

    def _on_wall(self, msg: WallChanged) -> None:
        self.sync(msg.state.tiles)

    def _on_pause(self, msg: TourPauseRequested) -> None:
        self.pause(msg.tile_index, msg.paused)

    def _stop(self, index: int) -> None:
        runner = self._runners.pop(index)
        if runner.task is not None:
            runner.task.cancel()

    def position(self, tile_index: int) -> TourPosition | None:
        runner = self._runners.get(tile_index)
        return runner.position() if runner else None

    def pause(self, tile_index: int, paused: bool) -> bool:
        runner = self._runners.get(tile_index)
        if runner is None:
            return False
        runner.pause(paused)
        return True

    async def stop(self) -> None:
        self._unsubscribe()
        self._unsubscribe_pause()
        tasks = [r.task for r in self._runners.values() if r.task is not None]
        self._runners.clear()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
