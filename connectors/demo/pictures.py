"""Synthetic camera pictures: a street scene whose traffic loops seamlessly (BGRA), for the demo clips."""

from __future__ import annotations

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 360

# Per-camera palettes (BGR) so each camera is recognisable at a glance.
_SKIES = [(180, 130, 70), (150, 110, 60), (120, 100, 90), (200, 160, 110), (90, 80, 70), (170, 140, 120),
          (140, 120, 100), (110, 90, 60)]
_CARS = [(40, 40, 220), (220, 180, 40), (40, 200, 240), (230, 230, 230), (60, 160, 60), (200, 80, 160)]


def background(index: int) -> np.ndarray:
    """The static part of camera ``index``'s picture."""
    img = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
    img[..., 3] = 255
    sky = np.array(_SKIES[index % len(_SKIES)], np.float32)
    horizon = HEIGHT * 2 // 5
    for y in range(horizon):
        img[y, :, :3] = (sky * (0.6 + 0.4 * y / horizon)).astype(np.uint8)
    # buildings on the horizon, different skyline per camera
    rng = np.random.default_rng(index + 7)
    x = 0
    while x < WIDTH:
        w = int(rng.integers(30, 90))
        h = int(rng.integers(30, horizon - 10))
        shade = int(rng.integers(50, 110))
        img[horizon - h:horizon, x:x + w, :3] = (shade, shade, shade + 10)
        for wy in range(horizon - h + 6, horizon - 4, 12):
            for wx in range(x + 5, x + w - 6, 12):
                if rng.random() < 0.5:
                    img[wy:wy + 5, wx:wx + 5, :3] = (90, 200, 230)
        x += w + int(rng.integers(2, 12))
    img[horizon:, :, :3] = (70, 70, 72)  # road
    img[horizon:horizon + 4, :, :3] = (150, 150, 150)  # kerb
    return img


LOOP_S = 8.0  # every motion below repeats exactly in this time, so a looped clip has no jump
_TRACK = WIDTH + 120


def render(base: np.ndarray, index: int, label: str, now: float, out: np.ndarray) -> np.ndarray:
    """Draw the moving parts of one frame into ``out`` (same shape as ``base``)."""
    np.copyto(out, base)
    horizon = HEIGHT * 2 // 5
    lane_y = (horizon + HEIGHT) // 2
    # lane markings move towards the viewer: 80 px period, 120 px/s (960 px per loop)
    offset = int(now * 120) % 80
    for x in range(-80 + offset, WIDTH, 80):
        cv2.rectangle(out, (x, lane_y - 3), (x + 40, lane_y + 3), (220, 220, 220, 255), -1)
    # cars: speeds are whole multiples of one track length per loop
    for k in range(4):
        speed = _TRACK / LOOP_S * (1 + (k + index) % 3)
        direction = 1 if k % 2 == 0 else -1
        x = int((now * speed * direction + k * 190 + index * 37) % _TRACK) - 60
        y = lane_y - 50 if k % 2 == 0 else lane_y + 14
        color = (*_CARS[(k + index) % len(_CARS)], 255)
        cv2.rectangle(out, (x, y), (x + 70, y + 34), color, -1)
        cv2.rectangle(out, (x + 12, y + 4), (x + 56, y + 14), (60, 40, 30, 255), -1)
    # No burned-in clock: a looped clip would show it jumping back; the tile's details overlay has one.
    cv2.putText(out, label, (WIDTH - 12 - 13 * len(label), 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (255, 255, 255, 255), 2, cv2.LINE_AA)
    return out
