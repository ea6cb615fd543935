"""AlertSound: a tone on the workstation while a critical alert waits for acknowledgement.

It repeats until every new critical alert is acknowledged; quiet hours lower the volume. The
tone is a short WAV the console writes itself. Thread: GUI thread.
"""

from __future__ import annotations

import datetime
import logging
import math
import struct
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl

from console.alerts.desk import AlertDesk

log = logging.getLogger(__name__)

RATE = 22050


def write_tone(path: Path) -> Path:
    """Two soft rising notes and a pause: audible in a busy room, not a siren."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = []
    for freq, dur in ((660.0, 0.18), (880.0, 0.22), (0.0, 0.9)):
        n = int(RATE * dur)
        for i in range(n):
            envelope = min(1.0, i / 400, (n - i) / 400) if freq else 0.0
            samples.append(int(12000 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def in_quiet_hours(spec: str, now: datetime.time) -> bool:
    if not spec:
        return False
    start_s, end_s = spec.split("-")
    start = datetime.time.fromisoformat(start_s)
    end = datetime.time.fromisoformat(end_s)
    return start <= now < end if start < end else now >= start or now < end


class AlertSound(QObject):
    def __init__(self, desk: AlertDesk, tone: Path, enabled: bool = True, volume: float = 0.8,
                 quiet_hours: str = "", quiet_volume: float = 0.3) -> None:
        super().__init__()
        self.desk = desk
        self.enabled = enabled
        self.volume = volume
        self.quiet_hours = quiet_hours
        self.quiet_volume = quiet_volume
        self.sounding = False
        self.tone = write_tone(tone)
        self._effect = None
        try:
            from PySide6.QtMultimedia import QSoundEffect

            self._effect = QSoundEffect(self)
            self._effect.setSource(QUrl.fromLocalFile(str(self.tone)))
            self._effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
        except Exception as exc:  # no multimedia backend: the queue still flashes
            log.warning("alert sound unavailable: %s", exc)
        self._timer = QTimer(self)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.update)
        self._timer.start()

    def current_volume(self) -> float:
        quiet = in_quiet_hours(self.quiet_hours, datetime.datetime.now().time())
        return self.quiet_volume if quiet else self.volume

    def update(self) -> None:
        want = self.enabled and bool(self.desk.unacknowledged_critical())
        if want == self.sounding:
            return
        self.sounding = want
        if self._effect is None:
            return
        if want:
            self._effect.setVolume(self.current_volume())
            self._effect.play()
        else:
            self._effect.stop()

    def stop(self) -> None:
        self._timer.stop()
        if self._effect is not None:
            self._effect.stop()
        self.sounding = False
