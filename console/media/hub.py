"""MediaHub: one decoder per stream, shared by every tile that shows it (reference-counted).

A decoder starts when the first tile acquires its stream and stops when the last releases it.
It scales to the largest size any of its tiles asks for; smaller tiles scale that down when
painting, which costs far less than a second decode. Thread: acquire/release on the GUI thread;
the load governor on a thread of its own.

Load governor: a decoder that falls behind live skips ahead to its next key frame (decoder.py). When
that happens the machine has more streams than it can decode, so rather than let every tile stutter,
the hub moves the stream of the smallest tile to key frames only (one picture a GOP, almost free): the
others keep their full rate. One more after each further skip, no faster than SHED_EVERY_S; never a
full-screen or zoomed tile's stream, and never a priority stream's: the alarm tile's camera and the tiles an
operator asked to keep at full rate (given every frame back at once if shed before). After CALM_S with no
skip, the largest shed stream gets every frame back; if that brings skips back, the calm asked for next time
doubles (up to CALM_MAX_S).

A stream that every tile shows masked (a sensitive camera blurred for a meeting) is decoded at key frames
only while it is: the blur needs one picture a GOP, and a 1080p camera then costs ~1-2% of a core, not ~15%.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field

from console.media.capture import OpenCvCapture
from console.media.decoder import StreamDecoder, StreamInfo, StreamReader, masked
from console.media.slots import Frame, FrameSlot
from console.model.sources import StreamSpec

log = logging.getLogger(__name__)

DEFAULT_SIZE = (640, 360)


@dataclass
class _Entry:
    decoder: StreamReader
    slot: FrameSlot
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)  # handle id -> wanted size
    detail: set[int] = field(default_factory=set)  # handles whose tile shows detail (full-screen, zoomed)
    priority: set[int] = field(default_factory=set)  # handles whose tile must keep its frame rate (alarm, pinned)
    masked: set[int] = field(default_factory=set)  # handles whose tile shows it masked (blurred, in a meeting)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def want_detail(self) -> bool:
        return bool(self.detail)

    def want_sparse(self) -> bool:
        """Every tile shows it masked: one picture a GOP is enough for the blur (and almost free)."""
        with self.lock:
            return bool(self.sizes) and self.masked.issuperset(self.sizes)

    def protected(self) -> bool:
        """Never shed: a tile shows it full-screen or zoomed, or it is a priority tile's."""
        return bool(self.detail or self.priority)

    def want_size(self) -> tuple[int, int]:
        with self.lock:
            if not self.sizes:
                return DEFAULT_SIZE
            return max(w for w, _ in self.sizes.values()), max(h for _, h in self.sizes.values())


class StreamHandle:
    """A tile's hold on one stream: its frames, its state, and the size it wants."""

    def __init__(self, hub: MediaHub, spec: StreamSpec, entry: _Entry, ident: int) -> None:
        self.hub = hub
        self.spec = spec
        self._entry = entry
        self.ident = ident
        self.released = False

    @property
    def info(self) -> StreamInfo:
        return self._entry.decoder.info

    def frame(self) -> Frame | None:
        return self._entry.slot.read()

    @property
    def seq(self) -> int:
        return self._entry.slot.seq

    def resize(self, size: tuple[int, int], detail: bool = False, priority: bool = False,
               masked: bool = False) -> None:
        """The tile's picture size; ``detail``: the tile is full-screen or zoomed, so every pixel counts;
        ``priority``: the tile keeps every frame even when the machine is too busy for all its streams;
        ``masked``: the tile shows the camera blurred (a sensitive camera in a meeting)."""
        entry = self._entry
        with entry.lock:
            entry.sizes[self.ident] = (max(2, int(size[0])), max(2, int(size[1])))
            for wanted, group in ((detail, entry.detail), (priority, entry.priority), (masked, entry.masked)):
                if wanted:
                    group.add(self.ident)
                else:
                    group.discard(self.ident)

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.hub._release(self)


class LoadGovernor:
    """Sheds the smallest tiles' streams to key frames only while decoders keep falling behind live."""

    EVERY_S = 0.5
    SHED_EVERY_S = 4.0  # two GOPs: the skips already under way in other decoders settle first
    CALM_S = 30.0
    CALM_MAX_S = 300.0

    def __init__(self, entries: dict[str, _Entry]) -> None:
        self._entries = entries  # the hub's, read from this thread (a snapshot each round)
        self._seen: dict[int, int] = {}  # id(decoder) -> its catch-ups counted so far
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.calm_s = self.CALM_S
        self._skip_at = self._shed_at = self._restored_at = -1e9

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="media-governor", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.EVERY_S):
            self.step(time.monotonic())

    def step(self, now: float) -> None:
        entries = list(self._entries.values())
        skipped = False
        seen = {}
        for e in entries:
            count = e.decoder.info.catch_ups
            seen[id(e.decoder)] = count
            skipped |= count > self._seen.get(id(e.decoder), 0)
        self._seen = seen
        shed = [e for e in entries if e.decoder.keyframes_only]
        if skipped:
            if now - self._restored_at < self.calm_s:
                self.calm_s = min(self.calm_s * 2, self.CALM_MAX_S)  # the last give-back was too early
                self._restored_at = -1e9
            self._skip_at = now
        # A skip since the last shed (not one of those already under way then) and the wait is over: shed one more.
        if self._skip_at > self._shed_at + self.SHED_EVERY_S / 2 and now - self._shed_at >= self.SHED_EVERY_S:
            self._shed_at = now
            candidates = [e for e in entries if isinstance(e.decoder, StreamDecoder)  # (a USB capture cannot skip)
                          and not e.decoder.keyframes_only and not e.protected() and not e.want_sparse()]
            kept = sum(1 for e in entries if e.protected())  # at full rate whatever comes
            if candidates and len(candidates) + kept > 1:  # the last stream at full rate is never shed
                victim = min(candidates, key=_area)
                victim.decoder.keyframes_only = True
                log.warning("machine too busy for its streams: %s goes to key frames only",
                            masked(victim.decoder.spec.url))
        elif shed and now - max(self._skip_at, self._shed_at, self._restored_at) >= self.calm_s:
            back = max(shed, key=_area)
            back.decoder.keyframes_only = False
            self._restored_at = now
            log.info("%s back to every frame", masked(back.decoder.spec.url))
        for e in entries:
            if e.protected() and e.decoder.keyframes_only:
                e.decoder.keyframes_only = False  # a full-screen, zoomed or priority tile always gets every frame


def _area(entry: _Entry) -> int:
    w, h = entry.want_size()
    return w * h


class MediaHub:
    def __init__(self, retry_base_s: float = 0.5, retry_cap_s: float = 30.0) -> None:
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self._entries: dict[str, _Entry] = {}
        self._ids = itertools.count(1)
        self._stopping: list[StreamReader] = []
        self.governor = LoadGovernor(self._entries)

    def acquire(self, spec: StreamSpec, size: tuple[int, int] = DEFAULT_SIZE, detail: bool = False,
                priority: bool = False, masked: bool = False) -> StreamHandle:
        entry = self._entries.get(spec.key)
        if entry is None:
            slot = FrameSlot()
            # USB devices go through OpenCV; every network stream and file through PyAV.
            kind = OpenCvCapture if spec.kind == "usb" else StreamDecoder
            entry = _Entry(kind(spec, slot, lambda: DEFAULT_SIZE, self.retry_base_s, self.retry_cap_s), slot)
            entry.decoder.want_size = entry.want_size
            entry.decoder.want_detail = entry.want_detail
            entry.decoder.want_sparse = entry.want_sparse
            self._entries[spec.key] = entry
            entry.decoder.start()
            self.governor.start()
        handle = StreamHandle(self, spec, entry, next(self._ids))
        handle.resize(size, detail, priority, masked)
        return handle

    def _release(self, handle: StreamHandle) -> None:
        entry = self._entries.get(handle.spec.key)
        if entry is None:
            return
        with entry.lock:
            entry.sizes.pop(handle.ident, None)
            entry.detail.discard(handle.ident)
            entry.priority.discard(handle.ident)
            entry.masked.discard(handle.ident)
            last = not entry.sizes
        if last:
            del self._entries[handle.spec.key]
            # Stop without waiting: a read blocked on a silent server must not freeze the GUI.
            entry.decoder.stop(wait=False)
            self._stopping.append(entry.decoder)
        self._stopping = [d for d in self._stopping if d.alive]

    def decoders(self) -> dict[str, StreamReader]:
        """The running decoders by stream key (what is being decoded right now)."""
        return {key: e.decoder for key, e in self._entries.items()}

    def users(self, spec: StreamSpec) -> int:
        entry = self._entries.get(spec.key)
        return len(entry.sizes) if entry else 0

    def stop(self) -> None:
        """Stop every decoder and wait for their threads (shutdown)."""
        self.governor.stop()
        for entry in self._entries.values():
            entry.decoder.stop(wait=False)
            self._stopping.append(entry.decoder)
        self._entries.clear()
        for decoder in self._stopping:
            decoder.stop(wait=True)
        self._stopping = []
