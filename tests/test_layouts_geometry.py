"""Builtin layouts, layout validation, and the wall canvas with bezel compensation."""

from __future__ import annotations

import math

import pytest

from console.model.geometry import Bezel, Rect, WallGeometry, wall_geometry
from console.site import BezelSpec, WallSpec, display_names
from layouts.grid import BUILTIN_LAYOUTS, Cell, Layout, LayoutError, grid, layout_from_spec

# -- layouts ---------------------------------------------------------------------------------

EXPECTED_TILES = {"1x1": 1, "2x2": 4, "3x3": 9, "4x4": 16, "1+5": 6, "1+7": 8, "hero": 13}


def test_the_builtin_set():
    assert set(BUILTIN_LAYOUTS) == set(EXPECTED_TILES)


@pytest.mark.parametrize(("name", "tiles"), sorted(EXPECTED_TILES.items()))
def test_builtin_layout_covers_its_grid_exactly(name, tiles):
    layout = BUILTIN_LAYOUTS[name]
    assert layout.name == name
    assert layout.tile_count == tiles == len(layout.cells)
    covered = [rc for cell in layout.cells for rc in cell.covers()]
    assert len(covered) == len(set(covered)), "tiles overlap"
    assert set(covered) == {(r, c) for r in range(layout.rows) for c in range(layout.cols)}
    # Tile rectangles on a unit canvas add up to the whole canvas.
    area = sum(w * h for _, _, w, h in (layout.tile_rect(i, 1.0, 1.0) for i in range(tiles)))
    assert area == pytest.approx(1.0)


def test_hero_layouts_put_the_big_tile_first():
    assert BUILTIN_LAYOUTS["1+5"].cells[0] == Cell(0, 0, 2, 2)
    assert BUILTIN_LAYOUTS["1+7"].cells[0] == Cell(0, 0, 3, 3)
    hero = BUILTIN_LAYOUTS["hero"]
    assert (hero.rows, hero.cols) == (4, 4)
    assert hero.cells[0] == Cell(1, 1, 2, 2)
    # The rest in reading order.
    rest = [(c.row, c.col) for c in hero.cells[1:]]
    assert rest == sorted(rest)


def test_overlap_names_both_tiles():
    with pytest.raises(LayoutError) as info:
        Layout("bad", 2, 2, (Cell(0, 0, 2, 1), Cell(1, 0), Cell(0, 1)))
    msg = str(info.value)
    assert "'bad'" in msg and "tiles 1 and 2 overlap" in msg and "(1, 0)" in msg


def test_tile_outside_the_grid_is_named():
    with pytest.raises(LayoutError) as info:
        Layout("wide", 2, 2, (Cell(0, 0), Cell(0, 1, 1, 2)))
    msg = str(info.value)
    assert "'wide'" in msg and "tile 2" in msg and "outside the 2x2 grid" in msg


@pytest.mark.parametrize("cell", [Cell(-1, 0), Cell(0, 2), Cell(2, 0), Cell(1, 1, 2, 1)])
def test_any_cell_outside_is_refused(cell):
    with pytest.raises(LayoutError, match="tile 2"):
        Layout("x", 2, 2, (Cell(0, 0), cell))


def test_empty_layout_and_zero_span_are_refused():
    with pytest.raises(LayoutError, match="no tiles"):
        Layout("none", 2, 2, ())
    with pytest.raises(LayoutError, match="tile 1 has a span below 1"):
        Layout("flat", 2, 2, (Cell(0, 0, 0, 1),))


def test_layout_from_spec():
    plain = layout_from_spec("g", 2, 3, None)
    assert plain.tile_count == 6 and plain.title == "g"
    custom = layout_from_spec("c", 2, 2, [{"row": 0, "col": 0, "colspan": 2}, {"row": 1, "col": 0},
                                          {"row": 1, "col": 1}], "Custom")
    assert custom.cells[0] == Cell(0, 0, 1, 2) and custom.title == "Custom"
    with pytest.raises(LayoutError, match="tiles 1 and 2 overlap"):
        layout_from_spec("o", 2, 2, [{"row": 0, "col": 0, "colspan": 2}, {"row": 0, "col": 1}])


# -- bezel compensation ----------------------------------------------------------------------

W, H = 1920, 1080
DIAGONAL_IN = 55.0
BEZEL_MM = 0.9


def pitch_mm() -> float:
    """mm per pixel of a 55" 1920x1080 panel, from its diagonal (square pixels)."""
    return DIAGONAL_IN * 25.4 / math.hypot(W, H)


def expected_gap() -> int:
    return round((BEZEL_MM + BEZEL_MM) / pitch_mm())


def wall(compensate: bool = True) -> WallGeometry:
    spec = WallSpec(
        rows=2, cols=3, resolution=(W, H), diagonal_in=DIAGONAL_IN,
        bezel_mm=BezelSpec(left=BEZEL_MM, right=BEZEL_MM, top=BEZEL_MM, bottom=BEZEL_MM),
        bezel_compensation=compensate, screens=[f"S{i}" for i in range(6)],
    )
    return spec.geometry()


def test_pitch_and_gap_of_a_55_inch_panel():
    assert 0.62 < pitch_mm() < 0.65
    assert expected_gap() == 3  # 1.8 mm / 0.634 mm = 2.84 pixels


def test_displays_step_by_width_plus_the_bezel_gap():
    g = wall()
    gap = expected_gap()
    assert [d.name for d in g.displays] == display_names(2, 3) == ["D11", "D12", "D13", "D21", "D22", "D23"]
    for d in g.displays:
        assert d.rect == Rect(d.col * (W + gap), d.row * (H + gap), W, H)
    xs = sorted({d.rect.x for d in g.displays})
    assert [b - a for a, b in zip(xs, xs[1:], strict=False)] == [W + gap, W + gap]
    assert g.width == 3 * W + 2 * gap
    assert g.height == 2 * H + gap


def test_wall_geometry_directly_matches_the_site_spec():
    p = pitch_mm()
    g = wall_geometry(2, 3, display_names(2, 3), (W, H), (W * p, H * p),
                      Bezel(BEZEL_MM, BEZEL_MM, BEZEL_MM, BEZEL_MM))
    assert g == wall()


def test_without_compensation_there_is_no_gap():
    g = wall(compensate=False)
    for d in g.displays:
        assert d.rect == Rect(d.col * W, d.row * H, W, H)
    assert (g.width, g.height) == (3 * W, 2 * H)


def test_wall_geometry_refuses_a_wrong_number_of_names():
    with pytest.raises(ValueError, match="needs 6 display names, got 5"):
        wall_geometry(2, 3, display_names(2, 3)[:5], (W, H), (1000, 560), Bezel())


def gaps_x(g: WallGeometry) -> list[tuple[float, float]]:
    spans = sorted({(d.rect.x, d.rect.right) for d in g.displays})
    return [(right, nxt) for (_, right), (nxt, _) in zip(spans, spans[1:], strict=False)]


def test_grid_lines_that_divide_into_displays_fall_on_display_edges():
    g = wall()
    gap = expected_gap()
    lines = g.grid_lines(6, horizontal=True)
    assert len(lines) == 7
    lefts = [0, W + gap, 2 * (W + gap)]
    assert lines == [lefts[0], lefts[0] + W / 2, lefts[1], lefts[1] + W / 2, lefts[2], lefts[2] + W / 2,
                     lefts[2] + W]
    # Every display's left edge is a line, the wall's right edge is the last one, and no line lies
    # inside a bezel gap.
    for d in g.displays:
        assert d.rect.x in lines
    assert lines[-1] == g.width
    for start, end in gaps_x(g):
        assert end - start == gap
        assert not [x for x in lines if start < x < end]
    # Each line is a display's edge or the middle of a display.
    edges = {d.rect.x for d in g.displays} | {d.rect.right for d in g.displays}
    middles = {d.rect.x + W / 2 for d in g.displays}
    assert set(lines) <= edges | middles


def test_grid_lines_per_display_vertically():
    g = wall()
    gap = expected_gap()
    assert g.grid_lines(2, horizontal=False) == [0, H + gap, 2 * H + gap]
    assert g.grid_lines(4, horizontal=False) == [0, H / 2, H + gap, H + gap + H / 2, 2 * H + gap]


def test_grid_lines_that_do_not_divide_split_the_canvas_evenly():
    g = wall()
    lines = g.grid_lines(4, horizontal=True)
    assert lines == pytest.approx([g.width * i / 4 for i in range(5)])
    assert g.grid_lines(3, horizontal=False) == pytest.approx([g.height * i / 3 for i in range(4)])


def test_a_tile_the_size_of_one_display_fills_exactly_that_display():
    g = wall()
    three_by_two = grid("3x2", 2, 3)  # one tile per display
    for i, d in enumerate(g.displays):
        assert g.tile_rect(three_by_two, i) == d.rect, d.name


def test_a_full_wall_tile_hides_exactly_the_bezel_pixels():
    g = wall()
    gap = expected_gap()
    layout = BUILTIN_LAYOUTS["1x1"]
    assert g.tile_rect(layout, 0) == Rect(0, 0, g.width, g.height)

    def shown(x: int, y: int) -> bool:
        return any(d.rect.x <= x < d.rect.right and d.rect.y <= y < d.rect.bottom for d in g.displays)

    hidden_cols = [x for x in range(int(g.width)) if not shown(x, 0)]
    hidden_rows = [y for y in range(int(g.height)) if not shown(0, y)]
    assert hidden_cols == [*range(W, W + gap), *range(2 * W + gap, 2 * W + 2 * gap)]
    assert hidden_rows == list(range(H, H + gap))
    # The hidden pixels are as wide as the bezels, to within half a pixel.
    assert abs(gap * pitch_mm() - 2 * BEZEL_MM) <= pitch_mm() / 2


def physical_mm(g: WallGeometry, x: float, y: float, bezels: bool) -> tuple[float, float]:
    """Where canvas point (x, y) appears on the real wall, in mm from its top-left active corner."""
    p = pitch_mm()
    d = next(d for d in g.displays if d.rect.x <= x < d.rect.right and d.rect.y <= y < d.rect.bottom)
    frame = 2 * BEZEL_MM if bezels else 0.0
    px = d.col * (W * p + frame) + (x - d.rect.x) * p
    py = d.row * (H * p + frame) + (y - d.rect.y) * p
    return px, py


def test_a_diagonal_across_the_whole_wall_stays_straight():
    g = wall()
    gap = expected_gap()
    # A point on display D12 (column 2) at canvas x is at x - (1920 + gap) on that display.
    d12 = g.display("D12")
    assert d12.rect.x == W + gap
    x = 2500
    assert x - d12.rect.x == x - (W + gap) == 577

    # Sample the canvas diagonal; where each sample shows up on the real wall must lie on one
    # straight line through the wall's corners, within a pixel.
    worst = 0.0
    slope = g.height / g.width
    for i in range(1, 400):
        cx = g.width * i / 400
        cy = cx * slope
        if not any(d.rect.x <= cx < d.rect.right and d.rect.y <= cy < d.rect.bottom for d in g.displays):
            continue  # behind a bezel
        px, py = physical_mm(g, cx, cy, bezels=True)
        worst = max(worst, abs(px - cx * pitch_mm()), abs(py - cy * pitch_mm()))
    assert worst < pitch_mm()


def test_without_compensation_the_diagonal_jumps_at_each_bezel():
    g = wall(compensate=False)
    x = 2 * W + 100  # on the third column
    px, _ = physical_mm(g, x, 10, bezels=True)
    # Two bezel gaps (2 x 1.8 mm) to the left: the content is shifted by them on the wall.
    assert px - x * pitch_mm() == pytest.approx(2 * 2 * BEZEL_MM)
