"""HealthView: one row per connector with its state, last good time, last error or what it is doing."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from console.store import Store

STATE_COLORS = {
    "ok": QColor(46, 184, 114),
    "starting": QColor(90, 160, 230),
    "stale": QColor(242, 178, 40),
    "retrying": QColor(242, 140, 40),
    "failed": QColor(230, 64, 64),
}


class HealthView(QTableWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.store = store
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    def state_label(self, state: str) -> str:
        return {
            "ok": self.tr("ok"),
            "starting": self.tr("starting"),
            "stale": self.tr("stale"),
            "retrying": self.tr("retrying"),
            "failed": self.tr("failed"),
        }.get(state, state)

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Connector"), self.tr("State"), self.tr("Last data"),
                                        self.tr("Last error / activity")])
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def row_of(self, connector: str) -> dict[str, str]:
        """The texts shown for one connector (what a person reads in the table)."""
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.text() == connector:
                texts = [cell.text() if (cell := self.item(row, c)) is not None else "" for c in (1, 2, 3)]
                return dict(zip(("state", "last_ok", "error"), texts, strict=True))
        raise KeyError(connector)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        rows = sorted(self.store.health.values(), key=lambda h: h.connector)
        self.setRowCount(len(rows))
        now = time.time()
        for r, h in enumerate(rows):
            state = self.state_label(h.state)
            if h.state == "retrying" and h.next_retry_s is not None:
                state += " " + self.tr("(attempt %1, next try within %2 s)").replace("%1", str(h.attempt)).replace(
                    "%2", f"{h.next_retry_s:.0f}")
            last_ok = time.strftime("%H:%M:%S", time.localtime(h.last_ok)) if h.last_ok else "—"
            if h.last_ok and now - h.last_ok > 60:
                last_ok += " " + self.tr("(%1 min ago)").replace("%1", str(int((now - h.last_ok) // 60)))
            # A failing connector shows why; a working one what it says it is doing (an import's
            # progress, the last bad row of a report).
            failing = h.state in ("retrying", "failed")
            text = (h.last_error if failing else "") or ""
            if h.detail:
                text = f"{text} · {h.detail}" if text else h.detail
            items = [QTableWidgetItem(h.connector), QTableWidgetItem(state), QTableWidgetItem(last_ok),
                     QTableWidgetItem(text)]
            items[1].setForeground(STATE_COLORS.get(h.state, QColor(200, 200, 200)))
            items[3].setToolTip(text)
            for c, item in enumerate(items):
                self.setItem(r, c, item)
