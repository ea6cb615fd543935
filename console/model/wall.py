"""The wall's state: which layout, which source on each tile, and a version number.

Plain, serializable data changed only through commands, so a wall node on another PC could
follow it later; runtime status (online, last frame) is never part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from layouts.grid import Layout


@dataclass(frozen=True)
class WallState:
    version: int
    layout: Layout
    tiles: tuple[str | None, ...]  # source id per tile of ``layout``, None when empty

    def with_layout(self, layout: Layout) -> WallState:
        # Tiles keep their sources in order; a smaller layout drops the tail.
        kept = list(self.tiles[: layout.tile_count])
        kept += [None] * (layout.tile_count - len(kept))
        return replace(self, version=self.version + 1, layout=layout, tiles=tuple(kept))

    def with_tile(self, index: int, source_id: str | None) -> WallState:
        tiles = list(self.tiles)
        tiles[index] = source_id
        return replace(self, version=self.version + 1, tiles=tuple(tiles))

    def with_tiles(self, layout: Layout, tiles: list[str | None]) -> WallState:
        padded = (list(tiles) + [None] * layout.tile_count)[: layout.tile_count]
        return replace(self, version=self.version + 1, layout=layout, tiles=tuple(padded))

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "layout": self.layout.name, "tiles": list(self.tiles)}


@dataclass(frozen=True)
class Preset:
    """A saved assignment of sources to a layout."""

    name: str
    layout: str
    tiles: tuple[str | None, ...]
    origin: str = "site"  # "site" (from the site file) or "saved" (by an operator)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "layout": self.layout, "tiles": list(self.tiles), "origin": self.origin}
