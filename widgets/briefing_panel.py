"""BriefingPanel: the operator's editor and launcher for briefings (scenes, notes, timing, run, pack)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.briefings import BriefingDesk
from console.commands import (
    AddScene,
    Command,
    DeleteScene,
    EditScene,
    MoveScene,
    NewBriefing,
    StartBriefing,
)
from console.model.briefings import Scene
from console.store import CommandResult


class SceneDialog(QDialog):
    """A scene's title, speaker notes, planned minutes and presenter."""

    def __init__(self, parent: QWidget | None, scene: Scene | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Scene"))
        self.title = QLineEdit(scene.title if scene else title, self)
        self.presenter = QLineEdit(scene.presenter if scene else "", self)
        self.minutes = QDoubleSpinBox(self)
        self.minutes.setRange(0, 240)
        self.minutes.setDecimals(1)
        self.minutes.setSuffix(" " + self.tr("min"))
        self.minutes.setValue((scene.duration_s if scene else 0) / 60)
        self.notes = QPlainTextEdit(scene.notes if scene else "", self)
        self.notes.setMinimumSize(420, 180)
        form = QFormLayout(self)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Presenter"), self.presenter)
        form.addRow(self.tr("Planned time"), self.minutes)
        form.addRow(self.tr("Speaker notes"), self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class BriefingPanel(QWidget):
    """Thread: GUI thread. Every change is a command through ``run`` (audited by the store)."""

    sig_export_pack = Signal(str)  # briefing name
    sig_show_agenda = Signal(str)  # briefing name: put its agenda on the selected tile

    def __init__(self, desk: BriefingDesk, run: Callable[[Command], CommandResult], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.run = run
        self.chooser = QComboBox(self)
        self.chooser.currentIndexChanged.connect(lambda _i: self._fill_scenes())
        self.scenes = QListWidget(self)
        self.scenes.itemDoubleClicked.connect(lambda _item: self.edit_scene())
        self.problems = QLabel(self)
        self.problems.setObjectName("wallNotice")
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.freeze = QCheckBox(self)
        self.presentation = QCheckBox(self)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (key, slot) in enumerate((
                ("new", self.new_briefing), ("add", self.add_scene), ("edit", self.edit_scene),
                ("update", self.update_scene), ("up", lambda: self.move_scene(-1)),
                ("down", lambda: self.move_scene(1)), ("delete", self.delete_scene), ("agenda", self._agenda),
                ("pack", self._pack), ("start", self.start))):
            button = QPushButton(self)
            button.clicked.connect(slot)
            self.buttons[key] = button
            grid.addWidget(button, n // 3, n % 3)
        self.buttons["start"].setObjectName("startBriefing")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.chooser)
        lay.addWidget(self.problems)
        lay.addWidget(self.scenes, 1)
        lay.addLayout(grid)
        lay.addWidget(self.freeze)
        lay.addWidget(self.presentation)
        self._seen = -1
        self._timer = QTimer(self)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._sync)
        self._timer.start()
        self.retranslate()
        self._sync()

    def retranslate(self) -> None:
        texts = {"new": self.tr("New…"), "add": self.tr("Add wall as scene…"), "edit": self.tr("Edit…"),
                 "update": self.tr("Take wall into scene"), "up": self.tr("Move up"), "down": self.tr("Move down"),
                 "delete": self.tr("Delete scene"), "agenda": self.tr("Agenda to tile"),
                 "pack": self.tr("Briefing pack (PDF)…"), "start": self.tr("Start briefing")}
        for key, text in texts.items():
            self.buttons[key].setText(text)
        self.buttons["update"].setToolTip(self.tr("Replace the selected scene's tiles by the wall as it is now"))
        self.buttons["agenda"].setToolTip(self.tr("Show this briefing's agenda on the selected wall tile"))
        self.freeze.setText(self.tr("Hold KPI values at the start (\"as of\" freeze)"))
        self.presentation.setText(self.tr("Presentation mode (clean wall, sensitive cameras masked)"))
        self._seen = -1

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- state -> widgets ----------------------------------------------------------------------
    def current(self) -> str:
        return self.chooser.currentData() or ""

    def selected_scene(self) -> int | None:
        row = self.scenes.currentRow()
        return row + 1 if row >= 0 else None

    def _sync(self) -> None:
        if self.desk.version == self._seen:
            return
        self._seen = self.desk.version
        keep = self.current()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for name, briefing in sorted(self.desk.briefings.items(), key=lambda kv: kv[1].title):
            self.chooser.addItem(briefing.title, name)
        index = self.chooser.findData(keep)
        self.chooser.setCurrentIndex(index if index >= 0 else 0)
        self.chooser.blockSignals(False)
        self.problems.setText("\n".join(self.desk.problems))
        self.problems.setVisible(bool(self.desk.problems))
        self._fill_scenes()

    def _fill_scenes(self) -> None:
        briefing = self.desk.briefings.get(self.current())
        row = self.scenes.currentRow()
        self.scenes.clear()
        running = self.desk.run if self.desk.run and briefing and self.desk.run.briefing == briefing.name else None
        if briefing is not None:
            self.freeze.setChecked(briefing.freeze or self.freeze.isChecked())
            for n, scene in enumerate(briefing.scenes, start=1):
                minutes = f"  ({scene.duration_s / 60:g} {self.tr('min')})" if scene.duration_s else ""
                item = QListWidgetItem(f"{n}. {scene.title}{minutes}")
                item.setToolTip(scene.notes)
                if running is not None and running.index == n - 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setText("▶ " + item.text())
                self.scenes.addItem(item)
        if self.scenes.count():
            self.scenes.setCurrentRow(min(max(row, 0), self.scenes.count() - 1))
        has = briefing is not None
        for key in ("add", "agenda", "pack", "start"):
            self.buttons[key].setEnabled(has)
        for key in ("edit", "update", "up", "down", "delete"):
            self.buttons[key].setEnabled(has and self.scenes.count() > 0)

    # -- intents ---------------------------------------------------------------------------------
    def _dialog_ok(self, dialog: QDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted

    def new_briefing(self, title: str | None = None) -> None:
        if title is None:
            dialog = SceneDialog(self)
            dialog.setWindowTitle(self.tr("New briefing"))
            for w in (dialog.presenter, dialog.minutes, dialog.notes):
                w.setEnabled(False)
            if not self._dialog_ok(dialog) or not dialog.title.text().strip():
                return
            title = dialog.title.text().strip()
        before = set(self.desk.briefings)
        if self.run(NewBriefing(title=title)).ok:
            self._sync()
            made = set(self.desk.briefings) - before
            if made:
                self.chooser.setCurrentIndex(self.chooser.findData(made.pop()))

    def add_scene(self, scene: Scene | None = None) -> None:
        if scene is None:
            dialog = SceneDialog(self, title=self.tr("Scene %1").replace("%1", str(self.scenes.count() + 1)))
            if not self._dialog_ok(dialog) or not dialog.title.text().strip():
                return
            scene = Scene(dialog.title.text().strip(), "", (), dialog.notes.toPlainText(), dialog.minutes.value() * 60,
                          dialog.presenter.text().strip())
        at = self.selected_scene()
        if self.run(AddScene(briefing=self.current(), title=scene.title, notes=scene.notes,
                             duration_s=scene.duration_s, presenter=scene.presenter,
                             at=at + 1 if at else None)).ok:
            self._sync()
            self.scenes.setCurrentRow(at if at else self.scenes.count() - 1)

    def edit_scene(self) -> None:
        briefing, number = self.desk.briefings.get(self.current()), self.selected_scene()
        if briefing is None or number is None:
            return
        dialog = SceneDialog(self, briefing.scenes[number - 1])
        if self._dialog_ok(dialog) and dialog.title.text().strip():
            self.run(EditScene(briefing=briefing.name, scene=number, title=dialog.title.text().strip(),
                               notes=dialog.notes.toPlainText(), duration_s=dialog.minutes.value() * 60,
                               presenter=dialog.presenter.text().strip()))

    def update_scene(self) -> None:
        number = self.selected_scene()
        if number is not None:
            self.run(EditScene(briefing=self.current(), scene=number, replace_tiles=True))

    def move_scene(self, step: int) -> None:
        number = self.selected_scene()
        if number is None or not 1 <= number + step <= self.scenes.count():
            return
        if self.run(MoveScene(briefing=self.current(), scene=number, to=number + step)).ok:
            self._sync()
            self.scenes.setCurrentRow(number + step - 1)

    def delete_scene(self) -> None:
        number = self.selected_scene()
        if number is not None:
            self.run(DeleteScene(briefing=self.current(), scene=number))

    def start(self) -> CommandResult | None:
        if not self.current():
            return None
        return self.run(StartBriefing(briefing=self.current(),
                                      freeze=self.freeze.isChecked(), presentation=self.presentation.isChecked()))

    def _agenda(self) -> None:
        if self.current():
            self.sig_show_agenda.emit(self.current())

    def _pack(self) -> None:
        if self.current():
            self.sig_export_pack.emit(self.current())
