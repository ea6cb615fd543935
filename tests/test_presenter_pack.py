"""The presenter view and the briefing pack with the real pieces around them (Bus, Database, Store,
BriefingDesk on a briefings folder): a clicker's keys drive the wall, timers follow a fake clock,
and the exported PDF is opened again with QtPdf to check each page's picture and words."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument

from console.briefings import BriefingDesk
from console.bus import Bus
from console.commands import ApplyLayout, AssignSource, Command, NextScene, StartBriefing
from console.messages import SourcesChanged
from console.model.briefings import Briefing, Scene, format_duration, save_briefing
from console.model.sources import Source, SourceKind
from console.persistence import Database
from console.qt.i18n import Languages
from console.store import CommandResult, Store
from layouts.grid import BUILTIN_LAYOUTS
from widgets.briefing_pack import export_pack
from widgets.presenter_view import PresenterView

CAMS = tuple(f"cams/c{i}" for i in range(4))
START = time.mktime((2025, 3, 10, 8, 0, 0, 0, 0, -1))  # a Monday, 08:00 local time
SCENES = (
    Scene("Tổng quan giao thông", "2x2", (CAMS[0], CAMS[1], None, None),
          "Ùn tắc ở nút Cầu Non Nước.\nCamera số 3 mất tín hiệu từ 7 giờ.", 300, "Nguyễn Văn An"),
    Scene("Camera cầu Non Nước", "1x1", (CAMS[2],), "Hỏi đội tuần tra về phân luồng.", 120, "Trần Thị Bình"),
    Scene("Kết luận", "2x2", (CAMS[3], None, CAMS[0], None), "", 0),
)
COLOURS = (QColor(200, 30, 30), QColor(30, 170, 60), QColor(30, 90, 220))


class FakeClock:
    def __init__(self) -> None:
        self.t = START

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class World:
    """A store as the console builds it, with a briefing desk on a folder and a fake clock."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock()
        self.bus = Bus()
        self.db = Database(tmp_path / "console.db")
        self.store = Store(self.bus, self.db, BUILTIN_LAYOUTS, "2x2")
        self.bus.publish(SourcesChanged("cams", tuple(
            Source(c, SourceKind.CAMERA, f"Camera {i}", "cams") for i, c in enumerate(CAMS))))
        folder = tmp_path / "briefings"
        save_briefing(folder, Briefing("giao-ban-sang", "Giao ban sáng thứ Hai", SCENES))
        self.desk = BriefingDesk(self.bus, self.store, self.db, folder, clock=self.clock)
        self.renders: list[str] = []  # scene titles, in the order render_scene was asked for them

    def do(self, command: Command) -> CommandResult:
        return self.store.execute(command, "tester", "test")

    def render_scene(self, scene: Scene, width: int, height: int) -> QImage:
        self.renders.append(scene.title)
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(COLOURS[[s.title for s in SCENES].index(scene.title)])
        return image

    def tiles_of(self, index: int) -> tuple[str | None, ...]:
        scene = SCENES[index]
        count = BUILTIN_LAYOUTS[scene.layout].tile_count
        return tuple((list(scene.tiles) + [None] * count)[:count])


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.desk.stop()
    w.db.stop()


@pytest.fixture
def view(qtbot, world) -> PresenterView:
    v = PresenterView(world.desk, world.store, lambda cmd: world.store.execute(cmd, "presenter", "presenter"),
                      world.render_scene)
    qtbot.addWidget(v)
    v.resize(1600, 900)
    v.show()
    qtbot.waitExposed(v)
    return v


def live_wall(world: World) -> tuple[str, tuple[str | None, ...]]:
    assert world.do(ApplyLayout(layout="3x3")).ok
    assert world.do(AssignSource(tile=1, source=CAMS[3])).ok
    assert world.do(AssignSource(tile=5, source=CAMS[1])).ok
    return world.store.state.layout.name, world.store.state.tiles


def on_wall(world: World) -> tuple[str, tuple[str | None, ...]]:
    return world.store.state.layout.name, world.store.state.tiles


def test_clicker_keys_drive_the_briefing_and_esc_puts_the_live_wall_back(qtbot, world, view):
    before = live_wall(world)
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    view.refresh()
    assert view.windowTitle() == "Presenter view – Giao ban sáng thứ Hai"
    assert view.scene_number.text() == "Scene 1 of 3"
    assert view.scene_title.text() == "Tổng quan giao thông"
    assert view.next_title.text() == "2. Camera cầu Non Nước"
    assert view.notes.toPlainText() == SCENES[0].notes

    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert world.desk.run.index == 1
    assert on_wall(world) == ("1x1", world.tiles_of(1))
    assert view.scene_number.text() == "Scene 2 of 3"
    assert view.notes.toPlainText() == SCENES[1].notes
    assert view.scene_list.currentRow() == 1

    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert world.desk.run.index == 0
    assert on_wall(world) == ("2x2", world.tiles_of(0))

    for key in (Qt.Key.Key_Right, Qt.Key.Key_Space):
        qtbot.keyClick(view, key)
    assert world.desk.run.index == 2
    assert on_wall(world) == ("2x2", world.tiles_of(2))
    assert view.next_title.text() == "End of the briefing"
    assert not view.next_button.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_PageDown)  # past the last scene: refused, said calmly
    assert world.desk.run.index == 2
    assert "last scene" in view.status_line.text()

    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert world.desk.run.index == 0
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert world.desk.run.index == 2
    for key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace):
        qtbot.keyClick(view, Qt.Key.Key_End)
        qtbot.keyClick(view, key)
        assert world.desk.run.index == 1, key
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert world.desk.run.index == 2

    qtbot.keyClick(view, Qt.Key.Key_B)
    assert world.store.state.blank
    assert view.blank_mark.isVisible() and view.blank_button.isChecked()
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert not world.store.state.blank
    qtbot.keyClick(view, Qt.Key.Key_Period)
    assert world.store.state.blank
    assert not view.blank_mark.isHidden()
    qtbot.keyClick(view, ".")
    assert not world.store.state.blank
    assert view.blank_mark.isHidden()

    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert world.desk.run is None
    assert on_wall(world) == before
    assert world.store.state.mode == "live" and not world.store.state.blank
    assert view.scene_title.text() == "No briefing running"
    assert not any(b.isEnabled() for b in (view.prev_button, view.next_button, view.pause_button,
                                           view.blank_button, view.end_button))
    assert view.scene_list.count() == 0


def test_handle_key_says_which_keys_are_a_clickers(world, view):
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    assert not view.handle_key(Qt.Key.Key_A, "a")
    assert not view.handle_key(Qt.Key.Key_F5, "")
    assert world.desk.run.index == 0
    assert view.handle_key(Qt.Key.Key_PageDown, "")
    assert world.desk.run.index == 1
    assert view.handle_key(int(Qt.Key.Key_PageUp.value), "")  # the plain int a QKeyEvent gives
    assert world.desk.run.index == 0


def test_ctrl_keys_are_left_to_shortcuts(qtbot, world, view):
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    qtbot.keyClick(view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert not world.store.state.blank and world.desk.run.index == 0


def test_timers_turn_red_with_the_overrun_and_freeze_when_paused(qtbot, world, view):
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    view.refresh()
    assert view.scene_timer.text() == "0:00 / 5:00"
    assert view.total_timer.text() == "0:00 / 7:00"
    assert view.clock_label.text() == "08:00"
    world.clock.advance(299)
    view.refresh()
    assert view.scene_timer.text() == "4:59 / 5:00"
    assert view.overrun_label.text() == ""
    assert view.scene_timer.property("over") is False
    world.clock.advance(81)
    view.refresh()
    assert view.scene_timer.text() == "6:20 / 5:00"
    assert view.overrun_label.text() == "+1:20 over"
    assert view.scene_timer.property("over") is True
    assert view.clock_label.text() == "08:06"
    # The view's own timer reads the desk's clock too.
    world.clock.advance(10)
    qtbot.waitUntil(lambda: view.overrun_label.text() == "+1:30 over", timeout=2000)

    qtbot.keyClick(view, Qt.Key.Key_P)
    assert world.desk.run.paused_at is not None
    assert not view.paused_mark.isHidden() and view.pause_button.text() == "Resume"
    world.clock.advance(100)
    view.refresh()
    assert view.scene_timer.text() == "6:30 / 5:00"
    assert view.total_timer.text() == "6:30 / 7:00"
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert world.desk.run.paused_at is None
    assert view.paused_mark.isHidden() and view.pause_button.text() == "Pause"

    qtbot.keyClick(view, Qt.Key.Key_PageDown)  # a new scene starts its own time
    world.clock.advance(30)
    view.refresh()
    assert view.scene_timer.text() == "0:30 / 2:00"
    assert view.overrun_label.text() == ""
    assert view.scene_timer.property("over") is False
    assert view.total_timer.text() == "7:00 / 7:00"
    world.clock.advance(1)
    view.refresh()
    assert view.total_timer.property("over") is True


def test_scene_list_jumps_on_double_click_and_enter(qtbot, world, view):
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    view.refresh()
    lst = view.scene_list
    assert [lst.item(i).text().split("\n")[0] for i in range(lst.count())] == [
        "1.  Tổng quan giao thông", "2.  Camera cầu Non Nước", "3.  Kết luận"]
    assert "5:00" in lst.item(0).text() and "–" in lst.item(2).text()
    assert lst.currentRow() == 0
    rect = lst.visualItemRect(lst.item(2))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert world.desk.run.index == 2
    assert on_wall(world) == ("2x2", world.tiles_of(2))
    assert view.hasFocus()  # back with the clicker's keys

    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Up)  # browsing the list does not change the wall
    assert lst.currentRow() == 1 and world.desk.run.index == 2
    qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert world.desk.run.index == 1
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_PageDown)  # a clicker's key in the list still drives the briefing
    assert world.desk.run.index == 2


def test_buttons_and_next_preview_cache(qtbot, world, view):
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    view.refresh()
    assert view.next_picture.image is not None
    assert view.next_picture.image.pixelColor(5, 5) == COLOURS[1]
    assert view.current_picture.image.pixelColor(5, 5) == COLOURS[0]
    renders = len(world.renders)
    for _ in range(3):
        view.refresh()
    assert len(world.renders) == renders  # nothing changed: the pictures are reused
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert world.desk.run.index == 1
    assert view.next_picture.image.pixelColor(5, 5) == COLOURS[2]
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    assert world.desk.run.index == 0
    qtbot.mouseClick(view.blank_button, Qt.MouseButton.LeftButton)
    assert world.store.state.blank
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    assert world.desk.run.paused_at is not None
    qtbot.mouseClick(view.end_button, Qt.MouseButton.LeftButton)
    assert world.desk.run is None


def test_presenter_view_speaks_vietnamese(qtbot, world, view):
    languages = Languages()
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    world.clock.advance(380)
    try:
        assert languages.set("vi")
        qtbot.waitUntil(lambda: view.next_button.text() == "Tiếp", timeout=2000)
        view.refresh()
        assert view.scene_number.text() == "Cảnh 1/3"
        assert view.prev_button.text() == "Trước"
        assert view.end_button.text() == "Kết thúc (về trực)"
        assert view.notes_caption.text() == "Ghi chú người trình bày"
        assert view.overrun_label.text() == "quá 1:20"
    finally:
        languages.set("en")
    qtbot.waitUntil(lambda: view.next_button.text() == "Next", timeout=2000)


# -- the briefing pack -----------------------------------------------------------------------------
def solid(colour: QColor, width: int = 1920, height: int = 720) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(colour)
    return image


def page_image(doc: QPdfDocument, page: int) -> QImage:
    size = doc.pagePointSize(page)
    return doc.render(page, QSize(round(size.width()), round(size.height()))).convertToFormat(
        QImage.Format.Format_RGB32)


def share_of(image: QImage, colour: QColor, tolerance: int = 12) -> float:
    step, hits, seen = 4, 0, 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            seen += 1
            if (abs(c.red() - colour.red()) <= tolerance and abs(c.green() - colour.green()) <= tolerance
                    and abs(c.blue() - colour.blue()) <= tolerance):
                hits += 1
    return hits / seen


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def open_pdf(path: Path) -> QPdfDocument:
    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    return doc


def test_pack_has_one_page_per_scene_with_its_picture_words_and_timing(tmp_path, world):
    # A real run, timed by the fake clock: scene 1 for 5:12, scene 2 for 2:00, scene 3 still on.
    assert world.do(StartBriefing(briefing="giao-ban-sang")).ok
    run_id = world.desk.run.run_id
    world.clock.advance(312)
    assert world.do(NextScene()).ok
    world.clock.advance(120)
    assert world.do(NextScene()).ok
    world.clock.advance(45)
    rows = world.desk.run_log(run_id)
    assert [r["scene"] for r in rows] == [1, 2, 3]

    briefing = world.desk.briefings["giao-ban-sang"]
    images = {i: solid(c) for i, c in enumerate(COLOURS)}
    path = tmp_path / "packs" / "giao-ban.pdf"
    assert export_pack(path, briefing, images, rows, "IOC Ninh Bình") == 3

    doc = open_pdf(path)
    assert doc.pageCount() == 3
    for page in range(3):
        size = doc.pagePointSize(page)
        assert size.width() > size.height()  # landscape
        assert abs(size.width() - 842) < 2 and abs(size.height() - 595) < 2  # A4
        image = page_image(doc, page)
        assert share_of(image, COLOURS[page]) > 0.2, page
        for other in range(3):
            if other != page:
                assert share_of(image, COLOURS[other]) == 0.0, (page, other)
        text = flat(doc.getAllText(page).text())
        scene = SCENES[page]
        assert "Giao ban sáng thứ Hai" in text
        assert f"Scene {page + 1} of 3: {scene.title}" in text
        assert flat(scene.notes or "No notes.") in text
        assert "IOC Ninh Bình" in text and "Briefing pack" in text and f"{page + 1} / 3" in text
    first = flat(doc.getAllText(0).text())
    assert "Presenter: Nguyễn Văn An" in first and "Planned: 5:00" in first
    t0 = time.strftime("%H:%M:%S", time.localtime(START))
    t1 = time.strftime("%H:%M:%S", time.localtime(START + 312))
    assert f"Shown: {t0}–{t1} (5:12)" in first
    assert "Planned: not set" in flat(doc.getAllText(2).text())
    assert "Shown:" in flat(doc.getAllText(2).text())  # on the wall still: start known, end not yet
    doc.close()


def test_pack_keeps_long_notes_on_their_page(tmp_path):
    long_notes = "\n".join(
        f"Điểm {n}: tình hình giao thông tại nút Cầu Non Nước, phường Hoa Lư, cần điều tiết thêm "
        f"trong giờ cao điểm sáng và chiều; đề nghị đội tuần tra số {n} báo cáo lại trước 16 giờ."
        for n in range(1, 41))
    briefing = Briefing("dai", "Giao ban dài", (
        Scene("Ghi chú rất dài", "2x2", (None,) * 4, long_notes, 600, "Lê Văn Cường"),
        Scene("Ngắn", "2x2", (None,) * 4, "Một dòng.", 60),
    ))
    path = tmp_path / "dai.pdf"
    images = {0: solid(COLOURS[0], 1600, 900), 1: solid(COLOURS[1], 1600, 900)}
    assert export_pack(path, briefing, images, [], "IOC") == 2
    doc = open_pdf(path)
    assert doc.pageCount() == 2
    text = flat(doc.getAllText(0).text())
    assert flat(long_notes) in text
    assert "Điểm 40:" in text and "1 / 2" in text
    # The picture gave way to the notes but is still there, whole.
    assert 0.03 < share_of(page_image(doc, 0), COLOURS[0]) < share_of(page_image(doc, 1), COLOURS[1])
    doc.close()


def test_pack_in_vietnamese_and_without_pictures(tmp_path):
    languages = Languages()
    briefing = Briefing("vn", "Giao ban", (Scene("Cảnh đầu", "1x1", (None,), "Ghi chú.", 90),))
    path = tmp_path / "vn.pdf"
    try:
        assert languages.set("vi")
        assert export_pack(path, briefing, {}, [], "Trung tâm IOC") == 1
    finally:
        languages.set("en")
    doc = open_pdf(path)
    text = flat(doc.getAllText(0).text())
    for words in ("Cảnh 1/1: Cảnh đầu", "Dự kiến: 1:30", "Ghi chú người trình bày", "Tài liệu giao ban",
                  "Không có hình", "1 / 1"):
        assert words in text
    doc.close()


def test_pack_refuses_a_briefing_without_scenes(tmp_path):
    with pytest.raises(ValueError, match="no scenes"):
        export_pack(tmp_path / "x.pdf", Briefing("x", "X"), {}, [], "IOC")
    assert not (tmp_path / "x.pdf").exists()


def test_format_duration():
    assert [format_duration(s) for s in (0, 59.9, 60, 272, 3600, 3723, -5)] == [
        "0:00", "0:59", "1:00", "4:32", "1:00:00", "1:02:03", "0:00"]
