"""SilenceList: the active silences, each with its creator, reason and time left; lift or add one."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.alerts.desk import AlertDesk
from console.commands import AddSilence, Command, LiftSilence
from console.model.alerts import DOMAINS
from console.store import CommandResult


class SilenceDialog(QDialog):
    """Silence by domain, unit, source or key, for some minutes, with a reason (all audited)."""

    def __init__(self, parent: QWidget | None, domain: str = "", unit: str = "", source: str = "", key: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Silence alerts"))
        self.domain = QComboBox(self)
        self.domain.addItem(self.tr("(any)"), "")
        for d in DOMAINS:
            self.domain.addItem(d, d)
        self.domain.setCurrentIndex(max(0, self.domain.findData(domain)))
        self.unit = QLineEdit(unit, self)
        self.source = QLineEdit(source, self)
        self.key = QLineEdit(key, self)
        self.minutes = QDoubleSpinBox(self)
        self.minutes.setRange(1, 7 * 24 * 60)
        self.minutes.setValue(60)
        self.reason = QLineEdit(self)
        form = QFormLayout(self)
        form.addRow(self.tr("Domain"), self.domain)
        form.addRow(self.tr("Unit code"), self.unit)
        form.addRow(self.tr("Source (connector)"), self.source)
        form.addRow(self.tr("Key"), self.key)
        form.addRow(self.tr("Minutes"), self.minutes)
        form.addRow(self.tr("Reason"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def command(self) -> AddSilence:
        return AddSilence(reason=self.reason.text().strip() or "-", minutes=self.minutes.value(),
                          domain=self.domain.currentData() or "", unit=self.unit.text().strip(),
                          source=self.source.text().strip(), key=self.key.text().strip())


class SilenceList(QWidget):
    def __init__(self, desk: AlertDesk, run: Callable[[Command], CommandResult | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.run = run
        self.title = QLabel(self)
        self.title.setObjectName("paneTitle")
        self.list = QListWidget(self)
        self.list.setMaximumHeight(90)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.add)
        self.lift_button = QPushButton(self)
        self.lift_button.clicked.connect(self.lift_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.lift_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 4)
        lay.addLayout(buttons)
        lay.addWidget(self.list)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Silences"))
        self.add_button.setText(self.tr("Silence…"))
        self.lift_button.setText(self.tr("Lift"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def refresh(self) -> None:
        now = time.time()
        active = sorted((s for s in self.desk.silences.values() if s.active(now)), key=lambda s: s.expires_at)
        selected = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self.list.clear()
        for s in active:
            what = " ".join(f"{k}={v}" for k, v in (("domain", s.domain), ("unit", s.unit), ("source", s.source),
                                                     ("key", s.key)) if v)
            left = int(s.expires_at - now)
            text = self.tr("%1 · by %2 · %3 · %4 min %5 s left").replace("%1", what).replace(
                "%2", s.created_by).replace("%3", s.reason).replace("%4", str(left // 60)).replace(
                "%5", str(left % 60))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.list.addItem(item)
            if s.id == selected:
                self.list.setCurrentItem(item)

    def add(self) -> None:
        dialog = SilenceDialog(self)
        if dialog.exec():
            self.run(dialog.command())

    def lift_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.run(LiftSilence(silence=int(item.data(Qt.ItemDataRole.UserRole))))
