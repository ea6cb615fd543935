"""Pictures of a briefing scene that is not on the wall: the presenter's "next" preview, and the
briefing pack's page for a scene that was not shown. Thread: GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtGui import QImage

from console.model.briefings import Scene
from console.model.geometry import WallGeometry
from console.model.wall import WallState
from console.store import Store
from widgets.camera_feed import CameraFeed
from widgets.tile_painter import TileContext
from widgets.wall_view import render_canvas


class SceneStore:
    """The store as the painters see it, with a scene's wall state instead of the live one."""

    def __init__(self, store: Store, state: WallState) -> None:
        self._store = store
        self.state = state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def scene_state(store: Store, scene: Scene) -> WallState | None:
    layout = store.layouts.get(scene.layout)
    if layout is None:
        return None
    return replace(store.state.with_tiles(layout, scene.tiles), blank=False, unmasked=())


def render_scene(store: Store, geometry: WallGeometry, scene: Scene, width: int, height: int,
                 feed_of: Callable[[str], CameraFeed | None] = lambda _sid: None) -> QImage:
    """The scene drawn as the wall would show it. ``feed_of``: a camera already decoded somewhere (by
    source id), so it shows its picture; other cameras show their state."""
    state = scene_state(store, scene)
    scale = min(width / geometry.width, height / geometry.height)
    if state is None:
        img = QImage(max(1, width), max(1, height), QImage.Format.Format_RGB32)
        img.fill(0)
        return img
    proxy = SceneStore(store, state)

    def feed_for(index: int) -> CameraFeed | None:
        sid = state.tiles[index] if index < len(state.tiles) else None
        return feed_of(sid) if sid else None

    ctx = TileContext(proxy, feed_for, kpi_at=state.as_of)  # type: ignore[arg-type]
    return render_canvas(ctx, geometry, scale)
