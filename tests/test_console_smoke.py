"""The demo console on a simulated 3x2 wall: one window per display, pictures on the wall."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication


def test_demo_opens_one_window_per_display(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    assert sorted(console.wall.windows) == ["D11", "D12", "D13", "D21", "D22", "D23"]
    screens = {s.name(): s for s in QGuiApplication.screens()}
    for display, screen_name in zip(["D11", "D12", "D13", "D21", "D22", "D23"], demo_site.wall.screens, strict=True):
        window = console.wall.windows[display]
        assert window.isVisible()
        assert window.screen().name() == screen_name
        assert window.geometry() == screens[screen_name].geometry()
    assert console.operator.screen().name() == "OPERATOR"
