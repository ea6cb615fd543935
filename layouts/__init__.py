"""Grid layouts of the wall: pure data and math, no Qt."""

from layouts.grid import BUILTIN_LAYOUTS, Cell, Layout, LayoutError, builtin_layouts, layout_from_spec

__all__ = ["BUILTIN_LAYOUTS", "Cell", "Layout", "LayoutError", "builtin_layouts", "layout_from_spec"]
