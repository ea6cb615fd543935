"""The operator's window driven as an operator drives it: keys, drops, presets, and what the wall shows.

Every test runs the whole console (store, database, demo connector, wall windows, control API) on
the simulated 3x2 wall, and checks what a person would notice: the wall's state, the audit log on
disk, the text in the window, the pixels on the wall's screens.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from websockets.asyncio.client import connect

from console.commands import ApplyLayout, AssignSource, RecallPreset, SavePreset
from console.persistence import AuditRecord
from console.qt.wall import WallManager
from widgets.source_browser import SOURCE_ROLE
from widgets.wall_view import SOURCE_MIME, tile_rects

WAIT_MS = 5000


# -- helpers (this file's own; test files do not import each other) --------------------------------
def run_coro(qtbot, coro, timeout_ms: int = 10000):
    """Run a coroutine on the qasync loop and wait for its result while Qt processes events."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


def audit(console) -> list[AuditRecord]:
    assert console.db.flush(), "the database writer did not catch up"
    return console.db.audit_rows()


def last_audit(console, command: str | None = None) -> AuditRecord:
    rows = [r for r in audit(console) if command is None or r.command == command]
    assert rows, f"no audit row for {command!r}"
    return rows[-1]


def wait_for_sources(qtbot, console, *sids: str) -> None:
    qtbot.waitUntil(lambda: all(s in console.store.sources for s in sids), timeout=WAIT_MS)


def activate(qtbot, window) -> None:
    """Make the operator's window the active one, as when the operator clicks on it."""
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def focus(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)


async def control_requests(port: int, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send requests over one websocket connection; the reply to each, in order."""
    replies = []
    async with connect(f"ws://127.0.0.1:{port}") as ws:
        for request in requests:
            await ws.send(json.dumps(request))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if "event" not in msg:
                    replies.append(msg)
                    break
    return replies


def choose_in_open_combo_by_keys(qtbot, combo, data: str) -> None:
    """In a combo box's open list, move with the arrow keys to the item holding ``data``, press Enter."""
    target = combo.findData(data)
    assert target >= 0, f"{data!r} is not offered"
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=WAIT_MS)
    for _ in range(combo.count()):
        if view.currentIndex().row() == target:
            break
        key = Qt.Key.Key_Down if target > view.currentIndex().row() else Qt.Key.Key_Up
        qtbot.keyClick(view, key)
    assert view.currentIndex().row() == target
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=WAIT_MS)


def region_stats(img: QImage, x0: int, y0: int, x1: int, y1: int, step: int = 4) -> tuple[set[int], int]:
    """Distinct colours and the count of bright (text-like) pixels sampled in a rectangle."""
    colours: set[int] = set()
    bright = 0
    for y in range(y0, y1, step):
        for x in range(x0, x1, step):
            c = img.pixelColor(x, y)
            colours.add(c.rgb())
            if min(c.red(), c.green(), c.blue()) > 200:
                bright += 1
    return colours, bright


def has_road(img: QImage, region: tuple[int, int, int, int]) -> bool:
    """Whether the demo cameras' road grey (BGR 70,70,72 in the frame) shows in a region."""
    x0, y0, x1, y1 = region
    def near(c: QColor) -> bool:  # the decoded picture rounds the grey a little
        return abs(c.red() - 72) <= 6 and abs(c.green() - 70) <= 6 and abs(c.blue() - 70) <= 6

    hits = sum(near(img.pixelColor(x, y)) for y in range(y0, y1, 8) for x in range(x0, x1, 8))
    return hits > 100


def tile_region(view, index: int) -> tuple[int, int, int, int]:
    """Widget pixels of a tile in a wall view (clipped to the view), shrunk a little off its border."""
    rect = tile_rects(view.store, view.geometry_)[index]
    s = view._scale()
    o = view._origin()
    x0 = o.x() + (rect.left() - view.region.x) * s
    y0 = o.y() + (rect.top() - view.region.y) * s
    x1 = o.x() + (rect.right() - view.region.x) * s
    y1 = o.y() + (rect.bottom() - view.region.y) * s
    x0, y0 = max(0, int(x0) + 4), max(0, int(y0) + 4)
    x1, y1 = min(view.width(), int(x1) - 4), min(view.height(), int(y1) - 4)
    return x0, y0, x1, y1


# -- layouts: operator UI and control API end the same way -----------------------------------------
def test_layout_from_combo_shortcut_and_control_api_end_in_the_same_state_and_audit(
        qtbot, make_console, demo_site):
    console = make_console(demo_site)
    op = console.operator
    store = console.store
    wait_for_sources(qtbot, console, "demo/cam-01")
    assert store.state.layout.name == "ops"

    # 1) the layout chooser, by keyboard only: Ctrl+L opens it, arrows move, Enter applies
    activate(qtbot, op)
    qtbot.keyClick(op, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    choose_in_open_combo_by_keys(qtbot, op.layout_box, "3x3")
    qtbot.waitUntil(lambda: store.state.layout.name == "3x3", timeout=WAIT_MS)
    ui_state = (store.state.layout.name, store.state.tiles)
    ui_row = last_audit(console)
    # the list was browsed without touching the wall: one change, not one per entry passed
    assert [(r.command, r.origin) for r in audit(console)] == [("recall_preset", "startup"),
                                                               ("apply_layout", "operator-ui")]
    assert ui_state[1] == tuple(demo_site.presets[0].tiles[:9])

    # 2) the same change through the control API, from another layout
    token = demo_site.control_token()
    replies = run_coro(qtbot, control_requests(console.control.port, [
        {"id": 1, "token": token, "command": "apply_layout", "args": {"layout": "4x4"}},
        {"id": 2, "token": token, "command": "apply_layout", "args": {"layout": "3x3"}},
    ]))
    assert [r["ok"] for r in replies] == [True, True], replies
    api_state = (store.state.layout.name, store.state.tiles)
    api_row = last_audit(console)
    assert api_state == ui_state
    assert replies[1]["version"] == store.state.version

    # 3) the Ctrl+3 shortcut on the operator window, from 4x4 again
    assert run_coro(qtbot, control_requests(console.control.port, [
        {"id": 3, "token": token, "command": "apply_layout", "args": {"layout": "4x4"}}]))[0]["ok"]
    assert store.state.layout.name == "4x4"
    activate(qtbot, op)
    qtbot.keyClick(op, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: store.state.layout.name == "3x3", timeout=WAIT_MS)
    key_state = (store.state.layout.name, store.state.tiles)
    key_row = last_audit(console)
    assert key_state == ui_state
    # the chooser follows the wall, whoever changed it
    qtbot.waitUntil(lambda: op.layout_box.currentData() == "3x3", timeout=WAIT_MS)

    for row in (ui_row, api_row, key_row):
        assert (row.command, row.args, row.result) == ("apply_layout", {"layout": "3x3"}, "applied")
    assert (ui_row.actor, ui_row.origin) == ("tester", "operator-ui")
    assert (key_row.actor, key_row.origin) == ("tester", "operator-ui")
    assert (api_row.actor, api_row.origin) == ("control:127.0.0.1", "control-api")


def test_browsing_the_closed_layout_chooser_with_arrow_keys_keeps_the_wall(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    op = console.operator
    store = console.store
    wait_for_sources(qtbot, console, "demo/cam-01")
    before = (store.state.layout.name, store.state.tiles)
    assert before[0] == "ops" and None not in before[1]
    activate(qtbot, op)
    focus(qtbot, op.layout_box)
    # the operator looks at the neighbouring entries and comes back to where they started
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Down):
        qtbot.keyClick(op.layout_box, key)
    assert op.layout_box.currentData() == "ops"
    assert (store.state.layout.name, store.state.tiles) == before


def test_unauthenticated_control_command_is_refused_and_audited(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    store = console.store
    before = (store.state.version, store.state.layout.name, store.state.tiles)
    replies = run_coro(qtbot, control_requests(console.control.port, [
        {"id": 7, "command": "apply_layout", "args": {"layout": "4x4"}},
        {"id": 8, "token": "not-the-token", "command": "clear_tile", "args": {"tile": 1}},
    ]))
    for reply, rid in zip(replies, (7, 8), strict=True):
        assert reply["id"] == rid
        assert reply["ok"] is False
        assert "unauthorized" in reply["error"]
    assert (store.state.version, store.state.layout.name, store.state.tiles) == before
    refused = [r for r in audit(console) if r.origin == "control-api"]
    assert [(r.command, r.args) for r in refused] == [("apply_layout", {"layout": "4x4"}),
                                                     ("clear_tile", {"tile": 1})]
    for row in refused:
        assert row.result.startswith("refused"), row
        assert row.actor == "control:127.0.0.1"
    for f in console.db.path.parent.glob(console.db.path.name + "*"):
        assert demo_site.control_token().encode() not in f.read_bytes(), f"token written to {f.name}"


# -- drag and drop ---------------------------------------------------------------------------------
def test_dropping_a_source_on_the_miniature_puts_it_on_that_tile(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    op = console.operator
    mini = op.miniature
    wait_for_sources(qtbot, console, "demo/cam-04")
    qtbot.waitUntil(lambda: mini.width() > 0 and mini.isVisible(), timeout=WAIT_MS)

    # what the source browser hands to a drag for a camera item
    browser = op.browser
    model = browser._model
    qtbot.waitUntil(lambda: bool(model.match(model.index(0, 0), SOURCE_ROLE, "demo/cam-04", 1,
                                             Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly)),
                    timeout=WAIT_MS)
    index = model.match(model.index(0, 0), SOURCE_ROLE, "demo/cam-04", 1,
                        Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly)[0]
    assert index.data() == "Bến xe Phủ Lý"
    dragged = model.mimeData([index])
    assert SOURCE_MIME in model.mimeTypes()
    assert dragged.hasFormat(SOURCE_MIME)
    assert bytes(dragged.data(SOURCE_MIME).data()) == b"demo/cam-04"

    mime = QMimeData()
    mime.setData(SOURCE_MIME, b"demo/cam-04")
    at = mini.tile_center(2)
    enter = QDragEnterEvent(at.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(mini, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(mini, drop)
    assert drop.isAccepted()

    assert console.store.state.tiles[2] == "demo/cam-04"
    assert mini.selected == 2
    row = last_audit(console, "assign_source")
    assert row.args == {"tile": 3, "source": "demo/cam-04"}
    assert (row.actor, row.origin, row.result) == ("tester", "operator-ui", "applied")

    # a drag of something that is not a source is not taken
    other = QMimeData()
    other.setText("demo/cam-05")
    refused = QDragEnterEvent(at.toPoint(), Qt.DropAction.CopyAction, other, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier)
    refused.setAccepted(False)
    QApplication.sendEvent(mini, refused)
    assert not refused.isAccepted()


# -- keyboard only ---------------------------------------------------------------------------------
def test_keyboard_only_clear_a_tile_then_find_and_place_a_camera(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    op = console.operator
    mini = op.miniature
    store = console.store
    wait_for_sources(qtbot, console, "demo/cam-02")
    assert store.state.tiles[2] == "demo/cam-05"

    activate(qtbot, op)
    focus(qtbot, mini)
    assert mini.selected == 0
    qtbot.keyClick(mini, Qt.Key.Key_Right)
    qtbot.keyClick(mini, Qt.Key.Key_Right)
    assert mini.selected == 2
    qtbot.keyClick(mini, Qt.Key.Key_Delete)
    assert store.state.tiles[2] is None
    row = last_audit(console)
    assert (row.command, row.args, row.actor, row.origin) == ("clear_tile", {"tile": 3}, "tester", "operator-ui")

    # Ctrl+F jumps to the filter; the search ignores Vietnamese diacritics
    browser = op.browser
    qtbot.waitUntil(lambda: "demo/cam-02" in browser._seen_sources, timeout=WAIT_MS)
    qtbot.keyClick(op, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(browser.filter.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(browser.filter, "cau non")
    assert browser.filter.text() == "cau non"
    tree = browser.tree
    focus(qtbot, tree)
    for _ in range(10):
        if browser.current_source() == "demo/cam-02":
            break
        qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert browser.current_source() == "demo/cam-02"
    assert tree.currentIndex().data() == "Cầu Non Nước"
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: store.state.tiles[2] == "demo/cam-02", timeout=WAIT_MS)
    row = last_audit(console)
    assert (row.command, row.args) == ("assign_source", {"tile": 3, "source": "demo/cam-02"})


# -- presets ---------------------------------------------------------------------------------------
def test_saved_preset_is_listed_and_recalled_by_its_shortcut(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    op = console.operator
    store = console.store
    wait_for_sources(qtbot, console, "demo/cam-01")
    assert op.run(AssignSource(tile=4, source="demo/cam-08")).ok
    saved = (store.state.layout.name, store.state.tiles)
    assert op.run(SavePreset(preset="Ca đêm")).ok
    qtbot.waitUntil(lambda: op.preset_box.findText("Ca đêm") >= 0, timeout=WAIT_MS)

    assert op.run(ApplyLayout(layout="2x2")).ok
    assert store.state.layout.name == "2x2"
    n = sorted(store.presets).index("Ca đêm") + 1
    activate(qtbot, op)
    qtbot.keyClick(op, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: store.state.layout.name == "ops", timeout=WAIT_MS)
    assert (store.state.layout.name, store.state.tiles) == saved
    assert op.preset_box.currentText() == "Ca đêm"
    row = last_audit(console)
    assert (row.command, row.args, row.result) == ("recall_preset", {"preset": "Ca đêm"}, "applied")

    # the command path works the same, and the preset is on disk for the next start
    assert op.run(ApplyLayout(layout="1x1")).ok
    assert op.run(RecallPreset(preset="Ca đêm")).ok
    assert (store.state.layout.name, store.state.tiles) == saved
    assert console.db.flush()
    on_disk = {p.name: p for p in console.db.saved_presets()}
    assert on_disk["Ca đêm"].tiles == saved[1]


# -- the wall's windows ----------------------------------------------------------------------------
def test_wall_windows_show_what_the_store_says(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    store = console.store
    kpi = "kpi/aqi"
    wait_for_sources(qtbot, console, kpi, "demo/cam-03")
    qtbot.waitUntil(lambda: store.kpi_book is not None and store.kpi_book.reading("aqi", "p-ninhbinh") is not None,
                    timeout=WAIT_MS)
    d11 = console.wall.windows["D11"]
    d12 = console.wall.windows["D12"]
    region = tile_region(d11, 0)

    # at start, tile 1 (all of D11 in the "ops" layout) shows camera 1: its road is on the screen
    assert store.state.tiles[0] == "demo/cam-01"
    qtbot.waitUntil(lambda: has_road(d11.grab().toImage(), region), timeout=WAIT_MS)

    # after the assignment it shows the indicator: a caption and a big number, no road
    assert console.operator.run(AssignSource(tile=1, source=kpi)).ok

    def kpi_drawn() -> bool:
        colours, bright = region_stats(d11.grab().toImage(), *region)
        return len(colours) > 3 and bright > 20

    qtbot.waitUntil(kpi_drawn, timeout=WAIT_MS)
    img = d11.grab().toImage()
    assert img.size() == d11.size()
    assert not has_road(img, region)

    # tile 2 (D12) shows camera 3, and the demo picture moves
    assert store.state.tiles[1] == "demo/cam-03"
    qtbot.waitUntil(lambda: 1 in d12.feeds and d12.feeds[1].frame() is not None, timeout=WAIT_MS)
    x0, y0, x1, y1 = tile_region(d12, 1)
    first = d12.grab().toImage().copy(x0, y0, x1 - x0, y1 - y0)
    colours, _ = region_stats(first, 0, 0, first.width(), first.height())
    assert len(colours) > 20, "camera tile is not a picture"
    qtbot.waitUntil(lambda: d12.grab().toImage().copy(x0, y0, x1 - x0, y1 - y0) != first, timeout=WAIT_MS)


# -- connector health ------------------------------------------------------------------------------
def test_connectors_dock_shows_demo_ok(qtbot, make_console, demo_site):
    console = make_console(demo_site)
    health = console.operator.health
    assert console.operator.health_dock.isVisible()

    def demo_ok() -> bool:
        try:
            return health.row_of("demo")["state"] == "ok"
        except KeyError:
            return False

    qtbot.waitUntil(demo_ok, timeout=WAIT_MS)
    row = health.row_of("demo")
    assert row["last_ok"] not in ("", "—")
    assert row["error"] == ""


# -- screens going away and coming back ------------------------------------------------------------
def test_wall_follows_screens_removed_and_restored(qtbot, make_console, demo_site, monkeypatch):
    console = make_console(demo_site)
    wall = console.wall
    op = console.operator
    all_screens = WallManager.screens()
    assert sorted(wall.windows) == ["D11", "D12", "D13", "D21", "D22", "D23"]
    assert not op.wall_notice.isVisible()

    fewer = {name: s for name, s in all_screens.items() if name not in ("WALL-5", "WALL-6")}
    monkeypatch.setattr(WallManager, "screens", staticmethod(lambda: dict(fewer)))
    wall._screens_changed(None)
    qtbot.waitUntil(lambda: sorted(wall.windows) == ["D11", "D12", "D13", "D21"], timeout=WAIT_MS)
    for display, screen_name in (("D11", "WALL-1"), ("D12", "WALL-2"), ("D13", "WALL-3"), ("D21", "WALL-4")):
        window = wall.windows[display]
        qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
        assert window.screen().name() == screen_name
        assert window.geometry() == all_screens[screen_name].geometry()
    assert "D22" in wall.notice and "WALL-5" in wall.notice
    assert "D23" in wall.notice and "WALL-6" in wall.notice
    qtbot.waitUntil(op.wall_notice.isVisible, timeout=WAIT_MS)
    assert op.wall_notice.text() == wall.notice
    # the wall still draws: the remaining windows paint without error
    assert not wall.windows["D11"].grab().toImage().isNull()

    monkeypatch.setattr(WallManager, "screens", staticmethod(lambda: dict(all_screens)))
    wall._screens_changed(None)
    qtbot.waitUntil(lambda: len(wall.windows) == 6, timeout=WAIT_MS)
    assert sorted(wall.windows) == ["D11", "D12", "D13", "D21", "D22", "D23"]
    for display, screen_name in zip(["D11", "D12", "D13", "D21", "D22", "D23"], demo_site.wall.screens,
                                    strict=True):
        qtbot.waitUntil(wall.windows[display].isVisible, timeout=WAIT_MS)
        assert wall.windows[display].screen().name() == screen_name
    assert "6 screens" in wall.notice
    qtbot.waitUntil(lambda: not op.wall_notice.isVisible(), timeout=WAIT_MS)

