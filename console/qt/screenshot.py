"""Headless pictures of what a person would see: the whole wall canvas and the operator window."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from console.model.kpi import KpiRef, base_source_id
from console.model.sources import SourceKind
from console.qt.runtime import Console
from widgets.wall_view import render_canvas


def delivered(console: Console) -> bool:
    """True once every tile on the wall has something real to show."""
    store = console.store
    for index, sid in enumerate(store.state.tiles):
        src = store.sources.get(base_source_id(sid)) if sid else None
        if sid is None or src is None:
            continue
        if src.kind in (SourceKind.CAMERA, SourceKind.TOUR):
            feed = console.wall.feed_for(index)
            if feed is None or feed.frame() is None:
                return False
        if src.kind == SourceKind.KPI and (store.kpi_book is None
                                           or not store.kpi_book.has_data(KpiRef.parse(sid).indicator)):
            return False
        if src.kind == SourceKind.DOCUMENT and sid not in store.documents:
            return False
    return True


async def wait_delivered(console: Console, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if delivered(console):
            # One more beat so every view has painted what arrived.
            await asyncio.sleep(0.3)
            return True
        await asyncio.sleep(0.1)
    return False


async def take_screenshots(console: Console, out_dir: Path, scale: float = 0.5) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    await wait_delivered(console)
    wall_png = out_dir / "wall.png"
    operator_png = out_dir / "operator.png"
    render_canvas(console.wall.context(), console.wall.geometry, scale).save(str(wall_png))
    console.operator.grab().save(str(operator_png))
    return wall_png, operator_png
