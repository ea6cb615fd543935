"""The wall's state: which layout, which source on each tile, and a version number.

Plain, serializable data changed only through commands, so a wall node on another PC could
follow it later; runtime status (online, last frame) is never part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from console.model.kpi import base_source_id
from layouts.grid import Layout


@dataclass(frozen=True)
class WallState:
    version: int
    layout: Layout
    tiles: tuple[str | None, ...]  # source id per tile of ``layout``, None when empty
    # How the wall looks, beside what it shows: a meeting's clean look, a blanked wall, KPI values
    # held at a briefing's start ("as of" freeze), the title strip, and sensitive-camera masks lifted.
    mode: str = "live"  # "live" (operations) or "presentation" (a meeting: clean, masked, no alarms)
    blank: bool = False  # the wall shows black (a presenter's B key)
    as_of: float | None = None  # KPI tiles show values as they were at this time
    caption: str = ""  # the title strip's text in presentation mode (a meeting's or scene's title)
    unmasked: tuple[int, ...] = ()  # tile indexes whose sensitive camera the operator unmasked
    # Camera tiles the operator asked to keep at full frame rate when the machine is too busy for every
    # stream (they belong to the tile: a tour moving on or another camera put there keeps it).
    full_rate: tuple[int, ...] = ()

    @property
    def presenting(self) -> bool:
        return self.mode == "presentation"

    def with_layout(self, layout: Layout) -> WallState:
        # Tiles keep their sources in order; a smaller layout drops the tail.
        kept = list(self.tiles[: layout.tile_count])
        kept += [None] * (layout.tile_count - len(kept))
        return replace(self, version=self.version + 1, layout=layout, tiles=tuple(kept),
                       unmasked=tuple(i for i in self.unmasked if i < layout.tile_count),
                       full_rate=tuple(i for i in self.full_rate if i < layout.tile_count))

    def with_tile(self, index: int, source_id: str | None) -> WallState:
        tiles = list(self.tiles)
        same_source = base_source_id(tiles[index] or "") == base_source_id(source_id or "")
        tiles[index] = source_id
        # A lifted mask belongs to the camera it was lifted for: another source on the tile is masked again.
        unmasked = self.unmasked if same_source else tuple(i for i in self.unmasked if i != index)
        return replace(self, version=self.version + 1, tiles=tuple(tiles), unmasked=unmasked)

    def with_tiles(self, layout: Layout, tiles: list[str | None] | tuple[str | None, ...]) -> WallState:
        padded = (list(tiles) + [None] * layout.tile_count)[: layout.tile_count]
        unmasked = tuple(i for i in self.unmasked if i < layout.tile_count and i < len(self.tiles)
                         and base_source_id(self.tiles[i] or "") == base_source_id(padded[i] or ""))
        return replace(self, version=self.version + 1, layout=layout, tiles=tuple(padded), unmasked=unmasked,
                       full_rate=tuple(i for i in self.full_rate if i < layout.tile_count))

    def with_(self, **changes: Any) -> WallState:
        return replace(self, version=self.version + 1, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "layout": self.layout.name, "tiles": list(self.tiles),
                "mode": self.mode, "blank": self.blank, "as_of": self.as_of, "caption": self.caption,
                "unmasked": [i + 1 for i in self.unmasked], "full_rate": [i + 1 for i in self.full_rate]}


@dataclass(frozen=True)
class Preset:
    """A saved assignment of sources to a layout."""

    name: str
    layout: str
    tiles: tuple[str | None, ...]
    origin: str = "site"  # "site" (from the site file) or "saved" (by an operator)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "layout": self.layout, "tiles": list(self.tiles), "origin": self.origin}
