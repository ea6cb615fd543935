"""OpenCvCapture: USB and other local capture devices through OpenCV, with the decoder's contract.

Same states, reasons and retries as StreamDecoder, so a tile cannot tell them apart: newest frame
only, scaled once to the size the tiles ask for and converted to bgra.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from console.media.decoder import Reason, StreamInfo, StreamReader, StreamState, fit
from console.media.slots import FrameSlot
from console.model.sources import StreamSpec
from console.retry import backoff_delay

log = logging.getLogger(__name__)


class OpenCvCapture(StreamReader):
    thread_label = "capture"

    def __init__(self, spec: StreamSpec, slot: FrameSlot, want_size: Callable[[], tuple[int, int]],
                 retry_base_s: float = 0.5, retry_cap_s: float = 30.0) -> None:
        super().__init__(spec, slot, want_size, retry_base_s, retry_cap_s)
        self._info = StreamInfo(decode_path="CPU (OpenCV)")

    def _device(self) -> int | str:
        return int(self.spec.url) if self.spec.url.isdigit() else self.spec.url

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._info = replace(self._info, state=StreamState.CONNECTING if attempt == 0 else StreamState.RECONNECTING)
            opened_at = time.time()
            cap = cv2.VideoCapture(self._device())
            frames = 0
            times: deque[float] = deque(maxlen=64)
            try:
                if not cap.isOpened():
                    reason, detail = Reason.NOT_FOUND, f"cannot open capture device {self.spec.url!r}"
                else:
                    while not self._stop.is_set():
                        ok, bgr = cap.read()
                        if not ok:
                            break
                        now = time.time()
                        w, h = fit(bgr.shape[1], bgr.shape[0], *self.want_size())
                        small = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_AREA)
                        image: np.ndarray = cv2.cvtColor(small, cv2.COLOR_BGR2BGRA)
                        self.slot.write(image)
                        frames += 1
                        times.append(now)
                        span = times[-1] - times[0]
                        self._info = replace(
                            self._info, state=StreamState.LIVE, reason=Reason.NONE, detail="", attempt=0,
                            next_try_at=None, width=bgr.shape[1], height=bgr.shape[0], codec="capture",
                            fps=(len(times) - 1) / span if span > 0 else 0.0, last_frame_at=now, frames=frames,
                            first_frame_s=self._info.first_frame_s if frames > 1 else now - opened_at)
                    reason, detail = Reason.ENDED, "the device stopped delivering pictures"
            finally:
                cap.release()
            if self._stop.is_set():
                break
            attempt = 1 if frames else attempt + 1
            delay = backoff_delay(attempt, self.retry_base_s, self.retry_cap_s)
            self._info = replace(self._info, state=StreamState.RECONNECTING, reason=reason, detail=detail,
                                 attempt=attempt, next_try_at=time.time() + delay)
            if self._stop.wait(delay):
                break
