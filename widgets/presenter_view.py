"""PresenterView: the presenter's own window while a briefing runs - scene, what comes next, notes, timers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.commands import (
    BlankWall,
    Command,
    EndBriefing,
    GotoScene,
    NextScene,
    PauseBriefing,
    PreviousScene,
    ResumeBriefing,
)
from console.model.briefings import Scene, format_duration
from console.store import CommandResult, Store

if TYPE_CHECKING:
    from console.briefings import BriefingDesk

REFRESH_MS = 250
STATUS_S = 5.0  # how long a refused command's message stays
PICTURE_BG = QColor(8, 10, 13)
PICTURE_FRAME = QColor(44, 52, 64)
PAST = QColor(110, 120, 134)  # scenes already shown, in the list

NEXT_KEYS = frozenset(k.value for k in (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down,
                                        Qt.Key.Key_Space))
PREVIOUS_KEYS = frozenset(k.value for k in (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up,
                                            Qt.Key.Key_Backspace))
# Keys the scene list keeps for itself while it has focus (browsing, then Enter to jump).
LIST_KEYS = frozenset(k.value for k in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter))
KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                     | Qt.KeyboardModifier.MetaModifier)

STYLE = """
QLabel#presenterBriefing { color: #9aa5b4; font-size: 18px; font-weight: bold; }
QLabel#presenterClock { font-size: 34px; font-weight: bold; }
QLabel#presenterCaption { color: #7f8a99; font-size: 13px; font-weight: bold; }
QLabel#presenterSceneNumber { color: #6cb4ff; font-size: 18px; font-weight: bold; }
QLabel#presenterSceneTitle { font-size: 30px; font-weight: bold; }
QLabel#presenterPresenter { color: #9aa5b4; font-size: 15px; }
QLabel#presenterNextTitle { font-size: 20px; font-weight: bold; }
QLabel#presenterTimer { font-size: 44px; font-weight: bold; }
QLabel#presenterTimer[over="true"] { color: #ff5a5a; }
QLabel#presenterOverrun { color: #ff5a5a; font-size: 26px; font-weight: bold; }
QLabel#presenterTotal { color: #c5ccd6; font-size: 22px; }
QLabel#presenterTotal[over="true"] { color: #ffb347; }
QLabel#presenterPaused { background: #4a3410; color: #ffd37a; font-size: 16px; font-weight: bold;
    padding: 4px 12px; border-radius: 3px; }
QLabel#presenterBlanked { background: #5c1a1a; color: #ffc2c2; font-size: 16px; font-weight: bold;
    padding: 4px 12px; border-radius: 3px; }
QLabel#presenterStatus { color: #ffb347; font-size: 15px; }
QTextBrowser#presenterNotes { font-size: 22px; background: #141920; border: 1px solid #232a33; padding: 6px; }
QListWidget#presenterScenes { font-size: 15px; }
QListWidget#presenterScenes::item { padding: 6px 4px; }
QPushButton#presenterButton { font-size: 16px; padding: 8px 18px; }
QPushButton#presenterButton:checked { background: #5c1a1a; border-color: #a33; }
QPushButton#presenterButton:disabled { background: #151a21; color: #4d5662; border-color: #1f252d; }
"""


class ScenePicture(QWidget):
    """A scene's picture scaled to fit, its proportions kept, on a dark ground with a thin frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.placeholder = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)

    def set_image(self, image: QImage | None, placeholder: str = "") -> None:
        self.image, self.placeholder = image, placeholder
        self.update()

    def render_size(self) -> QSize:
        """The pixels a picture needs to look sharp here (the screen's scale included)."""
        ratio = self.devicePixelRatioF()
        return QSize(max(160, round(self.width() * ratio)), max(90, round(self.height() * ratio)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = QRectF(self.rect())
        image = self.image
        if image is not None and not image.isNull():
            # Only the picture is framed: a wide wall in a tall box gets no black bands around it.
            scale = min(area.width() / image.width(), area.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            area = QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)
            p.drawImage(area, image)
        else:
            p.fillRect(area, PICTURE_BG)
            if self.placeholder:
                p.setPen(PAST)
                f = QFont(self.font())
                f.setPixelSize(18)
                p.setFont(f)
                p.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                           self.placeholder)
        p.setPen(QPen(PICTURE_FRAME, 1))
        p.drawRect(area.adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()


class PresenterView(QWidget):
    """The leader's view of a running briefing. Every action is a command through ``execute``; what is
    shown is read from the desk and the store on a timer, so the wall and this view never disagree."""

    def __init__(self, desk: BriefingDesk, store: Store, execute: Callable[[Command], CommandResult],
                 render_scene: Callable[[Scene, int, int], QImage], live_view: QWidget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.store = store
        self.execute = execute
        self.render_scene = render_scene
        self.live_view = live_view
        self._pictures: dict[int, QImage] = {}  # scene index -> its picture, until desk.version moves
        self._pictures_version = -1
        self._seen: tuple[int, int] | None = None  # (desk.version, wall version) last shown
        self._list_version = -1
        self._status_until = 0.0
        self.setObjectName("presenterView")
        self.setStyleSheet(STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.retranslate()

    # -- building ------------------------------------------------------------------------------
    def _label(self, name: str, parent_layout: QVBoxLayout | QHBoxLayout | None = None) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        if parent_layout is not None:
            parent_layout.addWidget(label)
        return label

    def _button(self, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName("presenterButton")
        # Focus stays on the view: a clicker's Space must never press whichever button was clicked last.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _build(self) -> None:
        top = QHBoxLayout()
        self.briefing_label = self._label("presenterBriefing", None)
        top.addWidget(self.briefing_label, 1)
        self.paused_mark = self._label("presenterPaused", None)
        self.blank_mark = self._label("presenterBlanked", None)
        self.clock_label = self._label("presenterClock", None)
        for w in (self.paused_mark, self.blank_mark):
            w.hide()
            top.addWidget(w)
        top.addSpacing(16)
        top.addWidget(self.clock_label)

        # Left: the scene list.
        left = QVBoxLayout()
        self.scenes_caption = self._label("presenterCaption", left)
        self.scene_list = QListWidget(self)
        self.scene_list.setObjectName("presenterScenes")
        self.scene_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.scene_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.scene_list.setWordWrap(True)
        self.scene_list.itemActivated.connect(self._scene_activated)
        self.scene_list.installEventFilter(self)
        left.addWidget(self.scene_list, 1)

        # Middle: what the wall shows now, and the timers.
        middle = QVBoxLayout()
        self.scene_number = self._label("presenterSceneNumber", middle)
        self.scene_title = self._label("presenterSceneTitle", middle)
        self.scene_title.setWordWrap(True)
        self.presenter_label = self._label("presenterPresenter", middle)
        if self.live_view is not None:
            self.live_view.setParent(self)
            self.live_view.installEventFilter(self)
            self.current_picture: QWidget = self.live_view
            self._current_rendered: ScenePicture | None = None
        else:
            self._current_rendered = ScenePicture(self)
            self.current_picture = self._current_rendered
        middle.addWidget(self.current_picture, 1)
        timers = QHBoxLayout()
        scene_box = QVBoxLayout()
        self.scene_time_caption = self._label("presenterCaption", scene_box)
        scene_row = QHBoxLayout()
        self.scene_timer = self._label("presenterTimer", None)
        self.overrun_label = self._label("presenterOverrun", None)
        scene_row.addWidget(self.scene_timer)
        scene_row.addSpacing(12)
        scene_row.addWidget(self.overrun_label, 0, Qt.AlignmentFlag.AlignBaseline)
        scene_row.addStretch(1)
        scene_box.addLayout(scene_row)
        total_box = QVBoxLayout()
        self.total_caption = self._label("presenterCaption", total_box)
        self.total_timer = self._label("presenterTotal", total_box)
        total_box.addStretch(1)
        timers.addLayout(scene_box, 1)
        timers.addLayout(total_box)
        middle.addLayout(timers)

        # Right: what comes next, and the notes.
        right = QVBoxLayout()
        self.next_caption = self._label("presenterCaption", right)
        self.next_title = self._label("presenterNextTitle", right)
        self.next_title.setWordWrap(True)
        self.next_picture = ScenePicture(self)
        self.next_picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.next_picture.setMinimumHeight(150)
        right.addWidget(self.next_picture, 2)
        right.addSpacing(8)
        self.notes_caption = self._label("presenterCaption", right)
        self.notes = QTextBrowser(self)
        self.notes.setObjectName("presenterNotes")
        self.notes.setReadOnly(True)
        self.notes.setOpenLinks(False)
        self.notes.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the wheel still scrolls; keys stay with the view
        right.addWidget(self.notes, 5)

        columns = QHBoxLayout()
        columns.setSpacing(18)
        left_box, middle_box, right_box = QWidget(self), QWidget(self), QWidget(self)
        for box, lay in ((left_box, left), (middle_box, middle), (right_box, right)):
            lay.setContentsMargins(0, 0, 0, 0)
            box.setLayout(lay)
        left_box.setMinimumWidth(220)
        left_box.setMaximumWidth(320)
        columns.addWidget(left_box, 2)
        columns.addWidget(middle_box, 9)
        columns.addWidget(right_box, 6)

        bottom = QHBoxLayout()
        self.prev_button = self._button(self.previous_scene)
        self.next_button = self._button(self.next_scene)
        self.pause_button = self._button(self.toggle_pause)
        self.blank_button = self._button(self.toggle_blank)
        self.blank_button.setCheckable(True)
        self.end_button = self._button(self.end_briefing)
        for b in (self.prev_button, self.next_button, self.pause_button, self.blank_button):
            bottom.addWidget(b)
        bottom.addSpacing(24)
        bottom.addWidget(self.end_button)
        bottom.addSpacing(18)
        self.status_line = self._label("presenterStatus", None)
        bottom.addWidget(self.status_line, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)
        outer.addLayout(top)
        outer.addLayout(columns, 1)
        outer.addLayout(bottom)

    def retranslate(self) -> None:
        self.scenes_caption.setText(self.tr("Scenes"))
        self.scene_time_caption.setText(self.tr("Scene time"))
        self.total_caption.setText(self.tr("Briefing time"))
        self.next_caption.setText(self.tr("Next scene"))
        self.notes_caption.setText(self.tr("Speaker notes"))
        self.next_picture.placeholder = ""  # the last scene's placeholder is drawn again in this language
        self.paused_mark.setText(self.tr("PAUSED"))
        self.blank_mark.setText(self.tr("WALL BLANKED"))
        self.prev_button.setText(self.tr("Previous"))
        self.prev_button.setToolTip(self.tr("Previous scene (PageUp, Left, Up, Backspace)"))
        self.next_button.setText(self.tr("Next"))
        self.next_button.setToolTip(self.tr("Next scene (PageDown, Right, Down, Space)"))
        self.pause_button.setToolTip(self.tr("Pause or resume the timers (P)"))
        self.blank_button.setText(self.tr("Blank"))
        self.blank_button.setToolTip(self.tr("Black out the wall, or show it again (B or .)"))
        self.end_button.setText(self.tr("End (back to live)"))
        self.end_button.setToolTip(self.tr("End the briefing and put the live wall back as it was (Esc)"))
        self._seen = None
        self._list_version = -1
        self.refresh()

    # -- actions -------------------------------------------------------------------------------
    def _do(self, command: Command) -> bool:
        result = self.execute(command)
        if not result.ok:
            self.show_status(result.error)
        self.refresh()
        return result.ok

    def next_scene(self) -> bool:
        return self._do(NextScene())

    def previous_scene(self) -> bool:
        return self._do(PreviousScene())

    def goto_scene(self, number: int) -> bool:
        """Jump to scene ``number`` (1-based)."""
        return self._do(GotoScene(scene=max(1, number)))

    def goto_last(self) -> bool:
        current = self.desk.current()
        if current is None:
            self.show_status(self.tr("No briefing running"))
            return False
        return self.goto_scene(len(current[0].scenes))

    def toggle_pause(self) -> bool:
        current = self.desk.current()
        paused = current is not None and current[1].paused_at is not None
        return self._do(ResumeBriefing() if paused else PauseBriefing())

    def toggle_blank(self) -> bool:
        return self._do(BlankWall())

    def end_briefing(self) -> bool:
        return self._do(EndBriefing())

    def _scene_activated(self, item: QListWidgetItem) -> None:
        self.goto_scene(self.scene_list.row(item) + 1)
        self.setFocus()  # back to the clicker's keys

    def show_status(self, text: str) -> None:
        """A short message in the status line (a refused command, say); it goes away by itself."""
        self.status_line.setText(text)
        self._status_until = time.monotonic() + STATUS_S

    # -- keys ----------------------------------------------------------------------------------
    def _key_action(self, key: int, text: str) -> Callable[[], object] | None:
        code = getattr(key, "value", key)
        char = text.lower()
        if code in NEXT_KEYS:
            return self.next_scene
        if code in PREVIOUS_KEYS:
            return self.previous_scene
        if code in (Qt.Key.Key_B.value, Qt.Key.Key_Period.value) or char in ("b", "."):
            return self.toggle_blank
        if code == Qt.Key.Key_Escape.value:
            return self.end_briefing
        if code == Qt.Key.Key_Home.value:
            return lambda: self.goto_scene(1)
        if code == Qt.Key.Key_End.value:
            return self.goto_last
        if code == Qt.Key.Key_P.value or char == "p":
            return self.toggle_pause
        return None

    def handle_key(self, key: int, text: str = "") -> bool:
        """Act on a presenter clicker's key (PageDown, PageUp, B, Esc...); False for any other key.
        The wall windows call this too, so the clicker works whichever window has focus."""
        action = self._key_action(key, text)
        if action is None:
            return False
        action()
        return True

    def _clicker_event(self, event: QKeyEvent) -> bool:
        return (not (event.modifiers() & COMMAND_MODIFIERS)
                and self._key_action(event.key(), event.text()) is not None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if not (event.modifiers() & COMMAND_MODIFIERS) and self.handle_key(event.key(), event.text()):
            event.accept()
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # A shortcut elsewhere in the application (Esc, Space...) must not take a clicker's key from us.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and self._clicker_event(event):
            event.accept()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if isinstance(event, QKeyEvent) and event.type() in KEY_EVENTS:
            if watched is self.scene_list and event.key() in LIST_KEYS:
                return False  # browsing the list, then Enter to jump
            if self._clicker_event(event):
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()
                else:
                    self.handle_key(event.key(), event.text())
                return True
        return super().eventFilter(watched, event)

    # -- showing -------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._timer.start()
        self.refresh()
        self.setFocus()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()
        super().hideEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._pictures.clear()  # drawn for the old size; the next refresh draws them again

    def refresh(self) -> None:
        """Bring everything up to date: texts when the desk or the wall changed, timers always."""
        seen = (self.desk.version, self.store.state.version)
        if seen != self._seen:
            self._seen = seen
            self._rebuild()
        self._update_pictures()
        self._update_times()
        if self._status_until and time.monotonic() > self._status_until:
            self._status_until = 0.0
            self.status_line.clear()

    def _rebuild(self) -> None:
        current = self.desk.current()
        running = current is not None
        for b in (self.prev_button, self.next_button, self.pause_button, self.blank_button, self.end_button):
            b.setEnabled(running)
        blank = self.store.state.blank
        self.blank_mark.setVisible(blank)
        self.blank_button.setChecked(blank)
        if current is None:
            self.setWindowTitle(self.tr("Presenter view – %1").replace("%1", self.tr("No briefing running")))
            self.briefing_label.clear()
            self.scene_number.clear()
            self.scene_title.setText(self.tr("No briefing running"))
            self.presenter_label.clear()
            self.next_title.clear()
            self.notes.clear()
            self.notes.setPlaceholderText("")
            self.scene_list.clear()
            self._list_version = -1
            self.paused_mark.hide()
            self.pause_button.setText(self.tr("Pause"))
            return
        briefing, run = current
        count = len(briefing.scenes)
        scene = briefing.scenes[run.index]
        self.setWindowTitle(self.tr("Presenter view – %1").replace("%1", briefing.title))
        self.briefing_label.setText(briefing.title)
        self.scene_number.setText(self.tr("Scene %1 of %2").replace("%1", str(run.index + 1))
                                  .replace("%2", str(count)))
        self.scene_title.setText(scene.title)
        self.presenter_label.setText(self.tr("Presenter: %1").replace("%1", scene.presenter)
                                     if scene.presenter else "")
        self.presenter_label.setVisible(bool(scene.presenter))
        if run.index + 1 < count:
            following = briefing.scenes[run.index + 1]
            self.next_title.setText(f"{run.index + 2}. {following.title}")
        else:
            self.next_title.setText(self.tr("End of the briefing"))
        if self.notes.toPlainText() != scene.notes:
            self.notes.setPlainText(scene.notes)
        self.notes.setPlaceholderText(self.tr("No notes for this scene."))
        paused = run.paused_at is not None
        self.paused_mark.setVisible(paused)
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.prev_button.setEnabled(run.index > 0)
        self.next_button.setEnabled(run.index + 1 < count)
        if self._list_version != self.desk.version:
            self._list_version = self.desk.version
            self._fill_list(run.index)

    def _fill_list(self, current: int) -> None:
        found = self.desk.current()
        self.scene_list.clear()
        if found is None:
            return
        briefing = found[0]
        for n, scene in enumerate(briefing.scenes):
            planned = format_duration(scene.duration_s) if scene.duration_s else "–"
            item = QListWidgetItem(f"{n + 1}.  {scene.title}\n      {planned}")
            if n < current:
                item.setForeground(PAST)
            if n == current:
                f = QFont(self.scene_list.font())
                f.setBold(True)
                item.setFont(f)
            self.scene_list.addItem(item)
        self.scene_list.setCurrentRow(current)
        self.scene_list.scrollToItem(self.scene_list.currentItem(),
                                     QAbstractItemView.ScrollHint.PositionAtCenter)

    def _picture(self, index: int, scene: Scene, size: QSize) -> QImage:
        if self._pictures_version != self.desk.version:
            self._pictures_version = self.desk.version
            self._pictures.clear()
        image = self._pictures.get(index)
        if image is None:
            image = self.render_scene(scene, size.width(), size.height())
            self._pictures[index] = image
        return image

    def _update_pictures(self) -> None:
        current = self.desk.current()
        if current is None:
            self.next_picture.set_image(None)
            if self._current_rendered is not None:
                self._current_rendered.set_image(None, self.tr("No briefing running"))
            return
        briefing, run = current
        if self._current_rendered is not None:
            image = self._picture(run.index, briefing.scenes[run.index], self._current_rendered.render_size())
            if image is not self._current_rendered.image:
                self._current_rendered.set_image(image)
        if run.index + 1 < len(briefing.scenes):
            following = briefing.scenes[run.index + 1]
            image = self._picture(run.index + 1, following, self.next_picture.render_size())
            if image is not self.next_picture.image:
                self.next_picture.set_image(image)
        elif self.next_picture.image is not None or not self.next_picture.placeholder:
            self.next_picture.set_image(None, self.tr("End (back to live)"))

    def _set_over(self, label: QLabel, over: bool) -> None:
        if label.property("over") != over:
            label.setProperty("over", over)
            label.style().unpolish(label)
            label.style().polish(label)

    def _update_times(self) -> None:
        now = self.desk.clock()
        self.clock_label.setText(time.strftime("%H:%M", time.localtime(now)))
        current = self.desk.current()
        if current is None:
            self.scene_timer.setText("–")
            self.total_timer.setText("–")
            self.overrun_label.clear()
            self._set_over(self.scene_timer, False)
            self._set_over(self.total_timer, False)
            return
        briefing, run = current
        scene = briefing.scenes[run.index]
        elapsed = int(run.scene_elapsed(now))
        planned = int(scene.duration_s)
        over = bool(planned) and elapsed > planned
        text = format_duration(elapsed) + (f" / {format_duration(planned)}" if planned else "")
        self.scene_timer.setText(text)
        self._set_over(self.scene_timer, over)
        self.overrun_label.setText(self.tr("+%1 over").replace("%1", format_duration(elapsed - planned))
                                   if over else "")
        total = int(run.elapsed(now))
        total_planned = int(briefing.planned_s)
        self.total_timer.setText(format_duration(total) + (f" / {format_duration(total_planned)}"
                                                           if total_planned else ""))
        self._set_over(self.total_timer, bool(total_planned) and total > total_planned)
