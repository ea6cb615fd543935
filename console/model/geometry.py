"""Wall canvas geometry: displays in a grid, with bezels turned into hidden canvas pixels."""

from __future__ import annotations

from dataclasses import dataclass

from layouts.grid import Layout


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, other: Rect) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True)
class Bezel:
    """Bezel widths of one panel, in millimetres (the frame around the active area)."""

    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    bottom: float = 0.0


@dataclass(frozen=True)
class DisplayGeometry:
    """One display's place on the canvas: its visible pixels as a rectangle of canvas pixels."""

    name: str
    row: int
    col: int
    rect: Rect  # in canvas pixels; the gaps between rects are the pixels hidden by bezels


@dataclass(frozen=True)
class WallGeometry:
    """The whole canvas: every display's visible rectangle plus the hidden bezel gaps."""

    width: float
    height: float
    displays: tuple[DisplayGeometry, ...]

    def grid_lines(self, cells: int, horizontal: bool) -> list[float]:
        """Canvas positions of the ``cells + 1`` lines of a layout grid along one axis.

        When the grid divides evenly into the displays along that axis, lines fall on display
        edges and inside displays, never in a bezel gap, so a tile the size of one display fills
        exactly that display. Otherwise the canvas is divided evenly.
        """
        spans = sorted({(d.rect.x, d.rect.right) if horizontal else (d.rect.y, d.rect.bottom)
                        for d in self.displays})
        total = self.width if horizontal else self.height
        if cells % len(spans):
            return [total * i / cells for i in range(cells + 1)]
        per = cells // len(spans)
        lines = []
        for start, end in spans:
            lines += [start + (end - start) * k / per for k in range(per)]
        return [*lines, spans[-1][1]]

    def grid_spans(self, cells: int, horizontal: bool) -> list[tuple[float, float]]:
        """(start, end) of each grid cell along one axis. A cell that ends at a display's edge
        ends there, and the next starts at the next display's edge, so no tile reaches into
        the bezel gap (where its border and text would be hidden)."""
        spans = sorted({(d.rect.x, d.rect.right) if horizontal else (d.rect.y, d.rect.bottom)
                        for d in self.displays})
        if cells % len(spans):
            total = self.width if horizontal else self.height
            return [(total * i / cells, total * (i + 1) / cells) for i in range(cells)]
        per = cells // len(spans)
        return [(start + (end - start) * k / per, start + (end - start) * (k + 1) / per)
                for start, end in spans for k in range(per)]

    def tile_rect(self, layout: Layout, index: int) -> Rect:
        """Where tile ``index`` of ``layout`` lies on this canvas."""
        cell = layout.cells[index]
        xs = self.grid_spans(layout.cols, horizontal=True)
        ys = self.grid_spans(layout.rows, horizontal=False)
        x0, x1 = xs[cell.col][0], xs[cell.col + cell.colspan - 1][1]
        y0, y1 = ys[cell.row][0], ys[cell.row + cell.rowspan - 1][1]
        return Rect(x0, y0, x1 - x0, y1 - y0)

    def display(self, name: str) -> DisplayGeometry:
        for d in self.displays:
            if d.name == name:
                return d
        raise KeyError(name)


def wall_geometry(
    rows: int,
    cols: int,
    names: list[str],
    resolution: tuple[int, int],
    active_mm: tuple[float, float],
    bezel: Bezel,
    compensate: bool = True,
) -> WallGeometry:
    """Lay out ``rows`` x ``cols`` identical panels on one canvas.

    With bezel compensation, the physical gap between two panels' active areas (the right bezel
    of one plus the left bezel of the next) becomes that many canvas pixels at the panel's pixel
    pitch. Content drawn there is hidden behind the frames, so a line crossing two panels stays
    straight instead of jumping by the bezel's width.
    """
    if len(names) != rows * cols:
        raise ValueError(f"{rows}x{cols} wall needs {rows * cols} display names, got {len(names)}")
    px_w, px_h = resolution
    pitch_x = active_mm[0] / px_w  # mm per pixel
    pitch_y = active_mm[1] / px_h
    gap_x = round((bezel.right + bezel.left) / pitch_x) if compensate else 0
    gap_y = round((bezel.bottom + bezel.top) / pitch_y) if compensate else 0
    displays = []
    for i, name in enumerate(names):
        r, c = divmod(i, cols)
        rect = Rect(c * (px_w + gap_x), r * (px_h + gap_y), px_w, px_h)
        displays.append(DisplayGeometry(name, r, c, rect))
    width = cols * px_w + (cols - 1) * gap_x
    height = rows * px_h + (rows - 1) * gap_y
    return WallGeometry(width, height, tuple(displays))
