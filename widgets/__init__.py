"""Qt views that render model objects: wall canvas, tiles, source browser, health."""
