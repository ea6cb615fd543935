"""The demo's camera clips: short H.264 files encoded locally on first run, played as looped
live sources through the same decoding pipeline as real cameras."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import cv2
import numpy as np

from connectors.demo import pictures
from console.paths import cache_dir

log = logging.getLogger(__name__)

FPS = 25
GOP = 25
VARIANTS = {"main": (1280, 720, 2000), "sub": (640, 360, 500)}
WORKERS = 2  # encoders release the GIL: one per core  # width, height, kb/s
VERSION = 1  # bump when the pictures change, so old clips are made again


def clips_dir() -> Path:
    return cache_dir() / f"demo-clips-v{VERSION}"


def clip_path(camera_index: int, variant: str) -> Path:
    return clips_dir() / f"cam{camera_index + 1:02d}-{variant}.mp4"


def encode_camera(index: int, label: str, paths: dict[str, Path]) -> None:
    """Write one seamless loop of camera ``index``'s scene for each variant, in one pass.

    Each file is written aside, then renamed whole, so a half-written clip is never played.
    """
    base = pictures.background(index)
    frame = np.empty_like(base)
    outputs = []
    for variant, path in paths.items():
        w, h, kbps = VARIANTS[variant]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part.mp4")
        container = av.open(str(tmp), mode="w")
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = kbps * 1000
        # Like a camera: no B-frames, a keyframe every second.
        stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(GOP), "bf": "0"}
        outputs.append((container, stream, tmp, path, (w, h)))
    try:
        for n in range(int(pictures.LOOP_S * FPS)):
            pictures.render(base, index, label, n / FPS, frame)
            for container, stream, _tmp, _path, size in outputs:
                same = size == (frame.shape[1], frame.shape[0])
                bgra: np.ndarray = frame if same else cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)
                video = av.VideoFrame.from_ndarray(bgra.astype(np.uint8, copy=False), format="bgra")
                for packet in stream.encode(video):
                    container.mux(packet)
        for container, stream, _tmp, _path, _size in outputs:
            for packet in stream.encode():
                container.mux(packet)
    finally:
        for container, *_ in outputs:
            container.close()
    for _c, _s, tmp, path, _size in outputs:
        tmp.replace(path)


def clips_ready(count: int) -> bool:
    return all(clip_path(i, v).exists() for i in range(count) for v in VARIANTS)


def ensure_clips(count: int, stop: threading.Event | None = None) -> dict[tuple[int, str], Path]:
    """Encode whatever clips are missing (seconds, once per machine); returns every clip's path."""
    started = time.monotonic()
    made = 0
    paths = {}
    jobs = []
    for i in range(count):
        wanted = {variant: clip_path(i, variant) for variant in VARIANTS}
        if not all(p.exists() for p in wanted.values()):
            jobs.append((i, f"CAM-{i + 1:02d}", wanted))
            made += len(wanted)
        paths.update({(i, v): p for v, p in wanted.items()})
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="demo-clips") as pool:
        def run(job: tuple[int, str, dict[str, Path]]) -> None:
            if stop is None or not stop.is_set():  # shutting down: leave the rest for next time
                encode_camera(*job)

        for future in [pool.submit(run, job) for job in jobs]:
            future.result()
    if made:
        log.info("encoded %d demo camera clips in %.1f s into %s", made, time.monotonic() - started, clips_dir())
    return paths
