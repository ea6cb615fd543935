"""Operator actions on camera tiles, on the demo site's looped clips: snapshot, full-screen,
digital zoom, details overlay, and pausing a camera tour."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from console.commands import ApplyLayout, AssignSource, PauseTour, RecallPreset, ResumeTour

WAIT_MS = 60000  # first run on a machine encodes the demo clips


def live(view, index: int) -> bool:
    feed = view.feeds.get(index)
    return feed is not None and feed.frame() is not None


def test_snapshot_saves_the_cameras_picture_and_audits_it(qtbot, make_console, demo_site, tmp_path):
    console = make_console(demo_site, snapshot_dir=tmp_path / "snaps")
    d11 = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(d11, 0), timeout=WAIT_MS)  # tile 1: CAM-01 on the whole of D11
    console.operator.miniature.select(0)
    qtbot.keyClick(console.operator, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    files = list((tmp_path / "snaps").glob("*.png"))
    assert len(files) == 1
    assert files[0].name.startswith("demo_cam-01_")  # named by camera and time
    img = QImage(str(files[0]))
    # the wall's big tile gave the picture: far larger than the miniature's
    assert img.width() >= 1200
    colours = {img.pixel(x, y) for y in range(0, img.height(), 9) for x in range(0, img.width(), 9)}
    assert len(colours) > 50
    console.db.flush()
    row = console.db.audit_rows()[-1]
    assert (row.command, row.actor, row.args["file"]) == ("snapshot", "tester", files[0].name)
    assert "saved" in console.operator.statusBar().currentMessage()


def test_double_click_shows_one_tile_full_screen_and_stops_the_covered_ones(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    mini = console.operator.miniature
    qtbot.waitUntil(lambda: live(mini, 0) and live(mini, 3), timeout=WAIT_MS)
    held = len(mini.feeds)
    assert held >= 5
    qtbot.mouseDClick(mini, Qt.MouseButton.LeftButton, pos=mini.tile_center(3).toPoint())
    assert mini.maximized == 3
    qtbot.waitUntil(lambda: set(mini.feeds) == {3}, timeout=5000)
    # full-screen in the miniature: the tile takes the main stream
    qtbot.waitUntil(lambda: mini.feeds[3].role == "main" and mini.feeds[3].frame() is not None, timeout=WAIT_MS)
    qtbot.mouseDClick(mini, Qt.MouseButton.LeftButton, pos=QPoint(mini.width() // 2, mini.height() // 2))
    assert mini.maximized is None
    qtbot.waitUntil(lambda: len(mini.feeds) == held, timeout=5000)


def wheel(view, pos: QPointF, steps: int) -> None:
    for _ in range(abs(steps)):
        delta = 120 if steps > 0 else -120
        event = QWheelEvent(pos, view.mapToGlobal(pos), QPoint(0, 0), QPoint(0, delta), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view, event)


def test_wheel_zooms_a_camera_tile_and_drag_pans_it(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    d12 = console.wall.windows["D12"]  # tile 2: CAM-03 over the whole display
    qtbot.waitUntil(lambda: live(d12, 1), timeout=WAIT_MS)
    before = d12.grab().toImage()
    centre = QPointF(d12.width() / 2, d12.height() / 2)
    wheel(d12, centre, 4)
    factor, cx, cy = d12.zoom[1]
    assert factor > 2.0 and abs(cx - 0.5) < 0.01 and abs(cy - 0.5) < 0.01
    assert d12.feeds[1].force_main  # a zoomed tile wants the full-resolution stream
    qtbot.waitUntil(lambda: d12.grab().toImage() != before, timeout=5000)
    qtbot.mousePress(d12, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    qtbot.mouseMove(d12, pos=(centre + QPointF(200, 0)).toPoint())
    qtbot.mouseRelease(d12, Qt.MouseButton.LeftButton, pos=(centre + QPointF(200, 0)).toPoint())
    assert d12.zoom[1][1] < cx  # dragging right shows what is further left
    wheel(d12, centre, -10)
    assert 1 not in d12.zoom


def test_details_overlay_shows_stream_figures(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    d11 = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(d11, 0) and d11.feeds[0].info.fps > 0, timeout=WAIT_MS)
    assert not d11.overlay
    qtbot.keyClick(console.operator, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert d11.overlay and console.operator.miniature.overlay
    info = d11.feeds[0].info
    assert info.codec == "h264" and info.width == 1280 and info.decode_path == "CPU"
    # the overlay box sits in the tile's top-right corner: dark box with light text over the sky
    img = d11.grab().toImage()
    # every second pixel: a sparser grid can fall between the text's thin strokes (19 hits on a bad day)
    corner = [img.pixelColor(x, y) for y in range(20, 160, 2) for x in range(d11.width() - 300, d11.width() - 20, 2)]
    assert sum(c.lightness() > 200 for c in corner) > 80
    assert sum(c.lightness() < 40 for c in corner) > 800


def test_tour_advances_and_can_be_paused_from_the_keyboard(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    assert console.execute(RecallPreset(preset="Giao thông"), "tester", "test").ok
    assert console.store.state.tiles[0] == "tour/Tuần tra giao thông"
    qtbot.waitUntil(lambda: console.tours.position(0) is not None, timeout=5000)
    first = console.tours.position(0)
    assert first.camera == "demo/cam-01" and first.steps == 4
    mini = console.operator.miniature
    mini.setFocus()
    mini.select(0)
    qtbot.keyClick(mini, Qt.Key.Key_Space)
    assert console.tours.position(0).paused
    left = console.tours.position(0).remaining_s
    qtbot.wait(300)
    assert console.tours.position(0).remaining_s == left  # the clock stands still while paused
    console.db.flush()
    assert console.db.audit_rows()[-1].command == "pause_tour"
    assert console.execute(ResumeTour(tile=1), "tester", "test").ok
    assert not console.tours.position(0).paused
    # dwell 8 s on CAM-01, then the next camera
    qtbot.waitUntil(lambda: console.tours.position(0).camera == "demo/cam-02", timeout=20000)
    assert console.tours.position(0).step == 1
    # a pause command on a tile without a tour is refused
    result = console.execute(PauseTour(tile=2), "tester", "test")
    assert not result.ok and "no camera tour" in result.error


def test_a_camera_assigned_by_command_plays_on_the_wall(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    assert console.execute(ApplyLayout(layout="2x2"), "tester", "test").ok
    assert console.execute(AssignSource(tile=4, source="demo/cam-07"), "tester", "test").ok
    # tile 4 of a 2x2 on the 3x2 wall lies over D22/D23 (bottom right)
    def showing() -> list:
        return [v for v in console.wall.windows.values() if 3 in v.feeds and v.feeds[3].source.id == "demo/cam-07"]

    qtbot.waitUntil(lambda: len(showing()) == 2 and all(live(v, 3) for v in showing()), timeout=WAIT_MS)
    assert {name for name, v in console.wall.windows.items() if v in showing()} == {"D22", "D23"}


def overlay_bottom(view) -> int:
    """The lowest row of white text in the top-right quarter of the view, where the details overlay writes its
    lines (the demo's street has yellow windows, grey walls and a grey road there, no white)."""
    img = view.grab().toImage()
    for y in range(view.height() // 2, 0, -1):
        white = sum(1 for x in range(view.width() // 2, view.width() - 10, 2)
                    if (c := img.pixelColor(x, y)).lightness() > 215 and c.hslSaturation() < 60)
        if white >= 3:
            return y
    return 0


def test_keep_full_rate_from_the_tile_menu_makes_the_cameras_stream_a_priority(qtbot, make_console, demo_site):
    """The operator's right-click menu on a camera tile: *Keep at full frame rate when the machine is busy*. The
    stream of that tile, in every view that shows it, becomes one the load governor never sheds; the details
    overlay says so (one line more); unticking gives it back; the alarm tile's camera is a priority the same way."""
    console = make_console(demo_site)
    d11 = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: live(d11, 0), timeout=WAIT_MS)  # tile 1: CAM-01 on the whole of D11

    def keep_action():
        menu = console.operator.tile_menu(1)
        assert menu is not None
        return next(a for a in menu.actions() if a.isCheckable())

    def priority() -> bool:
        feed = d11.feeds.get(0)
        return bool(feed and feed.priority and feed.current and feed.current._entry.priority)

    assert not keep_action().isChecked() and not priority()
    qtbot.keyClick(console.operator, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # the details overlay
    qtbot.wait(200)
    before = overlay_bottom(d11)
    keep_action().trigger()
    assert console.store.state.full_rate == (0,)
    qtbot.waitUntil(priority, timeout=3000)
    assert keep_action().isChecked()
    qtbot.wait(200)
    after = overlay_bottom(d11)
    # The overlay's text goes one line lower (its lines are ~80 px apart here): "kept at full rate when busy".
    assert 300 < before < after - 50, (before, after)
    console.db.flush()
    row = console.db.audit_rows()[-1]
    assert (row.command, row.args) == ("keep_full_rate", {"tile": 1, "on": True})

    keep_action().trigger()
    assert console.store.state.full_rate == ()
    qtbot.waitUntil(lambda: not priority(), timeout=3000)
    # An alarm on the tile (the alert desk marks it): a priority again while the alarm lasts.
    console.store.alarm_tiles = frozenset({0})
    qtbot.waitUntil(priority, timeout=3000)
    console.store.alarm_tiles = frozenset()
    qtbot.waitUntil(lambda: not priority(), timeout=3000)
