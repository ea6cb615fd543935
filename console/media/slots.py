"""Latest-frame slots and the hub that counts which streams are wanted.

A producer writes only the newest frame into its slot (lock + sequence number, no queue), so a
slow painter sees fewer frames, never older ones. Tiles acquire a source while they show it;
the hub tells producers when a source gains its first viewer or loses its last.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Frame:
    seq: int
    image: np.ndarray  # H x W x 4, uint8, BGRA (Qt's Format_RGB32 on little-endian)
    time: float  # when it was written (epoch seconds)


class FrameSlot:
    """Thread-safe holder of one stream's newest frame. Written by one producer thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._seq = 0

    def write(self, image: np.ndarray) -> None:
        with self._lock:
            self._seq += 1
            self._frame = Frame(self._seq, image, time.time())

    def read(self) -> Frame | None:
        with self._lock:
            return self._frame

    @property
    def seq(self) -> int:
        return self._seq


DemandListener = Callable[[str, bool], None]


class FrameHub:
    """Slots by source id, with reference counts of the tiles that show each source."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, FrameSlot] = {}
        self._users: dict[str, int] = {}
        self._listeners: list[DemandListener] = []

    def slot(self, source_id: str) -> FrameSlot:
        with self._lock:
            slot = self._slots.get(source_id)
            if slot is None:
                slot = self._slots[source_id] = FrameSlot()
            return slot

    def add_listener(self, listener: DemandListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def acquire(self, source_id: str) -> FrameSlot:
        with self._lock:
            count = self._users.get(source_id, 0) + 1
            self._users[source_id] = count
        if count == 1:
            for listener in list(self._listeners):
                listener(source_id, True)
        return self.slot(source_id)

    def release(self, source_id: str) -> None:
        with self._lock:
            count = self._users.get(source_id, 0) - 1
            if count <= 0:
                self._users.pop(source_id, None)
            else:
                self._users[source_id] = count
        if count == 0:
            for listener in list(self._listeners):
                listener(source_id, False)

    def users(self, source_id: str) -> int:
        with self._lock:
            return self._users.get(source_id, 0)

    def wanted(self) -> set[str]:
        with self._lock:
            return set(self._users)
