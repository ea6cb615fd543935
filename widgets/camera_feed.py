"""CameraFeed: one tile's hold on its camera, choosing the main or sub stream by on-screen size.

Small tiles take the sub-stream, large, full-screen or zoomed ones the main stream, with a gap
between the two thresholds so a tile near the line does not flip back and forth. A switch keeps
painting the old stream's last picture until the new one delivers, so it shows no black gap.
Thread: GUI thread.
"""

from __future__ import annotations

from console.media.decoder import StreamInfo
from console.media.hub import MediaHub, StreamHandle
from console.media.slots import Frame
from console.model.sources import Source, StreamSpec

# Tile heights on screen, in device pixels: under SUB_BELOW the sub-stream is enough; over
# MAIN_ABOVE the main stream's detail is visible. Between them the current choice stays.
SUB_BELOW = 400
MAIN_ABOVE = 480


class CameraFeed:
    def __init__(self, hub: MediaHub, source: Source, size: tuple[int, int], force_main: bool = False,
                 priority: bool = False, masked: bool = False) -> None:
        self.hub = hub
        self.source = source
        self.size = size
        self.force_main = force_main
        self.priority = priority  # keeps every frame when the machine is busy (the alarm tile, a pinned tile)
        self.masked = masked  # shown blurred (a sensitive camera in a meeting): a picture a GOP is enough
        self.current: StreamHandle | None = None
        self.previous: StreamHandle | None = None  # kept until ``current`` has a frame
        self._open(self._choose(size, force_main, None))

    @property
    def role(self) -> str:
        """"main" or "sub": which stream the tile shows (or is switching to)."""
        if self.current is None:
            return ""
        return "sub" if self.source.sub is not None and self.current.spec == self.source.sub else "main"

    def _choose(self, size: tuple[int, int], force_main: bool, current: str | None) -> StreamSpec | None:
        main, sub = self.source.main, self.source.sub
        if sub is None or main is None:
            return main or sub
        if force_main:
            return main
        h = size[1]
        if h < SUB_BELOW:
            return sub
        if h > MAIN_ABOVE:
            return main
        return sub if current == "sub" else main if current == "main" else sub

    def _open(self, spec: StreamSpec | None) -> None:
        if spec is None:
            return
        self.current = self.hub.acquire(spec, self.size, self.force_main, self.priority, self.masked)

    def update(self, size: tuple[int, int], force_main: bool = False, priority: bool | None = None,
               masked: bool | None = None) -> None:
        """The tile's on-screen size changed (layout, window, zoom), or its priority or mask (None: unchanged)."""
        self.size = size
        self.force_main = force_main
        if priority is not None:
            self.priority = priority
        if masked is not None:
            self.masked = masked
        spec = self._choose(size, force_main, self.role or None)
        if self.current is not None and spec == self.current.spec:
            self.current.resize(size, force_main, self.priority, self.masked)
            return
        if self.previous is not None:
            self.previous.release()
        self.previous = self.current
        self._open(spec)

    def switch(self, source: Source, size: tuple[int, int], force_main: bool = False,
               priority: bool | None = None, masked: bool | None = None) -> None:
        """Show another camera; the current picture stays until the new one delivers."""
        if self.previous is not None:
            self.previous.release()
        self.previous = self.current
        self.source = source
        self.size = size
        self.force_main = force_main
        if priority is not None:
            self.priority = priority
        if masked is not None:
            self.masked = masked
        self.current = None
        self._open(self._choose(size, force_main, None))

    def frame(self) -> Frame | None:
        """The newest picture to paint: the new stream's once it has one, else the old one's."""
        if self.current is not None:
            frame = self.current.frame()
            if frame is not None:
                if self.previous is not None:
                    self.previous.release()
                    self.previous = None
                return frame
        if self.previous is not None:
            return self.previous.frame()
        return None

    @property
    def info(self) -> StreamInfo | None:
        if self.current is None:
            return None
        if self.previous is not None and self.current.frame() is None:
            return self.previous.info  # still showing the old stream, which is live
        return self.current.info

    @property
    def seq(self) -> int:
        return (self.current.seq if self.current else 0) * 1_000_003 + (self.previous.seq if self.previous else 0)

    def release(self) -> None:
        for handle in (self.current, self.previous):
            if handle is not None:
                handle.release()
        self.current = self.previous = None
