"""Latest-frame slots: a producer writes only the newest frame (lock + sequence number, no
queue), so a slow painter sees fewer frames, never older ones."""

from __future__ import annotations

import threading
import time
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
