"""Briefings and presentation mode in a running console on a copy of the demo site: scenes recalled
exactly, clicker keys, the "as of" freeze, a meeting's clean wall with masked cameras and suppressed
alarms, return to live, the run log and the briefing pack (checked with Qt's PDF module)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import pytest
import sqlite_utils
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument

from console.commands import (
    AddScene,
    AssignSource,
    BlankWall,
    DeleteScene,
    EditScene,
    EndBriefing,
    GotoScene,
    MoveScene,
    NewBriefing,
    NextScene,
    RecallPreset,
    SetPresentation,
    ShowDocument,
    StartBriefing,
    UnmaskTile,
)
from console.model.alerts import AlertEvent, Severity
from console.site import load_site
from widgets.tile_painter import FROZEN
from widgets.wall_view import render_canvas, tile_rects

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "resources" / "sites"
WAIT_MS = 20000
BRIEFING = "giao-ban-sang"
REPORT = "tai-lieu/Bao cao KT-XH thang 10-2026.pdf"


@pytest.fixture
def site(tmp_path, registry):
    """The demo site copied to its own folder (briefing files are written next to the site file),
    with the demo's random alerts and new KPI readings made rare."""
    shutil.copy(SITES / "demo.toml", tmp_path / "demo.toml")
    shutil.copytree(SITES / "demo-docs", tmp_path / "demo-docs")
    shutil.copytree(SITES / "briefings", tmp_path / "briefings")
    loaded = load_site(tmp_path / "demo.toml", registry.types, registry.broken)
    # The demo's own new KPI readings are held back too: the freeze test adds the only new value itself.
    demo = loaded.connector_configs["demo"].model_copy(update={"alert_every_s": 3600, "kpi_every_s": 3600})
    return dataclasses.replace(loaded, connector_configs={**loaded.connector_configs, "demo": demo})


def ready(qtbot, console) -> None:
    """Wait for what the demo briefing shows: the meeting documents, the register, the KPI values."""
    store = console.store
    qtbot.waitUntil(lambda: REPORT in store.sources and "demo/van-ban" in store.doc_lists
                    and store.kpi_book is not None and store.kpi_book.versions.get("aqi", 0) > 0, timeout=WAIT_MS)


def canvas(console) -> QImage:
    return render_canvas(console.wall.context(), console.wall.geometry, 0.25)


def tile_image(console, index: int, scale: float = 0.25) -> QImage:
    img = render_canvas(console.wall.context(), console.wall.geometry, scale)
    r = tile_rects(console.store, console.wall.geometry)[index]
    return img.copy(QRectF(r.x() * scale, r.y() * scale, r.width() * scale, r.height() * scale).toRect())


def count(img: QImage, test, step: int = 3) -> int:
    return sum(1 for y in range(0, img.height(), step) for x in range(0, img.width(), step)
               if test(img.pixelColor(x, y)))


def is_bar_blue(c) -> bool:  # the bars drawn on page 2 of the demo report
    return abs(c.red() - 40) < 25 and abs(c.green() - 110) < 25 and abs(c.blue() - 200) < 30


def changed(a: QImage, b: QImage) -> int:
    """Pixels that differ clearly (text drawn again may differ by a shade at its edges; a new number
    changes hundreds of pixels)."""
    return sum(1 for y in range(a.height()) for x in range(a.width())
               if max(abs(p - q) for p, q in zip(a.pixelColor(x, y).getRgb()[:3], b.pixelColor(x, y).getRgb()[:3],
                                                    strict=True)) > 60)


def audit(console, command: str) -> list:
    assert console.db.flush()
    return [r for r in console.db.audit_rows() if r.command == command]


def test_scenes_are_recalled_exactly_and_the_document_page_is_the_same_on_wall_and_operator(qtbot, make_console,
                                                                                               site):
    console = make_console(site)
    ready(qtbot, console)
    briefing = console.briefings.briefings[BRIEFING]
    assert console.execute_operator(StartBriefing(briefing=BRIEFING, freeze=False)).ok
    state = console.store.state
    assert state.layout.name == briefing.scenes[0].layout and state.tiles == briefing.scenes[0].tiles
    assert console.execute_operator(NextScene()).ok
    assert console.store.state.tiles == briefing.scenes[1].tiles  # the report, page 1, and two KPI tiles
    assert console.store.state.tiles[1] == "kpi/dossier-late?view=bars"
    assert console.execute_operator(GotoScene(scene=3)).ok
    assert console.store.state.tiles[0] == REPORT + "?page=2"

    # Page 2 (the wards' bars) is what the wall's lower right display and the operator's miniature show.
    d22 = console.wall.windows["D22"]
    qtbot.waitUntil(lambda: count(d22.grab().toImage(), is_bar_blue, 6) > 200, timeout=WAIT_MS)
    mini = console.operator.miniature

    def mini_doc() -> QImage:  # the document tile in the operator's miniature
        # inside the blue selection frame the operator's selected tile has
        return mini.grab().toImage().copy(mini._tile_device_rect(0).toRect().adjusted(6, 6, -6, -6))

    qtbot.waitUntil(lambda: count(mini_doc(), is_bar_blue, 2) > 50, timeout=WAIT_MS)
    # Page back to 1 from the operator: both lose the bars.
    assert console.execute_operator(ShowDocument(tile=1, step=-1)).ok
    assert console.store.state.tiles[0] == REPORT
    qtbot.waitUntil(lambda: count(d22.grab().toImage(), is_bar_blue, 6) < 20, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: count(mini_doc(), is_bar_blue, 2) < 5, timeout=WAIT_MS)
    # Paging past the end stays on the last page.
    assert console.execute_operator(ShowDocument(tile=1, page=99)).ok
    assert console.store.state.tiles[0] == REPORT + "?page=3"

    # Leaving and coming back to scene 3 recalls page 2 again, exactly as saved.
    assert console.execute_operator(GotoScene(scene=1)).ok
    assert console.execute_operator(GotoScene(scene=3)).ok
    assert console.store.state.tiles == briefing.scenes[2].tiles


def test_clicker_keys_on_the_presenter_view_and_on_a_wall_window(qtbot, make_console, site):
    console = make_console(site)
    ready(qtbot, console)
    assert console.execute_operator(RecallPreset(preset="Giao thông")).ok
    before = console.store.state
    assert console.execute_operator(StartBriefing(briefing=BRIEFING)).ok
    qtbot.waitUntil(lambda: console.presenter is not None and console.presenter.isVisible(), timeout=WAIT_MS)
    presenter = console.presenter
    qtbot.keyClick(presenter, Qt.Key.Key_PageDown)
    assert console.briefings.run.index == 1
    qtbot.keyClick(presenter, Qt.Key.Key_Right)
    assert console.briefings.run.index == 2
    qtbot.keyClick(presenter, Qt.Key.Key_PageUp)
    assert console.briefings.run.index == 1
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert console.store.state.blank
    wall = console.wall.windows["D11"]
    qtbot.waitUntil(lambda: count(wall.grab().toImage(), lambda c: c.value() > 10, 16) == 0, timeout=WAIT_MS)
    qtbot.keyClick(presenter, Qt.Key.Key_B)
    assert not console.store.state.blank
    # A clicker whose keys land on a wall window works the same.
    qtbot.keyClick(wall, Qt.Key.Key_PageDown)
    assert console.briefings.run.index == 2
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert console.briefings.run is None
    # Back to live operations exactly as the wall was.
    state = console.store.state
    assert (state.layout.name, state.tiles, state.mode, state.as_of) == (before.layout.name, before.tiles, "live",
                                                                          None)
    qtbot.waitUntil(lambda: not presenter.isVisible(), timeout=WAIT_MS)
    rows = console.briefings.run_log(briefing=BRIEFING)
    assert [r["scene"] for r in rows] == [1, 2, 3, 2, 3]
    assert all(r["end"] is not None and r["end"] >= r["start"] for r in rows)


def test_the_freeze_holds_kpi_values_with_a_watermark_while_alerts_flow(qtbot, make_console, site, tmp_path):
    console = make_console(site)
    ready(qtbot, console)
    db = sqlite_utils.Database(tmp_path / "demo-data" / "kpi.sqlite")
    assert console.execute_operator(StartBriefing(briefing=BRIEFING, freeze=True)).ok
    assert console.execute_operator(AssignSource(tile=7, source="kpi/aqi")).ok
    as_of = console.store.state.as_of
    assert as_of is not None
    frozen = tile_image(console, 6, 0.5)
    # The number and its change sit in the upper part of the card; the wall's bottom banner (a KPI alert
    # raised meanwhile by the demo's data) may cover its lower part.
    upper = (0, 0, frozen.width(), int(frozen.height() * 0.6))
    assert count(frozen, lambda c: abs(c.red() - FROZEN.red()) < 20 and abs(c.green() - FROZEN.green()) < 20
                 and abs(c.blue() - FROZEN.blue()) < 20, 1) > 30, "no 'frozen as of' mark on the KPI tile"
    # A new, very different value arrives after the start: the frozen tile does not move.
    version = console.store.kpi_book.versions.get("aqi", 0)
    db["kpi_values"].insert({"indicator": "aqi", "unit": "p-ninhbinh", "time": time.time() + 5, "value": 21.0})
    qtbot.waitUntil(lambda: console.store.kpi_book.versions.get("aqi", 0) > version, timeout=WAIT_MS)
    assert console.store.kpi_book.reading("aqi", "p-ninhbinh").value == 21.0
    assert console.store.kpi_book.reading("aqi", "p-ninhbinh", as_of).value != 21.0
    assert changed(tile_image(console, 6, 0.5).copy(*upper), frozen.copy(*upper)) < 20
    # Alerts keep reaching the operator during the briefing.
    console.alert_service.submit([AlertEvent("test", "k1", Severity.MAJOR, "traffic", "Ùn tắc cầu Đoan Vĩ",
                                             unit="w-hoalu", source_time=time.time(), received_time=time.time())])
    qtbot.waitUntil(lambda: any(a.title == "Ùn tắc cầu Đoan Vĩ" for a in console.desk.alerts.values()),
                    timeout=WAIT_MS)
    assert console.execute_operator(EndBriefing()).ok
    assert console.execute_operator(AssignSource(tile=7, source="kpi/aqi")).ok
    live = tile_image(console, 6, 0.5)
    assert changed(live.copy(*upper), frozen.copy(*upper)) > 200  # the big number is another one now
    assert count(live, lambda c: abs(c.red() - FROZEN.red()) < 20 and abs(c.green() - FROZEN.green()) < 20
                 and abs(c.blue() - FROZEN.blue()) < 20, 1) < 10


def detail(img: QImage) -> int:
    """How much fine detail the upper part of a camera tile has (above the mask's words): the sum of
    differences between neighbouring pixels."""
    total = 0
    for y in range(int(img.height() * 0.05), int(img.height() * 0.35), 2):
        for x in range(0, img.width() - 2, 2):
            a, b = img.pixelColor(x, y), img.pixelColor(x + 2, y)
            total += abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())
    return total


def test_presentation_mode_masks_sensitive_cameras_suppresses_alarms_and_returns_to_live(qtbot, make_console, site):
    console = make_console(site)
    ready(qtbot, console)
    before = console.store.state
    cam = "demo/cam-06"  # tagged sensitive in the demo
    assert console.execute_operator(AssignSource(tile=1, source=cam)).ok
    before = console.store.state
    qtbot.waitUntil(lambda: console.wall.feed_for(0) is not None and console.wall.feed_for(0).frame() is not None,
                    timeout=WAIT_MS)
    plain = detail(tile_image(console, 0))
    result = console.operator.toggle_presentation()
    assert result.ok and console.store.state.presenting and console.operator.presentation_button.isChecked()
    masked = detail(tile_image(console, 0))
    assert masked < plain * 0.5, (masked, plain)
    # Nobody sees it sharp now (the operator's miniature masks it too): its stream is decoded a picture a GOP.
    qtbot.waitUntil(lambda: console.wall.feed_for(0).info.key_frames_only, timeout=5000)

    # A critical alert with a camera: it reaches the operator (queue, sound), not the wall.
    now = time.time()
    console.alert_service.submit([AlertEvent("test", "fire", Severity.CRITICAL, "emergency", "Cháy kho hàng",
                                             unit="w-hoalu", cameras=("demo/cam-08",), source_time=now,
                                             received_time=now)])
    qtbot.waitUntil(lambda: any(a.title == "Cháy kho hàng" for a in console.desk.alerts.values()), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: console.sound.sounding, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(r.alert is not None and r.alert.title == "Cháy kho hàng"
                                for r in console.operator.queue.model.rows), timeout=WAIT_MS)
    qtbot.wait(600)
    assert "demo/cam-08" not in console.store.state.tiles  # no alarm-to-wall during the meeting
    assert console.wall_banner() == ""
    strip = console.wall.windows["D21"].grab().toImage()
    h = strip.height()
    assert count(strip.copy(0, h - 40, strip.width(), 36), lambda c: c.red() > 100 and c.green() < 60, 8) == 0

    # Lifting the mask for the one tile is written to the audit log, and the picture comes back.
    assert console.execute_operator(UnmaskTile(tile=1)).ok
    assert [r.args for r in audit(console, "unmask_tile")] == [{"tile": 1}]
    assert detail(tile_image(console, 0)) > masked * 1.5
    qtbot.waitUntil(lambda: not console.wall.feed_for(0).info.key_frames_only, timeout=5000)

    # One key back: the wall exactly as before, live, alarms allowed again.
    assert console.operator.toggle_presentation().ok
    state = console.store.state
    assert (state.layout.name, state.tiles, state.mode, state.unmasked) == (before.layout.name, before.tiles, "live", ())
    assert not console.desk.wall_suppressed


def test_editing_a_briefing_writes_its_file_and_a_bad_file_is_named(qtbot, make_console, site, tmp_path):
    (tmp_path / "briefings" / "broken.json").write_text('{"title": "x", "scenes": [}', encoding="utf-8")
    (tmp_path / "briefings" / "bad-layout.json").write_text(
        json.dumps({"title": "y", "scenes": [{"title": "s", "layout": "nope", "tiles": []}]}), encoding="utf-8")
    console = make_console(site)
    problems = console.briefings.problems
    assert any("broken.json" in p and "line 1" in p for p in problems), problems
    assert any("bad-layout.json" in p and "scene 1" in p and "'nope'" in p for p in problems), problems
    assert BRIEFING in console.briefings.briefings  # the good one still loads
    assert console.operator.briefing_panel.problems.isVisibleTo(console.operator.briefing_panel)

    assert console.execute_operator(NewBriefing(title="Họp khẩn ứng phó bão")).ok
    name = "hop-khan-ung-pho-bao"
    assert console.execute_operator(RecallPreset(preset="Giao thông")).ok
    assert console.execute_operator(AddScene(briefing=name, title="Giao thông", notes="Ghi chú 1", duration_s=120)).ok
    assert console.execute_operator(RecallPreset(preset="Giám sát chung")).ok
    assert console.execute_operator(AddScene(briefing=name, title="Tổng quan", presenter="Chánh VP")).ok
    assert console.execute_operator(MoveScene(briefing=name, scene=2, to=1)).ok
    assert console.execute_operator(EditScene(briefing=name, scene=2, notes="Ghi chú mới")).ok
    saved = json.loads((tmp_path / "briefings" / f"{name}.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in saved["scenes"]] == ["Tổng quan", "Giao thông"]
    assert saved["scenes"][1]["notes"] == "Ghi chú mới" and saved["scenes"][1]["layout"] == "3x3"
    assert saved["scenes"][0]["tiles"] == list(console.store.presets["Giám sát chung"].tiles)
    assert console.execute_operator(DeleteScene(briefing=name, scene=1)).ok
    saved = json.loads((tmp_path / "briefings" / f"{name}.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in saved["scenes"]] == ["Giao thông"]
    refused = console.execute_operator(GotoScene(scene=1))
    assert not refused.ok and "no briefing is running" in refused.error


def test_agenda_and_briefing_pack_one_page_per_scene(qtbot, make_console, site, tmp_path):
    console = make_console(site)
    ready(qtbot, console)
    briefing = console.briefings.briefings[BRIEFING]
    assert console.execute_operator(StartBriefing(briefing=BRIEFING, presentation=True)).ok
    assert console.store.state.presenting
    for _ in range(2, 4):
        qtbot.wait(1700)  # the scene's picture is taken once it has had time to draw
        assert console.execute_operator(NextScene()).ok
    qtbot.waitUntil(lambda: (console.briefings.run.run_id, 2) in console.captures, timeout=WAIT_MS)
    # The agenda on a tile highlights the current item (scene 3).
    assert console.execute_operator(AssignSource(tile=2, source="agenda/" + BRIEFING)).ok
    agenda = tile_image(console, 1, 0.5)
    rows_h = agenda.height() / len(briefing.scenes)
    highlighted = [count(agenda.copy(0, int(i * rows_h), agenda.width(), int(rows_h)),
                         lambda c: c.blue() > 120 and c.red() < 90, 2) for i in range(len(briefing.scenes))]
    assert max(highlighted) == highlighted[2] or max(highlighted) == highlighted[3], highlighted
    assert console.execute_operator(BlankWall(on=False)).ok
    assert console.execute_operator(EndBriefing()).ok
    assert not console.store.state.presenting

    path = tmp_path / "pack.pdf"
    pages = console.export_pack(BRIEFING, path)
    assert pages == len(briefing.scenes)
    doc = QPdfDocument(None)
    doc.load(str(path))
    assert doc.status() == QPdfDocument.Status.Ready and doc.pageCount() == len(briefing.scenes)
    for i, scene in enumerate(briefing.scenes):
        text = doc.getAllText(i).text()
        assert scene.title in text, (i, text[:200])
        assert scene.notes.splitlines()[0][:30] in text.replace("\n", " ")
    assert [r.args["pages"] for r in audit(console, "export_briefing_pack")] == [len(briefing.scenes)]
    refused = console.execute_operator(SetPresentation(on=False))
    assert not refused.ok


def test_papers_panel_puts_a_paper_or_the_register_on_the_wall_and_the_pointer_follows(qtbot, make_console, site):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    console = make_console(site)
    ready(qtbot, console)
    op = console.operator
    op.miniature.select(0)
    papers = op.papers
    qtbot.waitUntil(lambda: papers.model.rowCount() > 0, timeout=WAIT_MS)
    papers.overdue.setChecked(True)
    qtbot.waitUntil(lambda: all(item.overdue() for item in papers.model.rows), timeout=WAIT_MS)
    qtbot.mouseClick(papers.show_button, Qt.MouseButton.LeftButton)
    assert console.store.state.tiles[0] == "demo/van-ban?overdue=1"

    # A paper with its file opens on the selected tile.
    papers.overdue.setChecked(False)
    qtbot.waitUntil(lambda: any(i.number == "312/BC-UBND" for i in papers.model.rows), timeout=WAIT_MS)
    row = next(n for n, i in enumerate(papers.model.rows) if i.number == "312/BC-UBND")
    papers.table.setFocus()
    papers.table.selectRow(row)
    papers.open_current()
    assert console.store.state.tiles[0] == "demo/vb-101"

    # Shift + mouse over the page in the operator's miniature moves the pointer on the wall's display.
    mini = op.miniature
    qtbot.waitUntil(lambda: console.store.doc_pages.get("demo/vb-101") == 3, timeout=WAIT_MS)
    pos = mini.tile_center(0)
    QApplication.sendEvent(mini, QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), mini.mapToGlobal(QPointF(pos)),
                                             Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                             Qt.KeyboardModifier.ShiftModifier))
    pointer = console.store.pointer
    assert pointer is not None and pointer.tile == 0 and abs(pointer.x - 0.5) < 0.1

    def laser(c) -> bool:
        return c.red() > 200 and c.green() < 80 and c.blue() < 80

    d11 = console.wall.windows["D11"]
    img = d11.grab().toImage()
    w, h = img.width(), img.height()
    qtbot.waitUntil(lambda: count(d11.grab().toImage().copy(w // 3, h // 4, w // 3, h // 2), laser, 2) > 20,
                    timeout=WAIT_MS)
    console.store.set_pointer(None)
    qtbot.waitUntil(lambda: count(d11.grab().toImage().copy(w // 3, h // 4, w // 3, h // 2), laser, 2) == 0,
                    timeout=WAIT_MS)


def test_a_blanked_wall_keeps_its_cameras_connected_at_a_picture_a_gop(qtbot, make_console, site):
    """A presenter's B: nobody sees the cameras, so they are decoded at key frames only (not let go: the pictures
    are back the moment the wall is shown again), and at every frame again after."""
    console = make_console(site)
    ready(qtbot, console)
    assert console.execute_operator(RecallPreset(preset="Giám sát chung")).ok  # five cameras, no tour

    def feeds() -> list:
        return [f for v in console.wall.windows.values() for f in v.feeds.values() if f.current is not None]

    qtbot.waitUntil(lambda: len(feeds()) >= 3 and all(f.frame() is not None for f in feeds()), timeout=WAIT_MS)
    assert not any(f.current.info.key_frames_only for f in feeds())
    assert console.execute_operator(BlankWall(on=True)).ok
    qtbot.waitUntil(lambda: all(f.current.info.key_frames_only for f in feeds()), timeout=5000)
    held = {id(f) for f in feeds()}
    assert console.execute_operator(BlankWall(on=False)).ok
    assert {id(f) for f in feeds()} == held and all(f.frame() is not None for f in feeds())
    qtbot.waitUntil(lambda: not any(f.current.info.key_frames_only for f in feeds()), timeout=5000)
