"""Layouts as cells of a grid over the whole wall canvas; pixels never appear here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class LayoutError(ValueError):
    """A layout definition that cannot be drawn (overlap, outside the grid, empty)."""


@dataclass(frozen=True)
class Cell:
    """One tile of a layout: a rectangle of grid cells."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1

    def covers(self) -> Iterable[tuple[int, int]]:
        for r in range(self.row, self.row + self.rowspan):
            for c in range(self.col, self.col + self.colspan):
                yield r, c

    def to_dict(self) -> dict[str, int]:
        return {"row": self.row, "col": self.col, "rowspan": self.rowspan, "colspan": self.colspan}


@dataclass(frozen=True)
class Layout:
    """A named grid of rows x cols with tiles; tile i is ``cells[i]``."""

    name: str
    rows: int
    cols: int
    cells: tuple[Cell, ...]
    title: str = ""

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise LayoutError(f"layout {self.name!r}: rows and cols must be at least 1")
        if not self.cells:
            raise LayoutError(f"layout {self.name!r}: has no tiles")
        seen: dict[tuple[int, int], int] = {}
        for i, cell in enumerate(self.cells):
            if cell.rowspan < 1 or cell.colspan < 1:
                raise LayoutError(f"layout {self.name!r}: tile {i + 1} has a span below 1")
            if cell.row < 0 or cell.col < 0 or cell.row + cell.rowspan > self.rows or cell.col + cell.colspan > self.cols:
                raise LayoutError(
                    f"layout {self.name!r}: tile {i + 1} ({cell.row},{cell.col} span {cell.rowspan}x{cell.colspan}) "
                    f"lies outside the {self.rows}x{self.cols} grid"
                )
            for rc in cell.covers():
                if rc in seen:
                    raise LayoutError(f"layout {self.name!r}: tiles {seen[rc] + 1} and {i + 1} overlap at cell {rc}")
                seen[rc] = i

    @property
    def tile_count(self) -> int:
        return len(self.cells)

    def tile_rect(self, index: int, width: float, height: float) -> tuple[float, float, float, float]:
        """The tile's rectangle (x, y, w, h) on a canvas of ``width`` x ``height`` units."""
        cell = self.cells[index]
        cw, ch = width / self.cols, height / self.rows
        return cell.col * cw, cell.row * ch, cell.colspan * cw, cell.rowspan * ch

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "rows": self.rows,
            "cols": self.cols,
            "cells": [c.to_dict() for c in self.cells],
        }


def grid(name: str, rows: int, cols: int, title: str = "") -> Layout:
    cells = tuple(Cell(r, c) for r in range(rows) for c in range(cols))
    return Layout(name, rows, cols, cells, title or name)


def hero(name: str, rows: int, cols: int, hero_cell: Cell, title: str = "") -> Layout:
    """A grid with one large tile first and single cells filling the rest, in reading order."""
    taken = set(hero_cell.covers())
    rest = tuple(Cell(r, c) for r in range(rows) for c in range(cols) if (r, c) not in taken)
    return Layout(name, rows, cols, (hero_cell, *rest), title or name)


def builtin_layouts() -> dict[str, Layout]:
    layouts = [
        grid("1x1", 1, 1),
        grid("2x2", 2, 2),
        grid("3x3", 3, 3),
        grid("4x4", 4, 4),
        hero("1+5", 3, 3, Cell(0, 0, 2, 2)),
        hero("1+7", 4, 4, Cell(0, 0, 3, 3)),
        # A 4x4 grid whose centre 2x2 is one hero tile, twelve tiles around it.
        hero("hero", 4, 4, Cell(1, 1, 2, 2), title="2x2 hero"),
    ]
    return {layout.name: layout for layout in layouts}


BUILTIN_LAYOUTS: Mapping[str, Layout] = builtin_layouts()


def layout_from_spec(name: str, rows: int, cols: int, cells: list[Mapping[str, int]] | None, title: str = "") -> Layout:
    """Build a layout from a site file's definition; no cells means a plain grid."""
    if not cells:
        return grid(name, rows, cols, title)
    built = tuple(
        Cell(int(c["row"]), int(c["col"]), int(c.get("rowspan", 1)), int(c.get("colspan", 1))) for c in cells
    )
    return Layout(name, rows, cols, built, title or name)
